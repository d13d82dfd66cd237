"""OpenAlex: every era in the recordings parses with its real values; cursor paging and DOI batches via replay."""
import json

import pytest

from pubsync.http import HttpSession, HttpStatusError
from pubsync.settings import SourceSettings
from pubsync.sources import SourceError, Target, openalex
from tests.replay import ReplayServer, SkipClock, read_cassette, serve_cassette


def load_file(realdata, name):
    path = realdata / "api/openalex" / name
    return openalex.load(path.read_bytes(), path.name)


def parse_all(raws):
    return [r for raw in raws for r in openalex.parse(raw)]


def test_state_of_oa_work_2025(realdata):
    rec = parse_all(load_file(realdata, "oapy_2025-06_work_W2741809807_stateofOA.json"))[0]
    assert rec.source_id == "W2741809807"
    assert rec.title.startswith("The state of OA: a large-scale analysis")
    assert rec.ids == {"doi": "10.7717/peerj.4375", "openalex": "W2741809807", "pmid": "29456894",
                       "pmcid": "PMC5815332", "mag": "2741809807"}
    assert rec.venue == "PeerJ" and rec.type == "journal-article" and rec.date == "2018-02-13" and rec.year == 2018
    assert len(rec.authors) == 9
    priem = [a for a in rec.authors if a.name == "Jason Priem"][0]
    assert priem.orcid == "0000-0001-6187-6610" and priem.openalex == "A5023888391"
    assert rec.abstract.startswith("Despite growing interest in Open Access")
    assert rec.citations == 962 and rec.counts_by_year[2024] == 118 and rec.counts_by_year[2025] == 30


def test_denner_results_only_list(realdata):
    raws = load_file(realdata, "denner_2025-11_works_list_author.id_A5003721947_results_only.json")
    recs = {r.source_id: r for r in parse_all(raws)}
    assert len(recs) == 82
    ai = recs["W3154266813"]
    assert ai.ids["doi"] == "10.1007/s10676-021-09593-z" and ai.venue == "Ethics and Information Technology"
    assert ai.authors[1].openalex == "A5003721947"
    data = json.loads((realdata / "api/openalex/denner_2025-11_works_list_author.id_A5003721947_results_only.json")
                      .read_text())
    with_doi = [w for w in data if w["doi"]]
    arxiv_doi = [w for w in with_doi if "10.48550/arxiv." in w["doi"].lower()]
    assert len(with_doi) == 63 and len(arxiv_doi) == 7
    assert sum(1 for r in recs.values() if r.ids.get("doi")) == len(with_doi) - len(arxiv_doi)
    # arXiv preprints: the DataCite DOI becomes the arXiv id, never ids["doi"]
    assert recs["W3039729780"].ids.get("arxiv") == "2007.02426" and "doi" not in recs["W3039729780"].ids
    assert recs["W3038626392"].ids.get("arxiv") == "2006.16944"      # found through the landing page URL only
    assert recs["W3039729780"].type == "preprint"
    assert sum(1 for r in recs.values() if r.abstract) == 67


def test_cursor_pages_and_empty_last_page(realdata):
    page1 = parse_all(load_file(realdata, "oapro_list_page1_next_cursor.json"))
    assert [r.source_id for r in page1] == ["W2755950973", "W2741809807"]
    assert page1[0].title.startswith("bibliometrix")
    assert load_file(realdata, "oapro_list_page2_empty.json") == []


def test_legacy_host_venue_and_paratext(realdata):
    legacy = parse_all(load_file(realdata, "oapy_SYNTHETIC_mixed_era_work.json"))[0]
    assert legacy.title.startswith("GW170104") and legacy.venue == "Physical Review Letters"
    body = read_cassette(realdata / "api/openalex/oapro_2026-03_cassette_work_W4234567890_paratext.yml")[0].body
    paratext = parse_all(openalex.load(body, "w.json"))[0]
    assert paratext.title == "" and paratext.type == "paratext" and paratext.ids["doi"] == "10.4018/jnn.20180101"
    assert paratext.authors[0].name == "Bakhtiyor Rasulev" and paratext.authors[0].openalex == ""
    assert paratext.venue == "Journal of Nanotoxicology and Nanomedicine"


