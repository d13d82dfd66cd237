"""Semantic Scholar: real Graph API recordings (read by hand), offset paging replayed from the recorded 879-paper
author, the key header, and 429s honoured then failed in one line."""
import json

import pytest

from pubsync.http import HttpSession, HttpStatusError
from pubsync.merge import build_works
from pubsync.settings import SourceSettings
from pubsync.sources import SourceError, Target, semanticscholar as s2
from tests.replay import ReplayServer, SkipClock, read_cassette

PAGED = "s2py_2023-12_cassette_author_papers_879_paginated_full_fields.yml"


def cassette(realdata, name):
    return read_cassette(realdata / "api/semanticscholar" / name)


def parsed(body: bytes):
    return {r.source_id: r for raw in s2.load(body, "s2.json") for r in s2.parse(raw)}


def test_recorded_paper_fields(realdata):
    papers = parsed(cassette(realdata, PAGED)[0].body)
    assert len(papers) == 100
    cell = papers["03df05f4f245084b72a3099c105801f4d63d6e1d"]
    assert cell.title == "Pan-cancer proteogenomics connects oncogenic drivers to functional states"
    assert cell.ids == {"semanticscholar": "03df05f4f245084b72a3099c105801f4d63d6e1d", "doi": "10.1016/j.cell.2023.07.014",
                        "pmid": "37582357", "s2corpus": "260891325"}
    assert cell.venue == "Cell" and cell.type == "journal-article" and cell.year == 2023 and cell.date == "2023-08-01"
    assert cell.citations == 6 and cell.extra["issn"] == "0092-8674" and cell.extra["pages"] == "3921-3944.e25"
    assert cell.extra["field"] == "Medicine"
    assert cell.links["pdf"] == "http://www.cell.com/article/S0092867423007808/pdf"


def test_conference_and_arxiv_only_papers(realdata):
    attention = [i for i in cassette(realdata, "paperqa_2025-08_cassette_match_attention_is_all_you_need_with_crossref.yml")
                 if "semanticscholar" in i.uri][0]
    paper = parsed(attention.body)["204e3073870fae3d05bcbc2f6a8e263d9b72e776"]
    assert paper.type == "conference-paper"                 # publicationTypes [JournalArticle, Conference]
    assert paper.ids["arxiv"] == "1706.03762" and paper.ids["dblp"] == "journals/corr/VaswaniSPUJGKP17"
    assert [a.name for a in paper.authors][:2] == ["Ashish Vaswani", "Noam M. Shazeer"]
    assert paper.citations == 136941
    assert build_works([paper], []).works[0].venue == "NeurIPS 2017"          # "Neural Information Processing Systems"
    paperqa = [i for i in cassette(realdata, "paperqa_2025_cassette_title_match_paperqa_arxiv_only.yml")
               if "semanticscholar" in i.uri][0]
    preprint = parsed(paperqa.body)["7e55d8701785818776323b4147cb13354c820469"]
    assert preprint.type == "preprint" and preprint.ids["arxiv"] == "2312.07559" and "doi" not in preprint.ids
    assert preprint.venue == "arXiv"


def test_author_object_with_papers(realdata):
    path = realdata / "api/semanticscholar/s2py_author_2262347_Turing_with_papers.json"
    papers = [r for raw in s2.load(path.read_bytes(), path.name) for r in s2.parse(raw)]
    assert len(papers) == 60


def test_not_a_paper_is_refused():
    with pytest.raises(SourceError, match="not a Semantic Scholar"):
        s2.load(b'{"message": "Not found"}', "x.json")


# ---- network path --------------------------------------------------------------------------

def session(server, clock=None, **kw):
    return HttpSession(SourceSettings("semanticscholar", base_url=server.url, **kw), clock=clock or SkipClock())


def test_offset_paging_replays_the_recorded_879_papers(realdata):
    """The recorded pages (limit 100) served by offset: pubsync follows `next` until it is absent."""
    pages = {int(i.query["offset"]): i.body for i in cassette(realdata, PAGED)}
    seen = []

    def papers(path, query):
        seen.append(dict(query))
        return 200, {"Content-Type": "application/json"}, json.loads(pages[int(query["offset"])])
    with ReplayServer() as server:
        server.route("/author/1723755/papers", papers)
        with session(server, retries=1) as s:
            result = s2.fetch(s, Target("p", semanticscholar="1723755"), {})
    assert [q["offset"] for q in seen] == ["0", "100", "200", "300", "400", "500", "600", "700", "800"]
    assert all(q["limit"] == "1000" and "externalIds" in q["fields"] for q in seen)
    assert len(result.raws) == 879 and result.requests == 9


def test_the_key_goes_in_a_header_never_in_a_message(monkeypatch):
    monkeypatch.setenv("S2_API_KEY", "s2-secret-key")
    with ReplayServer() as server:
        server.add("/author/1/papers", {"error": "boom s2-secret-key"}, status=400)
        with session(server) as s, pytest.raises(HttpStatusError) as e:
            s2.fetch(s, Target("p", semanticscholar="1"), {})
    assert server.headers[0]["x-api-key"] == "s2-secret-key"
    assert "s2-secret-key" not in str(e.value) and "s2-secret-key" not in str(server.requests)


def test_429_retry_after_honoured_then_success():
    clock = SkipClock()
    with ReplayServer() as server:
        server.add("/author/1/papers", {"message": "Too Many Requests"}, status=429, headers={"Retry-After": "3"})
        server.add("/author/1/papers", {"offset": 0, "data": [{"paperId": "abc", "title": "T"}]})
        with session(server, clock, retries=2) as s:
            result = s2.fetch(s, Target("p", semanticscholar="1"), {})
    assert clock.slept == [3.0] and [r.source_id for r in result.raws] == ["abc"]


def test_429_past_the_retries_fails_cleanly_naming_the_key(monkeypatch):
    monkeypatch.delenv("S2_API_KEY", raising=False)
    with ReplayServer() as server:
        server.add("/author/1/papers", {"message": "Too Many Requests"}, status=429, headers={"Retry-After": "1"})
        with session(server, retries=2) as s, pytest.raises(HttpStatusError) as e:
            s2.fetch(s, Target("p", semanticscholar="1"), {})
    assert len(server.requests) == 3
    assert "HTTP 429" in str(e.value) and "S2_API_KEY" in str(e.value) and "\n" not in str(e.value)


def test_pull_semanticscholar_from_the_cli(realdata, tmp_path):
    from tests.clihelp import run
    pages = {int(i.query["offset"]): i.body for i in cassette(realdata, PAGED)}
    with ReplayServer() as server:
        server.route("/author/1723755/papers", lambda path, query: (200, {"Content-Type": "application/json"},
                                                                      json.loads(pages[int(query["offset"])])))
        proc = run("pull", "--semanticscholar", "https://www.semanticscholar.org/author/1723755",
                   cwd=tmp_path, env={"PUBSYNC_SEMANTICSCHOLAR_URL": server.url})
    assert proc.returncode == 0, proc.stderr
    import sqlite3
    db = sqlite3.connect(tmp_path / "data/pubsync.db")
    assert db.execute("SELECT count(*) FROM raw_records WHERE source = 'semanticscholar'").fetchone()[0] == 879
