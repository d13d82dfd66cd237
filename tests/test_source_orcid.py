"""ORCID: real recordings parse with the values they hold; the network path through the replay server."""
import json
import warnings

import pytest

from pubsync.http import HttpSession, HttpStatusError
from pubsync.settings import SourceSettings
from pubsync.sources import RawRecord, SourceError, Target, orcid
from tests.replay import ReplayServer, SkipClock, read_cassette

DENNER = "0000-0002-4481-0115"


def load_file(realdata, name):
    path = realdata / "api/orcid" / name
    return orcid.load(path.read_bytes(), path.name)


def records(raws):
    return [r for raw in raws for r in orcid.parse(raw)]


def cassette_body(realdata, name):
    return read_cassette(realdata / "api/orcid" / name)[-1].body


def test_denner_works_list_keeps_every_summary_of_every_group(realdata):
    raws = load_file(realdata, "denner_2025-03_v3.0_works_0000-0002-4481-0115.utf8.json")
    data = json.loads((realdata / "api/orcid/denner_2025-03_v3.0_works_0000-0002-4481-0115.utf8.json").read_text())
    assert len(data["group"]) == 67
    assert len(raws) == 69 == len({r.source_id for r in raws})     # 67 groups, two of them with two claims
    recs = {r.source_id: r for r in records(raws)}
    ai = recs["92540647"]
    assert ai.title == "Artificial Intelligence Regulation: a framework for governance"
    assert ai.ids["doi"] == "10.1007/s10676-021-09593-z"
    assert ai.date == "2021-09" and ai.year == 2021 and ai.type == "journal-article"
    assert ai.venue == "Ethics and Information Technology" and ai.claimed_by == "Crossref"
    assert raws[[r.source_id for r in raws].index("92540647")].modified == "1654058349702"
    claims = {}
    for r in recs.values():
        claims[r.claimed_by] = claims.get(r.claimed_by, 0) + 1
    assert claims == {"Crossref": 13, "BASE - Bielefeld Academic Search Engine": 35, "Scopus - Elsevier": 19,
                      "IGI Global": 1, "ResearcherID": 1}
    assert not ai.authors and not ai.authors_complete       # summaries carry no contributors


def test_cp1252_file_reads_with_a_warning_and_the_same_records(realdata):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raws = load_file(realdata, "denner_2025-03_v3.0_works_0000-0002-4481-0115_cp1252.json")
    assert any("Windows-1252" in str(w.message) for w in caught)
    utf8 = load_file(realdata, "denner_2025-03_v3.0_works_0000-0002-4481-0115.utf8.json")
    assert [r.title for r in records(raws)] == [r.title for r in records(utf8)]
    assert records(raws)[0].title == "Como Promover a Colaboração em Plataformas de Dados Abertos?"


def test_v2_upper_case_enums_and_null_date_parts(realdata):
    recs = records(load_file(realdata, "acadtracker_v2.0_works_0000-0003-1910-4865_AJMorris.json"))
    assert len(recs) == 6 and {r.type for r in recs} == {"journal-article"}
    by_code = {r.source_id: r for r in recs}
    assert by_code["103274663"].date == "2021-11"            # day null
    assert by_code["103274663"].ids == {"doi": "10.1016/j.celrep.2021.110013"}
    assert by_code["63815100"].title == "Phospholipases D: making sense of redundancy and duplication"
    assert by_code["63815100"].date == "2019-06-28"


def test_full_work_contributors_deduplicated_per_role(realdata):
    rec = records(load_file(realdata, "kbase_sandbox_v3.0_work_1487805.json"))[0]
    assert rec.title == "Test Publication" and rec.extra["subtitle"] == "testing publication workflow"
    assert [a.name for a in rec.authors] == ["Foo Fox", "Bar Bunny", "Erik Pearson"]
    assert rec.authors[1].orcid == "" and rec.authors[2].orcid == "0000-0003-4997-3076"  # 1111-… fails its checksum
    assert rec.type == "other" and rec.date == "2022-07-29"
    assert "doi" not in rec.ids          # "123" is not a DOI (ORCID's own normalisation failed too)
    assert rec.abstract.startswith("Delftia is a genus of bacteria")