def test_author_objects_and_errors_are_refused_clearly(realdata):
    with pytest.raises(SourceError, match="an OpenAlex author, not works"):
        load_file(realdata, "denner_2025-10_author_A5003721947_via_orcid.json")
    with pytest.raises(SourceError, match="an OpenAlex author"):
        load_file(realdata, "oapy_2023-11_author_A5317838346_deleted.json")
    body = read_cassette(realdata / "api/openalex/oapro_2026-03_cassette_error400_bad_select.yml")[0].body
    with pytest.raises(SourceError, match="OpenAlex error"):
        openalex.load(body, "e.json")


def test_rebuild_abstract_orders_by_position():
    assert openalex.rebuild_abstract({"world": [1], "hello": [0, 2]}) == "hello world hello"
    assert openalex.rebuild_abstract(None) == ""


# ---- network path --------------------------------------------------------------------------

def oa_session(server, **kw):
    return HttpSession(SourceSettings("openalex", base_url=server.url, retries=1, **kw), clock=SkipClock())


def test_recorded_cursor_paging_replayed(realdata):
    """The 2025-11 recording: page 1 with a next_cursor, then the empty last page."""
    with ReplayServer() as server:
        interactions = serve_cassette(server, realdata / "api/openalex/oapro_2025-11_cassette_cursor_pagination_snowball.yml")
        assert [i.status for i in interactions][:4] == [400, 400, 200, 200]
        with oa_session(server) as s:
            page = openalex._get_page(s, {"filter": "openalex:W3045921891|W3046863325", "per_page": "200",
                                          "cursor": "*"}, "page 1")
            assert [openalex.work_id(w) for w in page["results"]] == ["W3046863325", "W3045921891"]
            last = openalex._get_page(s, {"filter": "openalex:W3045921891|W3046863325", "per_page": "200",
                                          "cursor": page["meta"]["next_cursor"]}, "page 2")
            assert last["results"] == [] and last["meta"]["next_cursor"] is None
            with pytest.raises(HttpStatusError) as e:
                s.get("/works/W1775749144", params={"select": "DOESNTEXIST"})
    assert e.value.status == 400 and "\n" not in str(e.value)


def work(i, doi=True):
    return {"id": f"https://openalex.org/W{100 + i}", "title": f"T{i}", "publication_year": 2020,
            **({"doi": f"https://doi.org/10.1234/{i}"} if doi else {}), "updated_date": "2025-01-01"}


def test_author_paging_stops_without_the_empty_page_and_batches_dois(monkeypatch):
    monkeypatch.setenv("OPENALEX_API_KEY", "k-secret")
    n = 450
    calls = []

    def works(path, query):
        calls.append(dict(query))
        if query["filter"].startswith("doi:"):
            dois = query["filter"][4:].split("|")
            return 200, {}, {"meta": {"count": len(dois)}, "results": [work(int(d.split("/")[1])) for d in dois]}
        start = 0 if query["cursor"] == "*" else int(query["cursor"])
        page = [work(i) for i in range(start, min(n, start + 100))]
        return 200, {}, {"meta": {"count": n, "next_cursor": str(start + 100)}, "results": page}

    with ReplayServer() as server:
        server.route("/works", works)
        with oa_session(server, mailto="lab@example.org") as s:
            result = openalex.fetch(s, Target("p", openalex="A5003721947",
                                              dois=[f"10.1234/{i}" for i in range(440, 700)]), {})
    listing = [c for c in calls if c["filter"].startswith("author.id:")]
    batches = [c for c in calls if c["filter"].startswith("doi:")]
    assert [c["cursor"] for c in listing] == ["*", "100", "200", "300", "400"]      # 450 works, 100 a page
    assert all(c["per_page"] == "100" and c["api_key"] == "k-secret" for c in calls)
    assert all(c["select"] == openalex.SELECT and c["mailto"] == "lab@example.org" for c in calls)
    assert [len(c["filter"][4:].split("|")) for c in batches] == [100, 100, 50]   # 250 DOIs not already listed
    assert result.requests == 8 <= openalex.requests_bound(450, 250)
    assert len(result.raws) == 700 and result.complete
    assert len(result.discovered["doi_fields"]) == 700
    assert result.discovered["doi_fields"]["10.1234/0"] == ["date"]        # no venue, type "other"


