"""The store keeps every raw record, refuses what it cannot safely open, and is pleasant in Datasette."""
import sqlite3

import pytest

from pubsync.errors import PubsyncError, UsageError
from pubsync.sources import RawRecord
from pubsync.store import SCHEMA_VERSION, Lock, Store


def raw(sid, payload='{"a": 1}'):
    return RawRecord(source="orcid", source_id=sid, payload=payload, modified="1")


def test_schema_pragmas(tmp_path):
    store = Store(tmp_path / "p.db")
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "works_fts" in store.db.table_names()


def test_raw_records_upsert_and_never_delete(tmp_path):
    store = Store(tmp_path / "p.db")
    with store.transaction():
        assert store.save_raw("me", [raw("1"), raw("2")]) == {"new": 2, "changed": 0, "unchanged": 0}
    with store.transaction():
        assert store.save_raw("me", [raw("1", '{"a": 2}')]) == {"new": 0, "changed": 1, "unchanged": 0}
    assert store.count_raw("me", "orcid") == 2          # "2" was not returned again but is kept
    payloads = {r.source_id: r.payload for _, _, r in store.iter_raw()}
    assert payloads == {"1": '{"a": 2}', "2": '{"a": 1}'}


def test_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path / "p.db")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save_raw("me", [raw("1")])
            raise RuntimeError("boom")
    assert store.count_raw("me", "orcid") == 0


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "p.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(UsageError, match="newer pubsync"):
        Store(path)
    assert path.read_bytes() == before


def test_foreign_and_corrupt_files_are_refused(tmp_path):
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(UsageError, match="did not create"):
        Store(foreign)
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(UsageError, match="not a usable SQLite database"):
        Store(corrupt)


def test_missing_db_for_read_commands(tmp_path):
    with pytest.raises(UsageError, match="no database yet"):
        Store(tmp_path / "none.db", create=False)


def test_lock_excludes_a_second_writer(tmp_path):
    path = tmp_path / "p.db"
    with Lock(path):
        with pytest.raises(PubsyncError, match="another pubsync.*set PUBSYNC_LOCK_WAIT"):
            with Lock(path, wait=0.3):
                pass
    with Lock(path):            # released: free again
        pass


def test_decisions_replace_their_opposite(tmp_path):
    store = Store(tmp_path / "p.db")
    store.add_decisions("same", [("doi:10.1/b", "doi:10.1/a")])
    store.add_decisions("different", [("doi:10.1/a", "doi:10.1/b")])
    assert store.decisions() == [("different", "doi:10.1/a", "doi:10.1/b")]