def test_full_work_in_v3_cassette_with_bibtex_and_contributor_orcids(realdata):
    raws = orcid.load(cassette_body(realdata, "rorcid_v3.0_work_77226586_citation_bibtex.yml"), "w.json")
    rec = records(raws)[0]
    assert rec.source_id == "77226586" and rec.title.startswith("Dose-Rate Estimation using α-Al2O3:C Chips")
    assert rec.authors[0].name == "Sebastian Kreutzer" and rec.authors[0].orcid == "0000-0002-0734-2199"
    assert "Loïc Martin" in [a.name for a in rec.authors]
    assert rec.extra["citation_type"] == "bibtex" and rec.venue == "Ancient TL"


def test_single_work_with_null_external_ids(realdata):
    rec = records(orcid.load(cassette_body(realdata, "rorcid_v3.0_work_single_bibtex_0000-0002-0734-2199.yml"),
                             "w.json"))[0]
    assert rec.title.startswith("Introducing an R package for luminescence dating analysis")
    assert rec.ids == {} and rec.year == 2012 and rec.venue == "Ancient TL"


def test_works_listing_in_r_vcr_cassette(realdata):
    recs = records(orcid.load(cassette_body(realdata, "rorcid_v3.0_person_works_0000-0002-9341-7985.yml"), "w"))
    by_code = {r.source_id: r for r in recs}
    assert by_code["15536015"].ids == {"doi": "10.3233/isu-130714", "eid": "2-s2.0-84889654399"}
    assert by_code["5011717"].ids == {"doi": "10.1038/npre.2009.2801"} and by_code["5011717"].date == "2009-01-21"


def test_profile_record_and_schema_sample_read_tolerantly(realdata):
    assert records(load_file(realdata, "kbase_sandbox_v3.0_profile.json"))[0].title == "Test Publication"
    sample = records(load_file(realdata, "orcidmodel_sample_record-full-3.0.json"))
    assert sample and sample[0].title == "Work Title"
    with pytest.raises(SourceError, match="XML is not read"):
        load_file(realdata, "orcidmodel_sample_works-3.0.xml")


def test_v2_bulk_with_an_error_inside_a_200_keeps_the_work(realdata):
    raws = orcid.load(cassette_body(realdata, "inspire_2018-07_v2.0_member_bulk_putcode_xxx_error_in_200.yml"), "b")
    assert [r.source_id for r in raws] == ["46674246"]
    rec = records(raws)[0]
    assert rec.type == "journal-article" and rec.authors[0].name == "Rossoni, A." and rec.authors[0].family == "Rossoni"
    assert rec.date == "" and rec.year is None                # publication-date null


def test_error_recordings_raise_source_errors(realdata):
    with pytest.raises(SourceError, match="9016"):
        load_file(realdata, "kbase_sandbox_v3.0_get-profile-404-error.json")
    with pytest.raises(SourceError, match="not a valid put code"):
        load_file(realdata, "kbase_sandbox_v3.0_get-works-bad-put-code.json")
    with pytest.raises(SourceError, match="maximum is 100"):
        orcid.load(cassette_body(realdata, "inspire_2018-08_v2.0_member_bulk_101_putcodes_error400.yml"), "b")
    with pytest.raises(SourceError, match="not an ORCID works list"):
        load_file(realdata, "acadtracker_expanded-search_Andrew_Morris.json")
    with pytest.raises(SourceError, match="expected JSON"):
        orcid.load(b'{"group": [', "broken.json")


# ---- network path --------------------------------------------------------------------------

def summary(pc, modified=1, doi=""):
    ext = [{"external-id-type": "doi", "external-id-value": doi, "external-id-relationship": "self"}] if doi else None
    return {"put-code": pc, "last-modified-date": {"value": modified}, "title": {"title": {"value": f"W {pc}"}},
            "external-ids": {"external-id": ext}, "type": "journal-article", "publication-date": None}


def listing(codes, modified=1):
    return {"group": [{"work-summary": [summary(pc, modified, f"10.1234/{pc}")]} for pc in codes]}


def orcid_session(server, **kw):
    return HttpSession(SourceSettings("orcid", base_url=server.url + "/v3.0", retries=1, **kw), clock=SkipClock())


def bulk_handler(path, query):
    codes = path.rsplit("/", 1)[-1].split(",")
    if len(codes) > 100:
        return 400, {}, {"response-code": 400, "error-code": 9042,
                         "developer-message": "Too many put codes specified: maximum is 100"}
    return 200, {}, {"bulk": [{"work": {**summary(int(c)), "contributors": {"contributor": [
        {"credit-name": {"value": "A B"}}]}}} for c in codes]}


