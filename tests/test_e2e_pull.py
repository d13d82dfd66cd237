"""The vertical slice, end to end: the installed `pubsync` pulls a real ORCID record from a loopback replay server
(through PUBSYNC_*_URL), stores it, merges it, and writes papers.bib and papers.yml.

The ORCID /works listing and the OpenAlex works are real recordings (Carlos Denner dos Santos, 2025). The recordings
hold no bulk answer for this person, so the bulk endpoint is answered from the same real summaries wrapped in ORCID's
bulk envelope; the OpenAlex results likewise get the cursor envelope they were cut from.
"""
import json
import shutil
import sqlite3

import pytest
import yaml
from pybtex.database import parse_string

from tests.clihelp import run
from tests.replay import ReplayServer

ORCID = "0000-0002-4481-0115"
EMPTY_FEED = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
              'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"><opensearch:totalResults>0'
              '</opensearch:totalResults></feed>')


@pytest.fixture
def world(realdata):
    listing = json.loads((realdata / "api/orcid/denner_2025-03_v3.0_works_0000-0002-4481-0115.utf8.json").read_text())
    summaries = {str(s["put-code"]): s for g in listing["group"] for s in g["work-summary"]}
    works = json.loads((realdata / "api/openalex/denner_2025-11_works_list_author.id_A5003721947_results_only.json")
                       .read_text())

    def bulk(path, query):
        codes = path.rsplit("/", 1)[1].split(",")
        return 200, {"Content-Type": "application/json"}, {"bulk": [{"work": summaries[c]} for c in codes]}

    with ReplayServer() as server:
        server.add(f"/v3.0/{ORCID}/works", listing)
        server.route(f"/v3.0/{ORCID}/works/", bulk)
        server.add("/works", {"meta": {"count": len(works), "next_cursor": None}, "results": works})
        server.add("/api/query", EMPTY_FEED, headers={"Content-Type": "application/atom+xml"})
        env = {f"PUBSYNC_{s.upper()}_URL": server.url + p for s, p in
               [("orcid", "/v3.0"), ("openalex", ""), ("arxiv", "/api"), ("crossref", ""), ("scholar", "")]}
        yield server, env, listing, summaries


