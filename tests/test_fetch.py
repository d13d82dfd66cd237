"""fetch_person against a replayed world: concurrency, discovery, request bounds, incremental second sync, failures."""
import math
import threading

import pytest

from pubsync import sources
from pubsync.fetch import combined_doi_fields, dois_lacking_metadata, fetch_people, fetch_person
from pubsync.http import Blocked
from pubsync.records import Record
from pubsync.settings import Person, SourceSettings
from pubsync.sources import FetchResult, RawRecord, SourceError
from tests.replay import ReplayServer, SkipClock, SyntheticProfile

INTERVAL = {"orcid": 0.1, "openalex": 0.1, "arxiv": 3.0, "scholar": 5.0, "crossref": 0.2}


def settings_for(server, names=("orcid", "openalex", "arxiv", "scholar"), **kw):
    return {n: SourceSettings(n, base_url=f"{server.url}/{n}", min_interval=INTERVAL[n], retries=1, **kw)
            for n in names}


def markers(results):
    return {name: {raw.source_id: raw.modified for raw in r.raws} for name, r in results.items()
            if isinstance(r, FetchResult)}


@pytest.fixture
def world():
    w = SyntheticProfile(250)
    with ReplayServer() as server:
        w.mount(server)
        yield w, server


def test_full_sync_stays_within_request_bounds(world):
    w, server = world
    person = Person("Josiah Carberry", orcid=w.ORCID, scholar=w.SCHOLAR)
    results = fetch_person(person, settings_for(server), {}, clock=SkipClock())
    assert set(results) == {"orcid", "openalex", "arxiv", "scholar"}
    assert all(isinstance(r, FetchResult) for r in results.values()), results
    n_claims = len(w.all_put_codes)                       # 300 put-codes for 250 works
    missing = w.n - len(w.openalex_listed)                # works OpenAlex's author listing lacks: found by DOI
    assert results["orcid"].requests == 1 + math.ceil(n_claims / 100) == 4
    assert len(results["orcid"].raws) == n_claims
    assert results["openalex"].requests <= math.ceil(w.n / 100) + math.ceil(missing / 100)      # 100 a page (2026)
    assert len(results["openalex"].raws) == w.n
    assert results["openalex"].discovered["openalex"] == "A5000000001"
    assert results["arxiv"].requests == math.ceil(len(w.arxiv_ids) / 100) == 1
    assert sorted(r.source_id for r in results["arxiv"].raws) == sorted(w.arxiv_ids)
    assert results["scholar"].requests == math.ceil(w.n / 100) and len(results["scholar"].raws) == w.n
    assert results["scholar"].person_name == "Josiah Carberry"


def test_second_sync_makes_no_detail_requests(world):
    w, server = world
    person = Person("Josiah Carberry", orcid=w.ORCID)
    settings = settings_for(server, names=("orcid", "openalex", "arxiv"))
    first = fetch_person(person, settings, {}, clock=SkipClock())
    server.requests.clear()
    second = fetch_person(person, settings, markers(first), clock=SkipClock())
    orcid_paths = [p for p, _ in server.requests if p.startswith("/orcid/")]
    assert orcid_paths == [f"/orcid/{w.ORCID}/works"]                  # the listing only, no bulk calls
    assert second["orcid"].raws == [] and len(second["orcid"].unchanged) == len(w.all_put_codes)
    assert server.count("/arxiv/") == 0 and sorted(second["arxiv"].unchanged) == sorted(w.arxiv_ids)


def test_sources_run_concurrently(world):
    """Each of ORCID, OpenAlex and Scholar holds its first answer until all three have asked: sequential code deadlocks
    into the barrier's timeout and fails."""
    w, server = world
    barrier = threading.Barrier(3, timeout=10)
    arrived = []

    def gate(inner):
        def handler(path, query):
            if path not in arrived:
                arrived.append(path)
                barrier.wait()
            return inner(path, query)
        return handler

    server.clear()
    server.route(f"/orcid/{w.ORCID}/works", gate(lambda p, q: (200, {}, w.orcid_works())))
    server.route(f"/orcid/{w.ORCID}/works/", w.orcid_bulk)
    server.route("/arxiv/query", w.arxiv_query)
    server.route("/openalex/works", gate(w.openalex_works))
    server.route("/scholar/citations", gate(w.scholar_page))
    person = Person("Josiah Carberry", orcid=w.ORCID, scholar=w.SCHOLAR)
    results = fetch_person(person, settings_for(server), {}, clock=SkipClock())
    assert not barrier.broken, arrived
    assert all(isinstance(r, FetchResult) for r in results.values()), results


def test_a_failing_source_does_not_stop_the_others(world):
    w, server = world
    server.clear()
    server.add(f"/orcid/{w.ORCID}/works", "<html><title>ORCID is down for maintenance</title></html>", status=503)
    server.route("/openalex/works", w.openalex_works)
    server.route("/arxiv/query", w.arxiv_query)
    server.route("/scholar/citations", w.scholar_page)
    person = Person("Josiah Carberry", orcid=w.ORCID, scholar=w.SCHOLAR)
    results = fetch_person(person, settings_for(server, max_seconds=20), {}, clock=SkipClock())
    err = results["orcid"]
    assert isinstance(err, SourceError) and "HTTP 503" in str(err) and "maintenance" in str(err)
    assert err.requests == 2 and "\n" not in str(err)
    assert isinstance(results["openalex"], FetchResult) and len(results["openalex"].raws) == len(w.openalex_listed)
    # arXiv still gets the ids OpenAlex names
    assert isinstance(results["arxiv"], FetchResult)
    assert {r.source_id for r in results["arxiv"].raws} == {w.arxiv_id(i) for i in w.openalex_listed if w.arxiv_id(i)}


