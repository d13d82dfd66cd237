"""Crossref: envelopes, bare messages, the Denner dict of messages; 404 means no record."""
import pytest

from pubsync.http import HttpSession
from pubsync.settings import SourceSettings
from pubsync.sources import SourceError, Target, crossref
from tests.replay import ReplayServer, SkipClock, read_cassette, serve_cassette

PLOS = "habanero_2026-06_cassette_works_10.1371_journal.pone.0033693.yml"


def parse_all(raws):
    return [r for raw in raws for r in crossref.parse(raw)]


def test_work_envelope_from_cassette(realdata):
    body = read_cassette(realdata / "api/crossref" / PLOS)[0].body
    rec = parse_all(crossref.load(body, "w.json"))[0]
    assert rec.source_id == rec.ids["doi"] == "10.1371/journal.pone.0033693"
    assert rec.title == ("Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in the "
                         "Basal Ganglia of Mice")
    assert rec.venue == "PLoS ONE" and rec.type == "journal-article" and rec.date == "2012-03-21"
    assert len(rec.authors) == 6 and rec.authors[0].family == "Sadasivan" and rec.authors[0].given == "Shankar"


def test_works_list_envelope(realdata):
    body = read_cassette(realdata / "api/crossref/habanero_2026-06_cassette_works_query_author_carl_boettiger.yml")[0].body
    recs = parse_all(crossref.load(body, "list.json"))
    assert len(recs) == 20 and recs[0].title == "The forecast trap"


def test_bare_message_with_jats_abstract_and_orcid(realdata):
    path = realdata / "api/crossref/acadtracker_item_extracted_10.1042_bsr20181883_AJMorris.json"
    rec = parse_all(crossref.load(path.read_bytes(), path.name))[0]
    assert rec.ids["doi"] == "10.1042/bsr20181883" and rec.venue == "Bioscience Reports"
    assert rec.title == "Phospholipases D: making sense of redundancy and duplication"
    assert rec.authors[0].orcid == "0000-0003-1910-4865"
    assert rec.abstract.startswith("Why have two genes when one would suffice?") and "<jats" not in rec.abstract


def test_denner_dict_of_messages(realdata):
    path = realdata / "api/crossref/denner_2025-11_crossref_works_by_doi_52.json"
    recs = {r.source_id: r for r in parse_all(crossref.load(path.read_bytes(), path.name))}
    assert len(recs) == 52
    ai = recs["10.1007/s10676-021-09593-z"]
    assert ai.title == "Artificial Intelligence Regulation: a framework for governance"
    assert ai.venue == "Ethics and Information Technology" and ai.date == "2021-04-21"
    assert [a.family for a in ai.authors][:2] == ["de Almeida", "dos Santos"]
    assert ai.authors[1].orcid == "0000-0002-4481-0115"


def test_404_text_is_refused_on_import(realdata):
    body = read_cassette(realdata / "api/crossref/habanero_2026-06_cassette_works_404_notarealdoi.yml")[0].body
    with pytest.raises(SourceError, match="Resource not found"):
        crossref.load(body, "404.txt")


def test_fetch_skips_404_and_keeps_the_rest(realdata):
    with ReplayServer() as server:
        serve_cassette(server, realdata / "api/crossref" / PLOS)
        serve_cassette(server, realdata / "api/crossref/habanero_2026-06_cassette_works_404_notarealdoi.yml")
        settings = SourceSettings("crossref", base_url=server.url, mailto="lab@example.org")
        with HttpSession(settings, clock=SkipClock()) as s:
            result = crossref.fetch(s, Target("p", dois=["10.1371/notarealdoi", "https://doi.org/10.1371/JOURNAL.PONE.0033693"]), {})
        assert [q for _, q in server.requests] == [{"mailto": "lab@example.org"}] * 2
    assert [r.source_id for r in result.raws] == ["10.1371/journal.pone.0033693"]
    assert result.discovered["not_found"] == ["10.1371/notarealdoi"] and result.requests == 2


def test_html_instead_of_json_is_a_clear_error():
    with ReplayServer() as server:
        server.add("/works/10.1234/x", "<html><title>Gateway Timeout</title></html>", headers={"Content-Type": "text/html"})
        with HttpSession(SourceSettings("crossref", base_url=server.url), clock=SkipClock()) as s:
            with pytest.raises(SourceError, match="Gateway Timeout"):
                crossref.fetch(s, Target("p", dois=["10.1234/x"]), {})