def test_150_put_codes_take_two_bulk_calls_and_a_second_fetch_none():
    orcid_id = "0000-0002-1825-0097"
    codes = list(range(1000, 1150))
    with ReplayServer() as server:
        server.add(f"/v3.0/{orcid_id}/works", listing(codes))
        server.route(f"/v3.0/{orcid_id}/works/", bulk_handler)
        with orcid_session(server) as s:
            first = orcid.fetch(s, Target(orcid_id, orcid=orcid_id), {})
        bulk_calls = [p for p, _ in server.requests if p.startswith(f"/v3.0/{orcid_id}/works/")]
        assert len(bulk_calls) == 2 and first.requests == 3 <= orcid.requests_bound(150)
        assert len(bulk_calls[0].rsplit("/", 1)[1].split(",")) == 100
        assert len(first.raws) == 150 and first.complete
        assert all(r.modified == "1" for r in first.raws)
        assert records(first.raws)[0].authors[0].name == "A B"      # the full work, not the summary
        assert first.discovered["dois"][:2] == ["10.1234/1000", "10.1234/1001"]
        server.requests.clear()
        known = {r.source_id: r.modified for r in first.raws}
        with orcid_session(server) as s:
            second = orcid.fetch(s, Target(orcid_id, orcid=orcid_id), known)
        assert server.requests == [(f"/v3.0/{orcid_id}/works", {})]
        assert second.raws == [] and sorted(second.unchanged) == [str(c) for c in codes]


def test_doi_fields_describe_the_works_fetched_this_time():
    orcid_id = "0000-0002-1825-0097"
    full = {**summary(1, doi="10.1234/1"), "journal-title": {"value": "J"},
            "publication-date": {"year": {"value": "2020"}}}
    bare = {**summary(2, doi="10.1234/2"), "type": "other"}
    with ReplayServer() as server:
        server.add(f"/v3.0/{orcid_id}/works", listing([1, 2]))
        server.add(f"/v3.0/{orcid_id}/works/1,2", {"bulk": [{"work": full}, {"work": bare}]})
        with orcid_session(server) as s:
            first = orcid.fetch(s, Target(orcid_id, orcid=orcid_id), {})
            second = orcid.fetch(s, Target(orcid_id, orcid=orcid_id), {r.source_id: r.modified for r in first.raws})
    assert first.discovered["doi_fields"] == {"10.1234/1": ["venue", "type", "date"], "10.1234/2": []}
    assert second.raws == [] and second.discovered["doi_fields"] == {}


def test_changed_marker_refetches_only_that_work():
    orcid_id = "0000-0002-1825-0097"
    with ReplayServer() as server:
        server.add(f"/v3.0/{orcid_id}/works", listing([7, 8, 9], modified=5))
        server.route(f"/v3.0/{orcid_id}/works/", bulk_handler)
        with orcid_session(server) as s:
            result = orcid.fetch(s, Target(orcid_id, orcid=orcid_id), {"7": "5", "8": "4", "9": "5"})
        assert [r.source_id for r in result.raws] == ["8"]
        assert server.requests[-1][0] == f"/v3.0/{orcid_id}/works/8"


def test_bulk_error_for_one_put_code_keeps_its_summary(realdata):
    """The real 2018 bulk answer: one work plus a 403 'private' error; the private one keeps its summary."""
    orcid_id = "0000-0002-6665-4934"
    body = cassette_body(realdata, "inspire_2018-12_v2.0_member_bulk_work_plus_403_error_EDITED.yml")
    with ReplayServer() as server:
        server.add(f"/v2.0/{orcid_id}/works", listing([51540408, 51496313]))
        server.add(f"/v2.0/{orcid_id}/works/51540408,51496313", body, headers={"Content-Type": "application/json"})
        settings = SourceSettings("orcid", base_url=server.url + "/v2.0")
        with HttpSession(settings, clock=SkipClock()) as s:
            result = orcid.fetch(s, Target(orcid_id, orcid=orcid_id), {})
    recs = {r.source_id: r for r in records(result.raws)}
    assert recs["51496313"].title.startswith("IRRADIATION OF A CERIUM")
    assert recs["51496313"].authors[0].orcid == "0000-0002-5073-0816"
    assert recs["51540408"].title == "W 51540408" and recs["51540408"].extra["summary_only"]


