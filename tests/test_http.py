"""The HTTP layer against the loopback replay server: retries, Retry-After, budgets, faults, blocks, secrets."""
import email.utils
import warnings

import httpx
import pytest

from pubsync import __version__
from pubsync.http import (BadBody, Blocked, HttpSession, HttpStatusError, NetworkError, SourceTimeout, decode_body,
                          json_body, parse_retry_after)
from pubsync.settings import SourceSettings
from pubsync.sources import SourceError
from tests.replay import ReplayServer, SkipClock, read_cassette


@pytest.fixture
def server():
    with ReplayServer() as s:
        yield s


def session(server, name="openalex", clock=None, blocked=None, **kw):
    kw.setdefault("retries", 3)
    kw.setdefault("timeout", 2.0)
    kw.setdefault("max_seconds", 60.0)
    return HttpSession(SourceSettings(name, base_url=server.url, **kw), clock=clock or SkipClock(), blocked=blocked)


def test_get_joins_base_url_and_sends_user_agent_with_mailto(server):
    server.add("/works", {"results": []})
    with session(server, mailto="lab@example.org") as s:
        r = s.get("/works", params={"filter": "doi:10.1/x"}, accept="application/json")
    assert r.json() == {"results": []}
    assert server.requests == [("/works", {"filter": "doi:10.1/x"})]
    assert server.headers[0]["user-agent"] == (f"pubsync/{__version__} (+https://github.com/pubsync/pubsync; "
                                               "mailto:lab@example.org)")
    assert server.headers[0]["accept"] == "application/json"
    assert s.requests == 1


def test_500_then_200_is_retried_with_a_backoff_sleep(server):
    server.add("/x", "oops", status=500)
    server.add("/x", "fine")
    clock = SkipClock()
    with session(server, clock=clock) as s:
        assert s.get("/x").text == "fine"
        assert s.requests == 2
    assert len(clock.slept) == 1 and 0 <= clock.slept[0] <= 30


def test_persistent_500_gives_up_after_bounded_attempts(server):
    server.add("/x", "<html><title>Internal Server Error</title></html>", status=500)
    with session(server, retries=2) as s, pytest.raises(HttpStatusError) as e:
        s.get("/x")
    assert e.value.status == 500
    assert server.count("/x") == 3
    msg = str(e.value)
    assert "\n" not in msg and "HTTP 500" in msg and "after 3 attempts" in msg and "Internal Server Error" in msg


def test_429_retry_after_seconds_is_honoured(server):
    server.add("/x", "slow down", status=429, headers={"Retry-After": "7"})
    server.add("/x", "ok")
    clock = SkipClock()
    with session(server, clock=clock) as s:
        assert s.get("/x").text == "ok"
    assert clock.slept == [7.0]


def test_503_retry_after_http_date_is_honoured(server):
    clock = SkipClock()
    when = email.utils.formatdate(clock.time() + 12, usegmt=True)
    server.add("/x", "", status=503, headers={"Retry-After": when})
    server.add("/x", "ok")
    with session(server, clock=clock) as s:
        assert s.get("/x").text == "ok"
    assert len(clock.slept) == 1 and 10 <= clock.slept[0] <= 13


def test_retry_after_beyond_the_budget_fails_at_once(server):
    server.add("/x", "", status=429, headers={"Retry-After": "3600"})
    clock = SkipClock()
    with session(server, clock=clock, max_seconds=60) as s, pytest.raises(HttpStatusError) as e:
        s.get("/x")
    assert clock.slept == [] and server.count("/x") == 1
    assert "Retry-After 3600 s exceeds" in str(e.value)


def test_4xx_other_than_429_is_not_retried(server):
    server.add("/works/W1", {"error": "Invalid query parameters error.", "message": "DOESNTEXIST is not a valid field"},
               status=400)
    clock = SkipClock()
    with session(server, clock=clock) as s, pytest.raises(HttpStatusError) as e:
        s.get("/works/W1")
    assert e.value.status == 400 and server.count() == 1 and clock.slept == []
    assert "DOESNTEXIST is not a valid field" in str(e.value)


