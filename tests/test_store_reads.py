"""The store's reads that carry logic: which work a ref names, and the date of the data."""
import pytest

from pubsync.errors import UsageError
from pubsync.explain import find_work_key, resolve_refs
from pubsync.records import Record, Work
from pubsync.sources import RawRecord
from pubsync.store import Store


def raw(sid: str, payload: str = '{"a": 1}') -> RawRecord:
    return RawRecord(source="orcid", source_id=sid, payload=payload, modified="1")


def test_data_date_is_the_newest_last_seen_of_a_raw_record(tmp_path):
    store = Store(tmp_path / "p.db")
    assert store.data_date() == ""                                     # nothing received yet
    with store.transaction():
        store.save_raw("me", [raw("1"), raw("2")], fetched_at="2026-01-10T08:00:00Z")
    assert store.data_date() == "2026-01-10"
    with store.transaction():                                          # "2" confirmed unchanged without a re-fetch
        store.save_raw("me", [], seen=["orcid:2"], fetched_at="2026-02-01T23:59:59Z")
    assert store.data_date() == "2026-02-01"
    with store.transaction():                                          # an older import does not move it back
        store.save_raw("other", [raw("9")], fetched_at="2025-12-24T10:00:00Z")
    assert store.data_date() == "2026-02-01"
    run_id = store.start_run("sync")                                   # a run today that brought nothing
    with store.transaction():
        store.record_source_outcome(run_id, "me", "orcid", "ok", fetched=0)
    store.end_run(run_id, "ok", 0)
    assert store.data_date() == "2026-02-01"
    store.close()


@pytest.fixture
def store(tmp_path):
    """Two works; a2020's ORCID record carries a DOI the merged work does not show; b2021 belongs to two people."""
    store = Store(tmp_path / "p.db")
    records = [
        ("me", None, Record("openalex", "W1", title="Alpha", ids={"doi": "10.1234/alpha"})),
        ("me", None, Record("orcid", "1", title="Alpha (preprint)", ids={"doi": "10.1234/alpha-preprint"})),
        ("me", None, Record("arxiv", "2101.00001", title="Beta", ids={"arxiv": "2101.00001"})),
    ]
    works = [
        Work("a2020", title="Alpha", year=2020, ids={"doi": "10.1234/alpha"}, records=["openalex:W1", "orcid:1"],
             people=["me"]),
        Work("b2021", title="Beta", year=2021, ids={"arxiv": "2101.00001"}, records=["arxiv:2101.00001"],
             people=["me", "you"]),
    ]
    with store.transaction():
        store.replace_records(records)
        store.replace_works(works, {"b2021"}, [])
    yield store
    store.close()


@pytest.mark.parametrize("ref, key", [
    ("a2020", "a2020"),                                   # a work key
    ("doi:10.1234/ALPHA", "a2020"),                       # the work's own DOI, canonicalised
    ("doi:https://doi.org/10.1234/alpha", "a2020"),
    ("arxiv:2101.00001v2", "b2021"),                      # the work's own arXiv id, version dropped
    ("orcid:1", "a2020"),                                 # a record merged into it
    ("doi:10.1234/alpha-preprint", "a2020"),              # an id only one of its records carries
])
def test_a_ref_finds_its_work(store, ref, key):
    assert find_work_key(store, ref) == key


def test_an_unknown_ref_suggests_close_keys(store):
    with pytest.raises(UsageError, match=r"no work or record 'a2002'.*did you mean a2020"):
        find_work_key(store, "a2002")
    with pytest.raises(UsageError, match="no work or record 'doi:10.9999/none'"):
        find_work_key(store, "doi:10.9999/none")


def test_id_lookups_take_only_id_columns(store):
    assert store.work_key_with_id("doi", "10.1234/alpha") == "a2020"
    assert store.work_key_with_id("doi", "10.1234/alpha-preprint") is None             # not the work's own DOI …
    assert store.work_key_of_record_with_id("doi", "10.1234/alpha-preprint") == "a2020"  # … but its record's
    assert store.work_key_of_record("orcid:1") == "a2020" and store.work_key_of_record("orcid:404") is None
    with pytest.raises(ValueError, match="no column"):
        store.work_key_with_id("title", "Alpha")


def test_work_reads(store):
    assert store.work_keys() == ["a2020", "b2021"]
    assert (store.is_hidden("a2020"), store.is_hidden("b2021")) == (False, True)
    # b2021 has a work_records row per person; each ref still counts once
    assert store.record_refs_by_work() == {"a2020": {"openalex:W1", "orcid:1"}, "b2021": {"arxiv:2101.00001"}}
    assert resolve_refs(store, "a2020") == ["openalex:W1", "orcid:1"]
