"""The headless review queue on a real profile: an uncertain pair is listed with the command that settles it, the
decision is obeyed by every later merge, is written to curation.toml, and survives a rebuilt database."""
import json
import sqlite3

from tests.clihelp import run

ORCID_FILE = "api/orcid/denner_2025-03_v3.0_works_0000-0002-4481-0115.utf8.json"
OPENALEX_FILE = "api/openalex/denner_2025-11_works_list_author.id_A5003721947_results_only.json"
PROFILE = "0000-0002-4481-0115"


def load(tmp_path, realdata):
    for source, path in (("orcid", ORCID_FILE), ("openalex", OPENALEX_FILE)):
        proc = run("import", source, str(realdata / path), "--profile", PROFILE, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr


def work_of(tmp_path, ref):
    db = sqlite3.connect(tmp_path / "data/pubsync.db")
    return db.execute("SELECT work_key FROM work_records WHERE record_ref = ?", [ref]).fetchone()[0]


def test_decide_from_the_queue_and_survive_a_rebuild(tmp_path, realdata):
    load(tmp_path, realdata)
    queue = json.loads(run("review", "--json", cwd=tmp_path).stdout)
    # The 2017 ORCID entry and the 2021 OpenAlex article share a long title; authors and year disagree: a question.
    pair = next(p for p in queue if any("openalex:W4394180620" in r for r in p["records"]))
    assert pair["a_title"].lower() == pair["b_title"].lower() and -2.5 < pair["score"] <= 0   # log-odds: maybe
    for item in (p for p in queue if p["kind"] == "pair"):       # the score is the sum of the named terms
        assert isinstance(item["score"], float) and "prior" in item["components"]
        assert abs(sum(item["components"].values()) - item["score"]) < 1e-6
    text = run("review", cwd=tmp_path).stdout
    assert f"pubsync same {pair['a']} {pair['b']}" in text

    proc = run("same", pair["a"], pair["b"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    orcid_ref = next(r[0] if r[0].startswith("orcid:") else r[1] for r in pair["records"])
    assert work_of(tmp_path, "openalex:W4394180620") == work_of(tmp_path, orcid_ref)
    assert "[[same]]" in (tmp_path / "curation.toml").read_text()
    remaining = json.loads(run("review", "--json", cwd=tmp_path).stdout)
    assert not [p for p in remaining if {p["a"], p["b"]} == {pair["a"], pair["b"]}]

    # A rebuilt database (deleted and re-imported) still obeys the decision kept in curation.toml.
    (tmp_path / "data/pubsync.db").unlink()
    load(tmp_path, realdata)
    assert work_of(tmp_path, "openalex:W4394180620") == work_of(tmp_path, orcid_ref)

    # And the opposite decision wins afterwards: never one work again.
    key = work_of(tmp_path, orcid_ref)
    proc = run("different", "openalex:W4394180620", orcid_ref, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert work_of(tmp_path, "openalex:W4394180620") != work_of(tmp_path, orcid_ref)
    assert key  # the key existed before the split


def test_unknown_ref_is_a_clear_usage_error(tmp_path, realdata):
    load(tmp_path, realdata)
    proc = run("same", "doi:10.1/none", "openalex:W4394180620", cwd=tmp_path)
    assert proc.returncode == 2 and "no work or record 'doi:10.1/none'" in proc.stderr
    assert "Traceback" not in proc.stderr