def test_hang_times_out_within_the_source_budget(server):
    server.add("/x", "late", fault="hang")
    with session(server, timeout=0.3, retries=5, max_seconds=1.0, clock=SkipClock()) as s:
        with pytest.raises(SourceTimeout) as e:
            s.get("/x")
    assert "timeout" in str(e.value) and "\n" not in str(e.value)


class FrozenClock:
    """Time moves only when a test moves it (or sleeps)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_each_request_s_timeout_is_capped_by_the_budget_left():
    clock = FrozenClock()
    timeouts = []

    def answer(request):
        timeouts.append(request.extensions["timeout"])
        clock.now += 3.0                    # each answer takes 3 s of the 10 s budget
        return httpx.Response(200, text="ok")

    settings = SourceSettings("openalex", base_url="https://api.example.org", timeout=30.0, max_seconds=10.0)
    with HttpSession(settings, transport=httpx.MockTransport(answer), clock=clock) as s:
        for _ in range(3):
            s.get("/works")
    assert timeouts == [dict.fromkeys(("connect", "read", "write", "pool"), left) for left in (10.0, 7.0, 4.0)]


@pytest.mark.parametrize("fault", ["reset", "truncate", "empty"])
def test_broken_connections_are_network_errors_after_retries(server, fault):
    server.add("/x", "x" * 5000, fault=fault)
    with session(server, retries=1) as s, pytest.raises(NetworkError) as e:
        s.get("/x")
    assert server.count("/x") == 2
    assert "after 2 attempts" in str(e.value)


def test_a_broken_connection_then_success_recovers(server):
    server.add("/x", "x" * 5000, fault="truncate")
    server.add("/x", "whole")
    with session(server) as s:
        assert s.get("/x").text == "whole"


def test_unreachable_host_is_a_network_error():
    settings = SourceSettings("orcid", base_url="http://127.0.0.1:9", retries=1, timeout=1, max_seconds=5)
    with HttpSession(settings, clock=SkipClock()) as s, pytest.raises(NetworkError) as e:
        s.get("/x")
    assert "cannot connect" in str(e.value)


def test_a_block_named_by_the_hook_stops_at_once(server):
    server.add("/x", "", status=302, headers={"Location": "/sorry/index"})
    server.add("/sorry/index", "slow down", status=429, headers={"Retry-After": "5"})
    seen = []

    def blocked(status, final_url, text):
        seen.append((status, final_url, text))
        return "told to go away\n(twice)"

    clock = SkipClock()
    with session(server, clock=clock, blocked=blocked) as s, pytest.raises(Blocked) as e:
        s.get("/x")
    assert seen == [(429, server.url + "/sorry/index", "slow down")]
    assert server.count("/sorry/") == 1 and clock.slept == []
    assert str(e.value) == (f"openalex: blocked on GET {server.url}/x, stopped without retrying: "
                            "told to go away (twice)")


def test_an_answer_the_hook_lets_pass_is_handled_as_usual(server):
    server.add("/x", "oops", status=500)
    server.add("/x", "fine")
    with session(server, blocked=lambda status, final_url, text: None) as s:
        assert s.get("/x").text == "fine"
    assert server.count("/x") == 2


def test_min_interval_spaces_requests(server):
    server.add("/q", "ok")
    clock = SkipClock()
    with session(server, name="arxiv", clock=clock, min_interval=3.0) as s:
        for _ in range(3):
            s.get("/q")
    assert len(clock.slept) == 2 and all(2.5 < w <= 3.0 for w in clock.slept)


def test_rate_limit_that_would_pass_the_budget_fails(server):
    server.add("/q", "ok")
    with session(server, name="arxiv", clock=SkipClock(), min_interval=30.0, max_seconds=10) as s:
        s.get("/q")
        with pytest.raises(SourceTimeout) as e:
            s.get("/q")
    assert "rate limit" in str(e.value)


def test_openalex_api_key_is_sent_but_never_shown(server, monkeypatch):
    monkeypatch.setenv("OPENALEX_API_KEY", "sekret-key-123")
    server.add("/works", "boom", status=500)
    with session(server, retries=0) as s, pytest.raises(HttpStatusError) as e:
        s.get("/works", params={"filter": "x"})
    assert server.requests[0][1]["api_key"] == "sekret-key-123"
    assert "sekret-key-123" not in str(e.value) and "sekret-key-123" not in e.value.body


def test_orcid_token_is_a_bearer_header_never_shown(server, monkeypatch):
    monkeypatch.setenv("ORCID_TOKEN", "tok-abc-999")
    server.add("/0000/works", "echo tok-abc-999", status=404)
    with session(server, name="orcid") as s, pytest.raises(HttpStatusError) as e:
        s.get("/0000/works")
    assert server.headers[0]["authorization"] == "Bearer tok-abc-999"
    assert "tok-abc-999" not in str(e.value)


def test_credentials_stay_on_the_configured_host(server, monkeypatch):
    monkeypatch.setenv("ORCID_TOKEN", "tok-abc-999")
    server.add("/elsewhere", "ok")
    other = server.url.replace("127.0.0.1", "localhost")
    with session(server, name="orcid") as s:
        s.get(other + "/elsewhere")
    assert "authorization" not in server.headers[0]


def test_parse_retry_after_forms():
    now = 1_700_000_000.0
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now) == pytest.approx(30, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_json_body_names_html_instead_of_json():
    with pytest.raises(BadBody) as e:
        json_body("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>", "openalex: page 1")
    assert str(e.value) == "openalex: page 1: expected JSON, got HTML/XML ('502 Bad Gateway')"
    with pytest.raises(BadBody, match="malformed JSON"):
        json_body('{"results": [', "x")
    with pytest.raises(BadBody, match="empty body"):
        json_body("", "x")
    assert issubclass(BadBody, SourceError)


def test_decode_body_falls_back_to_cp1252_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert decode_body("Colaboração".encode("cp1252"), "f.json") == "Colaboração"
    assert "not valid UTF-8" in str(caught[0].message)
    assert decode_body("\ufeff{}".encode("utf-8"), "f.json") == "{}"


def test_cache_option_serves_through_hishel(server, tmp_path):
    server.add("/x", "cached body", headers={"Cache-Control": "max-age=600"})
    settings = SourceSettings("crossref", base_url=server.url, cache=True, cache_dir=str(tmp_path))
    with HttpSession(settings, clock=SkipClock()) as s:
        assert s.get("/x").text == "cached body"
        assert s.get("/x").text == "cached body"
    assert server.count("/x") == 1


# ---- the replay helper itself ----

def test_replay_serves_answers_in_order_and_the_last_repeats(server):
    server.add("/a", "one")
    server.add("/a", "two")
    server.add("/a", "special", query={"k": "v"})
    with session(server) as s:
        assert [s.get("/a").text for _ in range(3)] == ["one", "two", "two"]
        assert s.get("/a", params={"k": "v", "z": "1"}).text == "special"
        with pytest.raises(HttpStatusError) as e:
            s.get("/missing")
    assert e.value.status == 404


def test_read_cassette_handles_vcrpy_and_r_vcr(realdata):
    py = read_cassette(realdata / "api/orcid/inspire_2018-08_v2.0_member_bulk_101_putcodes_error400.yml")
    assert py[0].status == 400 and "maximum is 100" in py[0].text
    r = read_cassette(realdata / "api/orcid/rorcid_v3.0_person_works_0000-0002-9341-7985.yml")
    assert [i.path for i in r][0] == "/v3.0/0000-0002-9341-7985/person" and r[0].status == 200
    oa = read_cassette(realdata / "api/openalex/oapro_2025-11_cassette_cursor_pagination_snowball.yml")
    assert [i.status for i in oa][:2] == [400, 400]
