"""The fragment cache (pubsync/export/cache.py): a warm export renders nothing and gives the same bytes, a change
to anything a fragment reads is a miss, and a damaged, torn, foreign or unwritable cache only costs time."""
import dataclasses
import json
import os
from pathlib import Path

import pytest

from pubsync.export import FORMATS, ExportContext, FragmentCache, cache as cache_mod, engine, render_many
from pubsync.records import Version, Work
from pubsync.settings import Person

GOLDEN = Path(__file__).parent / "golden"


def load_works(copies: int = 4) -> tuple[list[Person], list[Work]]:
    profile = json.loads((GOLDEN / "profile.json").read_text(encoding="utf-8"))
    hostile = json.loads((GOLDEN / "hostile.json").read_text(encoding="utf-8"))
    people = [Person(**p) for p in profile["people"]]
    works = []
    for i in range(copies):
        for w in profile["works"] + hostile["works"]:
            work = Work.from_dict(json.loads(json.dumps(w)))
            work.key = f"{work.key}-{i}"
            work.title = f"{work.title} {i}"
            works.append(work)
    return people, works


def contexts(people, date="2026-03-01", **options) -> dict[str, ExportContext]:
    return {fmt: ExportContext(people=people, site_kind="al-folio", data_date=date, scholar_users=["USR"],
                               options=options.get(fmt.replace("-", "_"), {}))
            for fmt in FORMATS}


@pytest.fixture
def views_made(monkeypatch):
    """How many works were rendered (each rendered work gets one View)."""
    made = []

    class Counting(engine.View):
        def __init__(self, work, people):
            made.append(work.key)
            super().__init__(work, people)
    monkeypatch.setattr(engine, "View", Counting)
    return made


def cached_render(directory: Path, works, ctxs) -> dict:
    cache = FragmentCache(directory)
    out = render_many(works, ctxs, parallel=False, cache=cache)
    cache.flush()
    return out


def test_a_warm_export_renders_nothing_and_gives_the_same_bytes(tmp_path, views_made):
    people, works = load_works()
    expected = render_many(works, contexts(people), parallel=False)
    views_made.clear()
    assert cached_render(tmp_path, works, contexts(people)) == expected
    assert len(views_made) == len(works)
    assert len(list(tmp_path.glob("*.frag"))) == len(FORMATS)
    views_made.clear()
    assert cached_render(tmp_path, works, contexts(people)) == expected
    assert views_made == []


def test_a_changed_work_alone_is_rendered_again(tmp_path, views_made):
    people, works = load_works()
    cached_render(tmp_path, works, contexts(people))
    works[3].title = "A new title {with braces} & <b>markup</b>"
    works[5].citations = {**works[5].citations, "scholar": 999}
    views_made.clear()
    out = cached_render(tmp_path, works, contexts(people))
    assert sorted(views_made) == sorted([works[3].key, works[5].key])
    assert out == render_many(works, contexts(people), parallel=False)


# Fields no exporter reads: changing them must change no output, or they belong in cache.WORK_FIELDS.
UNREAD = {"counts_by_year": {2020: 5},
          "versions": [Version(kind="preprint", ids={"arxiv": "2101.00001"}, venue="arXiv", year=2021)],
          "provenance": {"title": "orcid:9"}, "records": ["orcid:9"], "evidence": [{"why": "x"}], "status": "review"}


def test_fields_outside_the_digest_change_no_output():
    people, works = load_works(copies=1)
    assert set(UNREAD) | set(cache_mod.WORK_FIELDS) == {f.name for f in dataclasses.fields(Work)}
    before = render_many(works, contexts(people), parallel=False)
    for name, value in UNREAD.items():
        changed = [dataclasses.replace(w, **{name: value}) for w in works]
        assert render_many(changed, contexts(people), parallel=False) == before, name