@pytest.mark.parametrize("fault", ["hang", "reset", "truncate", "empty"])
def test_network_faults_are_bounded_source_errors(world, fault):
    w, server = world
    server.clear()
    server.add(f"/orcid/{w.ORCID}/works", w.orcid_works(), fault=fault)
    person = Person("Josiah Carberry", orcid=w.ORCID)
    settings = settings_for(server, names=("orcid",), timeout=0.5, max_seconds=3)
    results = fetch_person(person, settings, {}, clock=SkipClock())
    assert isinstance(results["orcid"], SourceError)
    assert type(results["orcid"]).__name__ in ("SourceTimeout", "NetworkError")


def test_a_source_s_block_hook_reaches_its_session(world):
    w, server = world
    server.clear()
    server.add("/scholar/citations", "Too Many Requests", status=429)
    results = fetch_person(Person("J", scholar=w.SCHOLAR), settings_for(server, names=("scholar",)), {},
                           clock=SkipClock())
    assert isinstance(results["scholar"], Blocked) and server.count("/scholar") == 1


def test_scholar_and_crossref_are_opt_in(world):
    w, server = world
    person = Person("Josiah Carberry", orcid=w.ORCID, scholar=w.SCHOLAR)
    settings = settings_for(server)
    settings["scholar"].enabled = False
    results = fetch_person(person, settings, {}, clock=SkipClock())
    assert "scholar" not in results and server.count("/scholar") == 0
    assert "crossref" not in results


def test_crossref_fills_only_dois_lacking_metadata():
    w = SyntheticProfile(4, openalex_miss_every=1)          # OpenAlex lists nothing by author … and has no DOIs
    with ReplayServer() as server:
        listing = w.orcid_works()
        for group in listing["group"]:
            for summary in group["work-summary"]:
                summary["journal-title"] = None                 # no venue anywhere
        server.add(f"/orcid/{w.ORCID}/works", listing)
        server.route(f"/orcid/{w.ORCID}/works/", lambda p, q: (200, {}, {"bulk": []}))
        server.route("/openalex/works", lambda p, q: (200, {}, {"meta": {"count": 0}, "results": []}))
        server.route("/crossref/works/", lambda p, q: (200, {}, {"status": "ok", "message": {
            "DOI": p.split("/works/", 1)[1], "title": ["T"], "container-title": ["Journal of Replays"],
            "type": "journal-article", "issued": {"date-parts": [[2020, 5]]}}}))
        settings = settings_for(server, names=("orcid", "openalex", "crossref"))
        results = fetch_person(Person("J", orcid=w.ORCID), settings, {"crossref": {w.doi(3): "x"}}, clock=SkipClock())
    assert sorted(r.source_id for r in results["crossref"].raws) == [w.doi(0), w.doi(1), w.doi(2)]


def test_dois_lacking_metadata_combines_what_each_source_reports():
    full = Record("openalex", "W1", venue="V", type="journal-article", date="2020", ids={"doi": "10.1234/a"})
    bare = Record("orcid", "1", ids={"doi": "10.1234/a"})
    lonely = Record("orcid", "2", type="journal-article", date="2020", ids={"doi": "10.1234/b"})
    venue_only = Record("orcid", "3", venue="V", type="other", ids={"doi": "10.1234/c"})
    type_and_date = Record("openalex", "W3", type="book", date="2021", ids={"doi": "10.1234/c"})
    by_orcid = FetchResult([], discovered={"doi_fields": sources.doi_fields([bare, lonely, venue_only])})
    by_openalex = FetchResult([], discovered={"doi_fields": sources.doi_fields([full, type_and_date])})
    assert by_orcid.discovered["doi_fields"] == {"10.1234/a": [], "10.1234/b": ["type", "date"],
                                                 "10.1234/c": ["venue"]}
    combined = combined_doi_fields(by_orcid, by_openalex, None)
    assert combined["10.1234/c"] == ["venue", "type", "date"]
    assert dois_lacking_metadata(combined) == ["10.1234/b"]


def test_readable_records_skips_what_parse_cannot_read():
    def parse(raw):
        if raw.source_id == "bad":
            raise KeyError("title")
        return [Record("orcid", raw.source_id)]
    raws = [RawRecord("orcid", "1", "{}"), RawRecord("orcid", "bad", "{}"), RawRecord("orcid", "2", "{}")]
    assert [r.source_id for r in sources.readable_records(raws, parse)] == ["1", "2"]


def test_unexpected_exception_becomes_a_source_error(world, monkeypatch):
    w, server = world

    def broken(session, target, known):
        raise KeyError("authorships")

    monkeypatch.setattr(sources.module("openalex"), "fetch", broken)
    results = fetch_person(Person("J", orcid=w.ORCID), settings_for(server, names=("orcid", "openalex")), {},
                           clock=SkipClock())
    assert str(results["openalex"]) == "openalex: unexpected KeyError: 'authorships'"
    assert isinstance(results["orcid"], FetchResult)


def test_fetch_people_keys_results_by_person(world):
    w, server = world
    people = [Person("A", orcid=w.ORCID), Person("B", openalex="A5000000001")]
    out = fetch_people(people, settings_for(server, names=("orcid", "openalex")), {}, clock=SkipClock())
    assert set(out) == {w.ORCID, "b"}
    assert set(out["b"]) == {"openalex"} and len(out["b"]["openalex"].raws) == len(w.openalex_listed)


def test_module_names_every_source_and_refuses_others():
    assert [sources.module(name).NAME for name in sources.NAMES] == list(sources.NAMES)
    with pytest.raises(ValueError, match="unknown source 'zotero'.*orcid, openalex, arxiv, scholar, crossref"):
        sources.module("zotero")
