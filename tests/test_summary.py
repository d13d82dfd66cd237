"""The end-of-run summary: added/updated works from two snapshots, one screen of text, JSON, the exit code."""
import json

from pubsync.pipeline import MergeSummary
from pubsync.pull import SourceOutcome
from pubsync.records import Work
from pubsync.store import Store
from pubsync.summary import (EXIT_CHANGED, EXIT_OK, EXIT_SOURCE_FAILED, RunSummary, build_summary, compare_snapshots,
                             render_text, snapshot_works, to_json)


def put(store: Store, works: list[Work], hidden: set[str] = frozenset()) -> None:
    with store.transaction():
        store.replace_works(works, set(hidden), [])


def test_snapshots_tell_added_updated_removed(tmp_path):
    store = Store(tmp_path / "p.db")
    a, b, c = Work("a2020x", title="A", year=2020), Work("b2021y", title="B", year=2021), Work("c2022z", title="C")
    put(store, [a, b])
    before = snapshot_works(store)
    assert sorted(before) == ["a2020x", "b2021y"]
    put(store, [Work("a2020x", title="A, corrected", year=2020), c])
    changes = compare_snapshots(before, snapshot_works(store))
    assert (changes.added, changes.updated, changes.removed) == (["c2022z"], ["a2020x"], ["b2021y"])
    store.close()


def test_unchanged_rebuild_is_no_change_but_hiding_is(tmp_path):
    store = Store(tmp_path / "p.db")
    works = [Work("a2020x", title="A", year=2020), Work("b2021y", title="B")]
    put(store, works)
    before = snapshot_works(store)
    put(store, works)
    same = compare_snapshots(before, snapshot_works(store))
    assert same.added == same.updated == same.removed == []
    put(store, works, hidden={"b2021y"})
    assert compare_snapshots(before, snapshot_works(store)).updated == ["b2021y"]
    store.close()


def sample() -> RunSummary:
    outcomes = [
        SourceOutcome("0000-0002-1825-0097", "orcid", "ok", fetched=12, new=2, changed=1, unchanged=9, requests=3),
        SourceOutcome("0000-0002-1825-0097", "openalex", "ok", fetched=11, unchanged=11, requests=2),
        SourceOutcome("0000-0002-1825-0097", "scholar", "failed", error="HTTP 429 from scholar.google.com (blocked)"),
    ]
    merge = MergeSummary(records=23, works=14, hidden=1, review=2)
    before = {"a": "1", "b": "2"}
    after = {"a": "1", "b": "3", "c": "4"}
    exports = {"bibtex": [("_bibliography/papers.bib", "written")],
               "citations-yml": [("_data/citations.yml", "unchanged")]}
    return build_summary(outcomes, merge, before, after, exports)


def test_plain_text_has_the_numbers_and_no_escape_codes():
    text = render_text(sample(), color=False)
    assert "\x1b" not in text
    lines = text.splitlines()
    orcid = next(line for line in lines if line.startswith("orcid"))
    assert orcid.split()[:7] == ["orcid", "0000-0002-1825-0097", "12", "2", "1", "9", "ok"]
    assert next(line for line in lines if line.startswith("scholar")).split()[-1] == "FAILED"
    assert "  scholar failed (0000-0002-1825-0097): HTTP 429 from scholar.google.com (blocked)" in lines
    assert "works: 14 total, 1 added, 1 updated, 1 hidden" in lines
    assert "  added: c" in lines
    assert "2 pairs waiting for review: run `pubsync review`" in lines
    assert "bibtex: 1 written (_bibliography/papers.bib)" in lines
    assert "citations-yml: 1 unchanged" in lines
    assert lines[-1] == "finished with failed sources (scholar); their earlier records were kept"
    assert len(lines) <= 24                     # one screen


def test_colour_only_when_asked():
    assert "\x1b[" in render_text(sample(), color=True)


def test_json_is_serialisable_and_complete():
    data = to_json(sample())
    assert json.loads(json.dumps(data)) == data
    assert data["works"]["added"] == ["c"] and data["works"]["updated"] == ["b"] and data["works"]["total"] == 14
    assert data["failed_sources"] == ["scholar:0000-0002-1825-0097"]
    assert data["exports"]["bibtex"] == [{"path": "_bibliography/papers.bib", "status": "written"}]
    assert data["exports_changed"] is True
    assert [s["source"] for s in data["sources"]] == ["orcid", "openalex", "scholar"]


def test_exit_code_contract():
    s = sample()
    assert s.exit_code() == EXIT_SOURCE_FAILED
    assert s.exit_code(exit_on_change=True) == EXIT_SOURCE_FAILED          # 3 wins over 10
    s.sources = [o for o in s.sources if not o.failed]
    assert s.exit_code() == EXIT_OK
    assert s.exit_code(exit_on_change=True) == EXIT_CHANGED
    s.exports = {"bibtex": [("_bibliography/papers.bib", "unchanged")]}
    assert s.exit_code(exit_on_change=True) == EXIT_OK
    s.exports = {"academicpages": [("_publications/old.md", "removed")]}
    assert s.exit_code(exit_on_change=True) == EXIT_CHANGED


def test_no_merge_no_exports_still_renders():
    text = render_text(RunSummary(), color=False)
    assert text == ""
    assert to_json(RunSummary())["works"]["total"] is None