def test_pull_then_export(world, tmp_path):
    server, env, listing, summaries = world
    proc = run("pull", "--orcid", ORCID, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr

    db = sqlite3.connect(tmp_path / "data/pubsync.db")
    stored = {sid for (sid,) in db.execute("SELECT source_id FROM raw_records WHERE source = 'orcid'")}
    assert stored == set(summaries)                       # every summary of every group, each a source's claim
    assert db.execute("SELECT count(*) FROM raw_records WHERE source = 'openalex'").fetchone()[0] == 82
    # one listing + ⌈N/100⌉ bulk calls
    orcid_calls = [p for p, _ in server.requests if p.startswith(f"/v3.0/{ORCID}")]
    assert len(orcid_calls) == 1 + -(-len(summaries) // 100)
    # The 2021 AI-regulation paper is one work, with its DOI, whichever source reported it.
    keys = [k for (k,) in db.execute("SELECT key FROM works WHERE doi = '10.1007/s10676-021-09593-z'")]
    assert len(keys) == 1
    n_works = db.execute("SELECT count(*) FROM works").fetchone()[0]
    dois = {d for (d,) in db.execute("SELECT doi FROM works WHERE doi IS NOT NULL AND doi != ''")}
    assert n_works >= len(dois)
    assert db.execute("SELECT count(*) FROM works WHERE doi IS NOT NULL AND doi != ''").fetchone()[0] == len(dois)

    bib = run("export", "--format", "bibtex", "--out", "papers.bib", cwd=tmp_path, env=env)
    yml = run("export", "--format", "papers-yml", "--out", "papers.yml", cwd=tmp_path, env=env)
    assert bib.returncode == 0 and yml.returncode == 0, bib.stderr + yml.stderr
    entries = parse_string((tmp_path / "papers.bib").read_text(encoding="utf-8").removeprefix("---\n---\n"), "bibtex")
    # Six works stay in the database but off the site (read off the OpenAlex authorships by hand): two namesakes
    # OpenAlex folded into his author profile (not his), two whose printed name alone cannot tell (held for him to
    # confirm), a peer review he wrote, and a supplementary deposit of one of his articles.
    text = (tmp_path / "papers.bib").read_text(encoding="utf-8")
    for left_out in ("Ralstonia syzygii", "Unlocking New Frontiers", "Levers of Control", "No data? No problem",
                     "Review of:", "Supplementary Data"):
        assert left_out not in text, left_out
    assert len(entries.entries) == n_works - 6
    assert keys[0] in entries.entries
    assert entries.entries[keys[0]].fields["doi"].lower() == "10.1007/s10676-021-09593-z"
    items = yaml.safe_load((tmp_path / "papers.yml").read_text(encoding="utf-8"))
    assert isinstance(items, list) and len(items) == n_works - 6
    item = next(i for i in items if i["id"] == keys[0])
    assert item["title"].lower().startswith("artificial intelligence regulation")
    assert item["year"] == 2021 and item["DOI"].lower() == "10.1007/s10676-021-09593-z"

    # A second export of the same DB is byte-identical and leaves the file alone.
    before = (tmp_path / "papers.bib").stat().st_mtime_ns
    again = run("export", "--format", "bibtex", "--out", "papers.bib", cwd=tmp_path, env=env)
    assert again.returncode == 0 and (tmp_path / "papers.bib").stat().st_mtime_ns == before

    # A second pull with nothing changed asks ORCID for no full works.
    server.requests.clear()
    proc = run("pull", "--orcid", ORCID, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert [p for p, _ in server.requests if p.startswith(f"/v3.0/{ORCID}/works/")] == []


def test_a_merge_in_another_process_writes_the_same_bytes(world, tmp_path):
    """Same DB + config -> the same exports, also from a process whose string hashing (set and dict order) differs:
    Denner's real profile pulled once, merged and exported in two copies under two hash seeds."""
    server, env, *_ = world
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    assert run("pull", "--orcid", ORCID, cwd=first, env=env).returncode == 0
    shutil.copytree(first, second)
    written = []
    for root, seed in ((first, "1"), (second, "2")):
        seeded = {**env, "PYTHONHASHSEED": seed}
        merged = run("merge", cwd=root, env=seeded)
        assert merged.returncode == 0, merged.stderr
        for fmt, name in (("bibtex", "papers.bib"), ("papers-yml", "papers.yml")):
            assert run("export", "--format", fmt, "--out", name, cwd=root, env=seeded).returncode == 0
        written.append([(root / name).read_bytes() for name in ("papers.bib", "papers.yml")])
    assert written[0] == written[1] and len(written[0][0]) > 10_000


def test_every_source_unreachable_keeps_the_db(world, tmp_path):
    server, env, *_ = world
    assert run("pull", "--orcid", ORCID, cwd=tmp_path, env=env).returncode == 0
    db_path = tmp_path / "data/pubsync.db"
    tables = ("raw_records", "works", "records", "citekeys", "decisions", "provenance", "work_records")
    before = {t: sorted(sqlite3.connect(db_path).execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    closed = {k: "http://127.0.0.1:9" + v.split(server.url, 1)[1] for k, v in env.items()}   # port 9: refused
    proc = run("pull", "--orcid", ORCID, "--scholar", "qc6CJjYAAAAJ", cwd=tmp_path, env=closed)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    failed_lines = [l for l in proc.stderr.splitlines() if "failed" in l]
    assert {l.split()[1] for l in failed_lines} >= {"orcid", "openalex", "scholar"}
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for t in tables:
        assert before[t] == sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr), t


def test_help_lists_the_commands(tmp_path):
    proc = run("--help", cwd=tmp_path)
    assert proc.returncode == 0
    for command in ("sync", "pull", "merge", "export", "status", "explain", "import"):
        assert f"  {command} " in proc.stdout