def test_profile_404_is_an_http_status_error():
    with ReplayServer() as server:
        server.add("/v3.0/0000-0002-1825-0097/works", {"response-code": 404, "error-code": 9016,
                                                       "developer-message": "404 Not Found: The resource was not found."},
                   status=404)
        with orcid_session(server) as s, pytest.raises(HttpStatusError) as e:
            orcid.fetch(s, Target("p", orcid="0000-0002-1825-0097"), {})
    assert e.value.status == 404 and "The resource was not found" in str(e.value)


def test_html_error_page_where_json_expected():
    with ReplayServer() as server:
        server.add("/v3.0/0000-0002-1825-0097/works", "<html><head><title>Maintenance</title></head></html>",
                   headers={"Content-Type": "text/html"})
        with orcid_session(server) as s, pytest.raises(SourceError) as e:
            orcid.fetch(s, Target("p", orcid="0000-0002-1825-0097"), {})
    assert "expected JSON, got HTML/XML ('Maintenance')" in str(e.value)


def test_invalid_orcid_is_refused_before_any_request():
    with ReplayServer() as server, orcid_session(server) as s:
        with pytest.raises(SourceError, match="not a valid ORCID"):
            orcid.fetch(s, Target("p", orcid="0000-0002-1825-0098"), {})
        assert server.requests == []


def test_parse_is_pure_and_deterministic():
    raw = RawRecord("orcid", "5", json.dumps(summary(5, doi="https://doi.org/10.1234/ABC")), "json", "1")
    assert orcid.parse(raw) == orcid.parse(raw)
    assert orcid.parse(raw)[0].ids == {"doi": "10.1234/abc"}


def test_contributor_names_keep_particles_and_suffixes_in_the_family_name():
    work = {**summary(9), "contributors": {"contributor": [{"credit-name": {"value": name}} for name in (
        "Ludwig van Beethoven", "Carlos Denner dos Santos Jr", "Rossoni, A.", "Josiah Carberry")]}}
    authors = orcid.parse(RawRecord("orcid", "9", json.dumps(work)))[0].authors
    assert [(a.family, a.given) for a in authors] == [("van Beethoven", "Ludwig"), ("dos Santos Jr", "Carlos Denner"),
                                                      ("Rossoni", "A."), ("Carberry", "Josiah")]


def test_works_the_person_entered_are_marked_self_claimed(realdata):
    # In the KBase sandbox listing, put-codes 1487805 and 1489307 were entered by Erik Pearson himself
    # (source-orcid set, no source-client-id); the others come from member clients.
    data = (realdata / "api/orcid/kbase_sandbox_v3.0_works_x.json").read_bytes()
    records = [r for raw in orcid.load(data, "works_x.json") for r in orcid.parse(raw)]
    selfs = sorted(r.source_id for r in records if r.extra.get("self_claimed"))
    assert selfs == ["1487805", "1489307"]
    assert all(r.claimed_by == "Erik Pearson" for r in records if r.source_id in selfs)


def test_bulk_error_for_a_stored_work_keeps_the_stored_full_work(realdata):
    """The same real answer when 51540408 was stored in full before and has changed since: the 403 must not replace
    the stored full work by a bare summary; it stays as it was and is tried again next time (old marker kept)."""
    orcid_id = "0000-0002-6665-4934"
    body = cassette_body(realdata, "inspire_2018-12_v2.0_member_bulk_work_plus_403_error_EDITED.yml")
    with ReplayServer() as server:
        server.add(f"/v2.0/{orcid_id}/works", listing([51540408, 51496313], modified=9))
        server.add(f"/v2.0/{orcid_id}/works/51540408,51496313", body, headers={"Content-Type": "application/json"})
        settings = SourceSettings("orcid", base_url=server.url + "/v2.0")
        with HttpSession(settings, clock=SkipClock()) as s:
            result = orcid.fetch(s, Target(orcid_id, orcid=orcid_id), {"51540408": "1"})
    assert [r.source_id for r in result.raws] == ["51496313"]
    assert result.unchanged == ["51540408"]


def test_bulk_answer_of_only_errors_fails_the_source():
    orcid_id = "0000-0002-1825-0097"
    only_errors = {"bulk": [{"error": {"response-code": 403, "error-code": 9013,
                                       "developer-message": "The item is private"}} for _ in range(3)]}
    with ReplayServer() as server:
        server.add(f"/v3.0/{orcid_id}/works", listing([1, 2, 3]))
        server.add(f"/v3.0/{orcid_id}/works/1,2,3", only_errors)
        with orcid_session(server) as s, pytest.raises(SourceError, match="only errors.*private"):
            orcid.fetch(s, Target(orcid_id, orcid=orcid_id), {})