# ---- the 2026 rules --------------------------------------------------------------------------

def keyless_world(n, calls):
    """OpenAlex as it answers keyless clients since 2026: 400 above per_page 100, 401 for a cursor."""
    def works(path, query):
        calls.append(dict(query))
        if int(query.get("per_page", "25")) > 100:
            return 400, {}, {"error": "Invalid query parameters error.", "message": "per_page must be between 1 and 100"}
        if "cursor" in query and "api_key" not in query:
            return 401, {}, {"error": "Unauthorized", "message": "cursor paging requires an API key"}
        number, size = int(query.get("page", "1")), int(query["per_page"])
        page = [work(i) for i in range((number - 1) * size, min(n, number * size))]
        return 200, {}, {"meta": {"count": n, "page": number, "per_page": size}, "results": page}
    return works


def test_without_a_key_basic_paging_of_at_most_100(monkeypatch):
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    calls = []
    with ReplayServer() as server:
        server.route("/works", keyless_world(250, calls))
        with oa_session(server) as s:
            result = openalex.fetch(s, Target("p", openalex="A5003721947"), {})
    assert [(c["page"], c["per_page"]) for c in calls] == [("1", "100"), ("2", "100"), ("3", "100")]
    assert not any("cursor" in c or "api_key" in c for c in calls)
    assert len(result.raws) == 250 and result.complete


def test_without_a_key_a_list_past_10000_is_cut_with_a_one_line_note(monkeypatch, caplog):
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    calls = []
    with ReplayServer() as server:
        server.route("/works", keyless_world(10_250, calls))
        with oa_session(server) as s, caplog.at_level("WARNING", logger="pubsync.sources.openalex"):
            result = openalex.fetch(s, Target("p", openalex="A5003721947"), {})
    assert len(calls) == 100 and calls[-1]["page"] == "100"
    assert len(result.raws) == 10_000 and not result.complete          # partial: no shrink judgement on it
    notes = [r.getMessage() for r in caplog.records]
    assert len(notes) == 1 and "10250" in notes[0].replace(",", "") and "OPENALEX_API_KEY" in notes[0]
    assert "10,000" in notes[0] and "\n" not in notes[0]


def test_with_a_key_cursor_paging(monkeypatch):
    monkeypatch.setenv("OPENALEX_API_KEY", "k-secret")
    calls = []

    def works(path, query):
        calls.append(dict(query))
        start = 0 if query["cursor"] == "*" else int(query["cursor"])
        return 200, {}, {"meta": {"count": 150, "next_cursor": str(start + 100)},
                         "results": [work(i) for i in range(start, min(150, start + 100))]}
    with ReplayServer() as server:
        server.route("/works", works)
        with oa_session(server) as s:
            result = openalex.fetch(s, Target("p", openalex="A5003721947"), {})
    assert [c["cursor"] for c in calls] == ["*", "100"] and not any("page" in c for c in calls)
    assert len(result.raws) == 150


@pytest.mark.parametrize("status,key,told", [(401, None, "set OPENALEX_API_KEY"),
                                             (403, "bad-key", "refused the key in OPENALEX_API_KEY")])
def test_401_403_name_the_api_key(monkeypatch, status, key, told):
    if key:
        monkeypatch.setenv("OPENALEX_API_KEY", key)
    else:
        monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    with ReplayServer() as server:
        server.add("/works", {"error": "Forbidden", "message": "no"}, status=status)
        with oa_session(server) as s, pytest.raises(SourceError) as e:
            openalex.fetch(s, Target("p", openalex="A5003721947"), {})
    assert f"HTTP {status}" in str(e.value) and told in str(e.value)
    assert "\n" not in str(e.value) and "bad-key" not in str(e.value)


