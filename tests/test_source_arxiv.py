"""arXiv: old (2020) and new (2026) Atom formats, error feeds, batching through the replay server."""
import json

import pytest

from pubsync.http import HttpSession, HttpStatusError
from pubsync.settings import SourceSettings
from pubsync.sources import SourceError, Target, arxiv
from tests.replay import ReplayServer, SkipClock


def load_file(realdata, name):
    path = realdata / "api/arxiv" / name
    return arxiv.load(path.read_bytes(), path.name)


def one(realdata, name):
    raws = load_file(realdata, name)
    assert len(raws) == 1
    return arxiv.parse(raws[0])[0]


def test_new_format_entry(realdata):
    rec = one(realdata, "arxivpy_idlist_1707.08567.json")
    assert rec.source_id == "1707.08567" and rec.version == "v1" and rec.ids == {"arxiv": "1707.08567"}
    assert rec.title == "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    assert rec.authors[0].name == "Kees A. Schouhamer Immink" and len(rec.authors) == 34
    assert rec.extra["comment"] == "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck"
    assert rec.extra["categories"] == ["cs.IT"] and rec.date == "2017-07-27" and rec.type == "preprint"
    assert rec.links["pdf"] == "https://arxiv.org/pdf/1707.08567v1"
    assert "doi" not in rec.ids and rec.published_doi == ""


def test_author_names_keep_their_particles_in_the_family_name(realdata):
    names = {a.name: (a.family, a.given) for a in one(realdata, "arxivpy_idlist_1707.08567.json").authors}
    assert names["Joost van der Putten"] == ("van der Putten", "Joost")
    assert names["Peter H. N. de With"] == ("de With", "Peter H. N.")


def test_wrapper_json_and_bare_body_agree(realdata):
    assert one(realdata, "arxivpy_idlist_1707.08567.json") == one(realdata, "arxivpy_idlist_1707.08567.body.xml")


def test_old_format_with_doi_and_journal_ref_and_wrapped_text(realdata):
    rec = one(realdata, "zoia_2020-09_oldformat_idlist_1601.00001_doi_journalref.xml")
    assert rec.title == "Inelastic effects in molecular transport junctions: The probe technique at high bias"
    assert rec.abstract.startswith("We extend the Landauer-B\\\"uttiker probe formalism for conductances to the high")
    assert "\n" not in rec.abstract and "  " not in rec.abstract
    assert rec.published_doi == "10.1063/1.4944470" and rec.journal_ref == "J. Chem. Phys. 144, 124107 (2016)"
    assert [a.name for a in rec.authors] == ["Michael Kilgour", "Dvira Segal"]
    assert rec.extra["primary_category"] == "cond-mat.mes-hall" and rec.date == "2015-12-26"


def test_old_style_ids_keep_their_archive(realdata):
    rec = one(realdata, "arxivpy_idlist_astro-ph_0601001_oldstyle.json")
    assert rec.source_id == "astro-ph/0601001" and rec.journal_ref == "ActaAstron.56:1-50,2006"
    assert rec.extra["primary_category"] == "astro-ph"
    versioned = one(realdata, "arxivpy_idlist_quant-ph_0201082v1.json")
    assert versioned.source_id == "quant-ph/0201082" and versioned.version == "v1"


def test_odd_title_zero_and_missing_ids(realdata):
    assert one(realdata, "arxivpy_idlist_2104.12255v1.json").title == "0"
    assert load_file(realdata, "arxivpy_idlist_0808.05394_empty.json") == []
    assert load_file(realdata, "arxivpy_idlist_0000.0000_empty.json") == []
    assert [r.source_id for r in load_file(realdata, "arxivpy_idlist_two_ids_one_missing.json")] == ["1707.08567"]


def test_search_pages_with_published_dois(realdata):
    recs = [arxiv.parse(r)[0] for r in load_file(realdata, "arxivpy_search_testing_s0_m10.json")]
    assert len(recs) == 10
    first = recs[0]
    assert first.source_id == "2202.12139" and first.published_doi == "10.1109/icstw55395.2022.00035"
    assert len(load_file(realdata, "arxivpy_search_testing_s10_m10.json")) == 10