def test_every_digest_field_changes_the_digest():
    _, works = load_works(copies=1)
    work = works[0]
    base = cache_mod.work_digest(work)
    changes = {"key": "other", "title": "Other", "authors": [], "authors_complete": not work.authors_complete,
               "year": 1901, "date": "1901-02", "venue": "Elsewhere", "type": "dataset", "ids": {"doi": "10.1/x"},
               "url": "https://example.org/x", "abstract": "Other.", "links": {"code": "https://x.org"},
               "citations": {"openalex": 12345}, "people": ["nobody"], "extra": {"selected": True}}
    assert set(changes) == set(cache_mod.WORK_FIELDS)
    for name, value in changes.items():
        assert cache_mod.work_digest(dataclasses.replace(work, **{name: value})) != base, name


def test_the_data_date_is_not_part_of_a_fragment(tmp_path, views_made):
    people, works = load_works()
    cached_render(tmp_path, works, contexts(people, date="2026-03-01"))
    views_made.clear()
    out = cached_render(tmp_path, works, contexts(people, date="2026-04-02"))
    assert views_made == []
    assert out == render_many(works, contexts(people, date="2026-04-02"), parallel=False)


def test_other_options_or_other_code_are_misses(tmp_path, views_made, monkeypatch):
    people, works = load_works()
    cached_render(tmp_path, works, contexts(people))
    ctxs = contexts(people, bibtex={"encoding": "latex"})
    expected = render_many(works, ctxs, parallel=False)
    views_made.clear()
    assert cached_render(tmp_path, works, ctxs) == expected
    assert len(views_made) == len(works)               # bibtex's slot missed; the other formats hit
    monkeypatch.setattr(cache_mod, "code_digest", lambda: b"another version of the code")
    views_made.clear()
    cached_render(tmp_path, works, contexts(people))
    assert len(views_made) == len(works)


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_a_damaged_cache_file_is_a_miss_and_is_repaired(tmp_path, views_made, damage):
    people, works = load_works()
    expected = cached_render(tmp_path, works, contexts(people))
    for path in tmp_path.glob("*.frag"):
        data = bytearray(path.read_bytes())
        if damage == "flip":
            data[len(data) // 2] ^= 0x55
        elif damage == "truncate":
            del data[len(data) * 2 // 3:]
        elif damage == "garbage":
            data = bytearray(os.urandom(len(data)))
        else:
            data = bytearray()
        path.write_bytes(bytes(data))
    views_made.clear()
    assert cached_render(tmp_path, works, contexts(people)) == expected
    assert 0 < len(views_made) <= len(works)
    views_made.clear()
    assert cached_render(tmp_path, works, contexts(people)) == expected
    assert views_made == []                             # the damaged part was written again


def test_appends_are_compacted_before_dead_fragments_outgrow_live_ones(tmp_path):
    people, works = load_works()
    sizes = []
    for round_ in range(12):
        for work in works[: len(works) // 2]:
            work.abstract = f"Revision {round_} of the abstract. " * 20
        cached_render(tmp_path, works, {"bibtex": contexts(people)["bibtex"]})
        sizes.append(next(tmp_path.glob("bibtex-*.frag")).stat().st_size)
    assert max(sizes) < 2.6 * min(sizes)              # appended, then compacted: never unbounded
    assert len(set(sizes)) > 2                         # and it did append between compactions


def test_an_unwritable_cache_only_costs_time(tmp_path):
    people, works = load_works()
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    out = cached_render(blocker, works, contexts(people))
    assert out == render_many(works, contexts(people), parallel=False)
    assert blocker.read_text() == "a file where the cache folder should be"


def test_forked_and_cached_together(tmp_path):
    if not hasattr(os, "fork"):
        pytest.skip("no os.fork on this platform")
    people, works = load_works(copies=40)
    expected = render_many(works, contexts(people), parallel=False)
    cache = FragmentCache(tmp_path)
    assert render_many(works, contexts(people), parallel=True, cache=cache) == expected
    cache.flush()
    for work in works[::9]:
        work.venue = "Changed Venue"
    expected = render_many(works, contexts(people), parallel=False)
    assert render_many(works, contexts(people), parallel=True, cache=FragmentCache(tmp_path)) == expected