def test_a_rejected_select_field_is_dropped_and_retried_once(realdata, monkeypatch, caplog):
    """The real 2026 error body (select=DOESNTEXIST) names the field; here it names type_crossref."""
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    recorded = read_cassette(realdata / "api/openalex/oapro_2026-03_cassette_error400_bad_select.yml")[0]
    rejection = recorded.body.decode().replace("DOESNTEXIST", "type_crossref")
    calls = []

    def works(path, query):
        calls.append(dict(query))
        if "type_crossref" in query["select"].split(","):
            return 400, {"Content-Type": "application/json"}, rejection
        return 200, {}, {"meta": {"count": 2, "page": 1}, "results": [work(1), work(2)]}
    with ReplayServer() as server:
        server.route("/works", works)
        with oa_session(server) as s, caplog.at_level("WARNING", logger="pubsync.sources.openalex"):
            result = openalex.fetch(s, Target("p", openalex="A5003721947", dois=["10.1234/77"]), {})
    assert len(calls) == 3                       # rejected, retried without it, then the DOI batch without it
    assert "type_crossref" not in calls[1]["select"] and "authorships" in calls[1]["select"]
    assert "type_crossref" not in calls[2]["select"]
    assert len(result.raws) == 2
    assert [r.getMessage() for r in caplog.records] == [
        "openalex: OpenAlex no longer accepts the select field 'type_crossref'; retrying without it"]


def test_a_second_rejection_fails_the_source():
    with ReplayServer() as server:
        server.add("/works", {"error": "Invalid query parameters error.",
                              "message": "authorships is not a valid select field. Valid fields are: id"}, status=400)
        server.add("/works", {"error": "Invalid query parameters error.",
                              "message": "title is not a valid select field. Valid fields are: id"}, status=400)
        with oa_session(server) as s, pytest.raises(HttpStatusError) as e:
            openalex.fetch(s, Target("p", openalex="A5003721947"), {})
    assert e.value.status == 400 and len(server.requests) == 2


def test_new_work_types_map_and_unknown_ones_are_logged(caplog):
    def parsed(kind):
        return openalex.parse(openalex.load(json.dumps({**work(1), "type": kind}).encode(), "w.json")[0])[0].type
    assert parsed("conference-paper") == "conference-paper"
    assert parsed("software") == "software"
    assert parsed("software-paper") == "journal-article"
    with caplog.at_level("WARNING", logger="pubsync.sources.openalex"):
        assert parsed("hologram") == "other"
    assert any("'hologram'" in r.getMessage() for r in caplog.records)


def test_is_retracted_holds_the_work_for_the_persons_decision(realdata):
    """The real 2025 work W2741809807, marked retracted as OpenAlex's `is_retracted` would: list hygiene holds it."""
    from pubsync.attribution import tidy
    from pubsync.merge import build_works
    path = realdata / "api/openalex/oapy_2025-06_work_W2741809807_stateofOA.json"
    data = json.loads(path.read_text())
    assert data["is_retracted"] is False
    for retracted, held in ((False, ""), (True, "retracted")):
        rec = openalex.parse(openalex.load(json.dumps({**data, "is_retracted": retracted}).encode(), "w.json")[0])[0]
        works = build_works([rec], []).works
        tidy(works, {rec.ref: rec})
        assert works[0].held == held


def test_author_by_orcid_discovers_the_author_id_and_arxiv_ids():
    body = {"meta": {"count": 1, "next_cursor": None}, "results": [{
        "id": "https://openalex.org/W1", "title": "x", "doi": None,
        "locations": [{"id": "pmh:oai:arXiv.org:2007.14454", "landing_page_url": "http://arxiv.org/abs/2007.14454"}],
        "authorships": [{"author": {"id": "https://openalex.org/A77", "display_name": "J C",
                                    "orcid": "https://orcid.org/0000-0002-1825-0097"}}]}]}
    with ReplayServer() as server:
        server.add("/works", body, query={"filter": "author.orcid:0000-0002-1825-0097"})
        with oa_session(server) as s:
            result = openalex.fetch(s, Target("p", orcid="0000-0002-1825-0097"), {})
    assert result.discovered["openalex"] == "A77" and result.discovered["arxiv_ids"] == ["2007.14454"]