def test_error_feed_is_a_source_error_with_its_message(realdata):
    with pytest.raises(SourceError, match="incorrect id format for abc"):
        load_file(realdata, "arxivpy_idlist_abc_error400.json")
    with pytest.raises(SourceError, match="incorrect id format for abc"):
        load_file(realdata, "arxivpy_idlist_abc_error400.body.xml")
    with pytest.raises(SourceError, match="not an Atom feed"):
        arxiv.load(b"<html><body>Rate exceeded.</body>", "x.xml")
    with pytest.raises(SourceError, match="not an Atom feed"):
        arxiv.load(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "x.xml")


# ---- network path --------------------------------------------------------------------------

def feed(ids):
    entries = "".join(f"<entry><id>http://arxiv.org/abs/{i}v1</id><title>T {i}</title>"
                      f"<published>2020-01-01T00:00:00Z</published></entry>" for i in ids)
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'


def ax_session(server, clock, **kw):
    return HttpSession(SourceSettings("arxiv", base_url=server.url + "/api", min_interval=3.0, **kw), clock=clock)


def test_id_batches_of_100_spaced_three_seconds_and_known_ids_skipped():
    ids = [f"2101.{i:05d}" for i in range(230)]
    seen = []

    def query(path, q):
        batch = q["id_list"].split(",")
        seen.append((len(batch), q["max_results"]))
        return 200, {"Content-Type": "application/atom+xml"}, feed(batch[:-1])   # the last id "does not exist"

    clock = SkipClock()
    with ReplayServer() as server:
        server.route("/api/query", query)
        with ax_session(server, clock) as s:
            result = arxiv.fetch(s, Target("p", arxiv_ids=ids + ["arXiv:2101.00000v3"]), {ids[0]: "x", ids[1]: "y"})
    assert seen == [(100, "100"), (100, "100"), (28, "28")]
    assert result.requests == 3 and len(result.raws) == 225 and result.unchanged == ids[:2]
    assert len(clock.slept) == 2 and all(2.5 < w <= 3.0 for w in clock.slept)
    assert not result.complete


def test_author_query_pages_until_a_short_page():
    def query(path, q):
        start = int(q["start"])
        n = 100 if start == 0 else 40
        return 200, {}, feed([f"1901.{start + i:05d}" for i in range(n)]).replace(
            "<entry>", "<opensearch:totalResults xmlns:opensearch='http://a9.com/-/spec/opensearch/1.1/'>140"
                       "</opensearch:totalResults><entry>", 1)

    with ReplayServer() as server:
        server.route("/api/query", query)
        with ax_session(server, SkipClock()) as s:
            result = arxiv.fetch(s, Target("p", arxiv_query="au:Carberry_J"), {})
        assert [q["start"] for _, q in server.requests] == ["0", "100"]
        assert server.requests[0][1]["search_query"] == "au:Carberry_J"
    assert len(result.raws) == 140 and result.complete


def test_http_400_error_feed_raises_with_the_feeds_message(realdata):
    body = json.loads((realdata / "api/arxiv/arxivpy_idlist_abc_error400.json").read_text())["body"]
    with ReplayServer() as server:
        server.add("/api/query", body, status=400, headers={"Content-Type": "application/atom+xml"})
        with ax_session(server, SkipClock()) as s, pytest.raises(HttpStatusError) as e:
            arxiv._query(s, {"id_list": "abc"})
    assert str(e.value) == "arxiv: HTTP 400: incorrect id format for abc" and server.count() == 1


@pytest.mark.parametrize("answer,expected", [
    (dict(body="Rate exceeded.", status=429, headers={"Retry-After": "9999"}), "Retry-After 9999 s exceeds"),
    (dict(body=feed(["2101.00001"]), fault="reset"), "connection"),
    (dict(body="<html><head><title>Service Unavailable</title></head>", status=503), "HTTP 503"),
    (dict(body='<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>', fault=None), "not an Atom feed"),
])
def test_faults(answer, expected):
    with ReplayServer() as server:
        server.add("/api/query", **answer)
        with ax_session(server, SkipClock(), retries=1, max_seconds=30) as s, pytest.raises(SourceError) as e:
            arxiv.fetch(s, Target("p", arxiv_ids=["2101.00001"]), {})
    assert expected in str(e.value) and "\n" not in str(e.value)