@pytest.mark.parametrize("answer,expected", [
    (dict(body="<html><head><title>502 Bad Gateway</title></head></html>", headers={"Content-Type": "text/html"}),
     "expected JSON, got HTML/XML ('502 Bad Gateway')"),
    (dict(body='{"meta": {"count": 3}, "results": [{"id"'), "malformed JSON"),
    (dict(body='{"meta": {"count": 3}, "results": [{"id"', fault="truncate"), "body truncated"),
    (dict(body="", status=500), "HTTP 500"),
])
def test_faults_give_one_line_source_errors(answer, expected):
    with ReplayServer() as server:
        server.add("/works", **answer)
        with oa_session(server, max_seconds=10) as s, pytest.raises(SourceError) as e:
            openalex.fetch(s, Target("p", openalex="A1"), {})
    assert expected in str(e.value) and "\n" not in str(e.value)


def test_parse_is_deterministic_on_reordered_input(realdata):
    raw = load_file(realdata, "oapy_2025-06_work_W2741809807_stateofOA.json")[0]
    shuffled = type(raw)(**{**raw.__dict__, "payload": json.dumps(dict(reversed(list(json.loads(raw.payload).items()))))})
    assert openalex.parse(raw) == openalex.parse(shuffled)


def _work(wid, updated):
    return {"id": f"https://openalex.org/{wid}", "title": f"Work {wid}", "publication_year": 2024,
            "type": "article", "authorships": [], "updated_date": updated}


def test_incremental_asks_only_for_works_updated_since_the_newest_stored():
    with ReplayServer() as server:
        server.add("/works", {"meta": {"count": 1, "next_cursor": None}, "results": [_work("W2", "2025-11-09T01:02:03")]})
        settings = SourceSettings("openalex", base_url=server.url, incremental=True)
        with HttpSession(settings, clock=SkipClock()) as s:
            known = {"W1": "2025-10-01T00:00:00", "W2": "2025-11-08T10:00:00", "W3": "2025-11-08T23:59:59"}
            result = openalex.fetch(s, Target("p", openalex="A5000000001"), known)
    assert server.requests[0][1]["filter"] == "author.id:A5000000001,from_updated_date:2025-11-08"
    assert [r.source_id for r in result.raws] == ["W2"]
    assert result.unchanged == ["W1", "W3"] and not result.complete      # a short answer is not a shrink


def test_incremental_falls_back_to_the_full_listing_when_the_filter_is_refused():
    def answer(path, query):
        if "from_updated_date" in query.get("filter", ""):
            return 403, {"Content-Type": "application/json"}, {"error": "from_updated_date needs a paid plan"}
        return 200, {"Content-Type": "application/json"}, {"meta": {"count": 1, "next_cursor": None},
                                                            "results": [_work("W1", "2025-10-01")]}
    with ReplayServer() as server:
        server.route("/works", answer)
        settings = SourceSettings("openalex", base_url=server.url, incremental=True)
        with HttpSession(settings, clock=SkipClock()) as s:
            result = openalex.fetch(s, Target("p", openalex="A5000000001"), {"W1": "2025-10-01"})
    assert len(server.requests) == 2 and result.complete and [r.source_id for r in result.raws] == ["W1"]


def test_a_refused_key_fails_the_sync_in_one_line_naming_it(tmp_path):
    from tests.clihelp import run
    with ReplayServer() as server:
        server.add("/works", {"error": "Unauthorized", "message": "Invalid API key"}, status=401)
        proc = run("pull", "--openalex", "A5003721947", cwd=tmp_path,
                   env={"PUBSYNC_OPENALEX_URL": server.url, "PUBSYNC_ARXIV_URL": server.url,
                        "OPENALEX_API_KEY": "k-refused"})
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "openalex" in line]
    assert len(lines) == 1 and "HTTP 401" in lines[0] and "OPENALEX_API_KEY" in lines[0]
    assert "k-refused" not in proc.stderr + proc.stdout
