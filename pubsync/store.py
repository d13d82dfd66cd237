"""The SQLite store: schema, migrations, reads and writes. Knows no service format beyond the raw text it keeps."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlite_utils

from pubsync.errors import PubsyncError, UsageError
from pubsync.records import Record, Work
from pubsync.settings import Person
from pubsync.sources import RawRecord

APP_ID = 0x70756273  # "pubs": marks a SQLite file as pubsync's


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _v1(db: sqlite_utils.Database) -> None:
    db["raw_records"].create({
        "id": int, "profile": str, "source": str, "source_id": str, "fetched_at": str, "first_seen": str,
        "last_seen": str, "modified": str, "content_type": str, "payload": str, "hash": str,
    }, pk="id", not_null={"profile", "source", "source_id", "payload", "hash"})
    db["raw_records"].create_index(["profile", "source", "source_id"], unique=True)
    db["records"].create({
        "ref": str, "profile": str, "raw_id": int, "source": str, "source_id": str, "title": str, "year": int,
        "doi": str, "arxiv": str, "data": str,
    }, pk=("profile", "ref"), foreign_keys=[("raw_id", "raw_records", "id")])
    db["works"].create({
        "key": str, "title": str, "year": int, "type": str, "venue": str, "doi": str, "arxiv": str, "status": str,
        "hidden": int, "data": str,
    }, pk="key")
    db["work_records"].create({"work_key": str, "record_ref": str, "profile": str},
                              pk=("work_key", "record_ref", "profile"), foreign_keys=[("work_key", "works", "key")])
    db["provenance"].create({"work_key": str, "field": str, "record_ref": str},
                            pk=("work_key", "field"), foreign_keys=[("work_key", "works", "key")])
    db["decisions"].create({"id": int, "kind": str, "a": str, "b": str, "created_at": str, "origin": str}, pk="id")
    db["decisions"].create_index(["kind", "a", "b"], unique=True)
    db["review"].create({"a": str, "b": str, "score": float, "components": str, "reason": str}, pk=("a", "b"))
    db["citekeys"].create({"anchor": str, "key": str}, pk="anchor")
    db["runs"].create({"id": int, "command": str, "started_at": str, "ended_at": str, "status": str,
                       "exit_code": int}, pk="id")
    db["run_sources"].create({
        "run_id": int, "profile": str, "source": str, "outcome": str, "fetched": int, "new": int, "changed": int,
        "unchanged": int, "requests": int, "seconds": float, "error": str,
    }, pk=("run_id", "profile", "source"), foreign_keys=[("run_id", "runs", "id")])
    db["citation_snapshots"].create({"source": str, "source_id": str, "date": str, "count": int},
                                    pk=("source", "source_id", "date"))
    db["people"].create({"key": str, "name": str, "orcid": str, "openalex": str, "scholar": str, "updated_at": str},
                        pk="key")
    db["works"].enable_fts(["title"], create_triggers=True)


def _v2(db: sqlite_utils.Database) -> None:
    """People's DBLP and Semantic Scholar author ids (DBLP authorships with their pid confirm attribution)."""
    db["people"].add_column("dblp", str, not_null_default="")
    db["people"].add_column("semanticscholar", str, not_null_default="")


MIGRATIONS = [_v1, _v2]     # append only; index + 1 is the schema version
SCHEMA_VERSION = len(MIGRATIONS)
_PERSON_COLUMNS = ("name", "orcid", "openalex", "scholar", "dblp", "semanticscholar")
ID_COLUMNS = ("doi", "arxiv")   # the identifiers works and records keep in a column of their own


class Store:
    def __init__(self, path: Path, *, create: bool = True):
        self.path = path
        self._works_cache: dict[bool, list[Work]] = {}
        if not path.exists():
            if not create:
                raise UsageError(f"{path}: no database yet; run 'pubsync pull' or 'pubsync sync' first (or pass --db)")
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            self.db = sqlite_utils.Database(conn)
            self._check_and_migrate()
        except sqlite3.DatabaseError as e:
            raise UsageError(f"{path}: not a usable SQLite database ({e}); point --db at a pubsync database or "
                             "move this file away") from None

    def _check_and_migrate(self) -> None:
        conn = self.db.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = self.db.table_names()
        if app != APP_ID and tables:
            raise UsageError(f"{self.path}: a SQLite database that pubsync did not create (tables: "
                             f"{', '.join(tables[:5])}); use another --db path")
        if version > SCHEMA_VERSION:
            raise UsageError(f"{self.path}: written by a newer pubsync (schema {version}, this one knows {SCHEMA_VERSION});"
                             " upgrade pubsync — the database was left untouched")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        for v in range(version, SCHEMA_VERSION):
            with self.transaction():
                MIGRATIONS[v](self.db)
                conn.execute(f"PRAGMA application_id = {APP_ID}")
                conn.execute(f"PRAGMA user_version = {v + 1}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.db.conn.close()

    # ---- raw records ----------------------------------------------------------------------------

    def known_markers(self, profile: str, source: str) -> dict[str, str]:
        rows = self.db.execute("SELECT source_id, modified FROM raw_records WHERE profile = ? AND source = ?",
                               [profile, source]).fetchall()
        return {sid: mod or "" for sid, mod in rows}

    def count_raw(self, profile: str, source: str) -> int:
        return self.db.execute("SELECT count(*) FROM raw_records WHERE profile = ? AND source = ?",
                               [profile, source]).fetchone()[0]

    def save_raw(self, profile: str, raws: Iterable[RawRecord], seen: Iterable[str] = (),
                 fetched_at: str | None = None) -> dict[str, int]:
        """Upsert raw records (call inside a transaction). Nothing is ever deleted. Returns new/changed/unchanged counts."""
        at = fetched_at or now_iso()
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        conn = self.db.conn
        for raw in raws:
            digest = hashlib.sha256(raw.payload.encode("utf-8")).hexdigest()
            row = conn.execute("SELECT id, hash FROM raw_records WHERE profile=? AND source=? AND source_id=?",
                               (profile, raw.source, raw.source_id)).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO raw_records (profile, source, source_id, fetched_at, first_seen, last_seen, modified,"
                    " content_type, payload, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (profile, raw.source, raw.source_id, at, at, at, raw.modified, raw.content_type, raw.payload, digest))
                counts["new"] += 1
            elif row[1] != digest:
                conn.execute("UPDATE raw_records SET fetched_at=?, last_seen=?, modified=?, content_type=?, payload=?,"
                             " hash=? WHERE id=?", (at, at, raw.modified, raw.content_type, raw.payload, digest, row[0]))
                counts["changed"] += 1
            else:
                conn.execute("UPDATE raw_records SET last_seen=? WHERE id=?", (at, row[0]))
                counts["unchanged"] += 1
        for source_id_ref in seen:          # "source:source_id" of records confirmed unchanged without a re-fetch
            source, _, sid = source_id_ref.partition(":")
            conn.execute("UPDATE raw_records SET last_seen=? WHERE profile=? AND source=? AND source_id=?",
                         (at, profile, source, sid))
        return counts

    def delete_raw(self, profile: str, source: str, source_ids: Iterable[str]) -> int:
        """Remove these raw records (call inside a transaction): only for a source whose file is the truth, the
        site's own list re-adopted after its owner deleted an entry. Returns how many were removed."""
        conn = self.db.conn
        removed = 0
        for sid in source_ids:
            # the derived records row goes too (the next merge rebuilds the records table anyway)
            conn.execute("DELETE FROM records WHERE raw_id IN (SELECT id FROM raw_records WHERE profile=? AND"
                         " source=? AND source_id=?)", (profile, source, sid))
            removed += conn.execute("DELETE FROM raw_records WHERE profile=? AND source=? AND source_id=?",
                                    (profile, source, sid)).rowcount
        return removed

    def data_date(self) -> str:
        """The date of the data, YYYY-MM-DD: the newest `last_seen` of a raw record, i.e. when pubsync last received
        or confirmed its records (by a fetch or by `pubsync import`). "" when no record has arrived yet. Not a run's
        date: a run that fetched nothing, or only failed, does not make the data newer."""
        return (self.db.execute("SELECT max(last_seen) FROM raw_records").fetchone()[0] or "")[:10]

    def iter_raw(self) -> Iterator[tuple[int, str, RawRecord]]:
        for rid, profile, source, sid, payload, ctype, modified in self.db.execute(
                "SELECT id, profile, source, source_id, payload, content_type, modified FROM raw_records"
                " ORDER BY profile, source, source_id"):
            yield rid, profile, RawRecord(source=source, source_id=sid, payload=payload, content_type=ctype or "json",
                                          modified=modified or "")

    def snapshot_citations(self, records: Iterable[Record], date: str) -> None:
        rows = [{"source": r.source, "source_id": r.source_id, "date": date, "count": r.citations}
                for r in records if r.citations is not None]
        if rows:
            self.db["citation_snapshots"].upsert_all(rows, pk=("source", "source_id", "date"))

    def citation_snapshots(self) -> list[tuple[str, str, str, int | None]]:
        """Every (source, source_id, date, count) kept, by source, date and source_id."""
        return [tuple(row) for row in self.db.execute(
            "SELECT source, source_id, date, count FROM citation_snapshots ORDER BY source, date, source_id").fetchall()]

    # ---- derived tables (rebuilt by merge) ------------------------------------------------------

    def replace_records(self, rows: list[tuple[str, int, Record]]) -> None:
        conn = self.db.conn
        conn.execute("DELETE FROM records")
        conn.executemany(
            "INSERT OR REPLACE INTO records (ref, profile, raw_id, source, source_id, title, year, doi, arxiv, data)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(r.ref, profile, rid, r.source, r.source_id, r.title, r.year, r.ids.get("doi"), r.ids.get("arxiv"),
              json.dumps(r.to_dict(), ensure_ascii=False, sort_keys=True)) for profile, rid, r in rows])

    def replace_works(self, works: list[Work], hidden: set[str], review: list[Any]) -> None:
        self._works_cache.clear()
        conn = self.db.conn
        for table in ("provenance", "work_records", "review"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM works")
        conn.executemany(
            "INSERT INTO works (key, title, year, type, venue, doi, arxiv, status, hidden, data) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(w.key, w.title, w.year, w.type, w.venue, w.ids.get("doi"), w.ids.get("arxiv"), w.status,
              int(w.key in hidden), json.dumps(w.to_dict(), ensure_ascii=False, sort_keys=True)) for w in works])
        conn.executemany("INSERT OR IGNORE INTO work_records (work_key, record_ref, profile) VALUES (?,?,?)",
                         [(w.key, ref, p) for w in works for ref in w.records for p in (w.people or [""])])
        conn.executemany("INSERT INTO provenance (work_key, field, record_ref) VALUES (?,?,?)",
                         [(w.key, f, ref) for w in works for f, ref in sorted(w.provenance.items())])
        conn.executemany("INSERT OR REPLACE INTO review (a, b, score, components, reason) VALUES (?,?,?,?,?)",
                         [(r.a, r.b, r.score, json.dumps(r.components, sort_keys=True), r.reason) for r in review])

    def works(self, *, include_hidden: bool = False) -> list[Work]:
        """The merged works, read once per merge: every export of a sync shares them (exporters never mutate)."""
        if include_hidden not in self._works_cache:
            sql = "SELECT data FROM works" + ("" if include_hidden else " WHERE hidden = 0") + " ORDER BY key"
            self._works_cache[include_hidden] = [Work.from_dict(json.loads(d)) for (d,) in self.db.execute(sql).fetchall()]
        return list(self._works_cache[include_hidden])

    def work(self, key: str) -> Work | None:
        row = self.db.execute("SELECT data FROM works WHERE key = ?", [key]).fetchone()
        return Work.from_dict(json.loads(row[0])) if row else None

    def work_keys(self) -> list[str]:
        """Every work's key, hidden ones included, in order."""
        return [key for (key,) in self.db.execute("SELECT key FROM works ORDER BY key").fetchall()]

    def is_hidden(self, key: str) -> bool:
        row = self.db.execute("SELECT hidden FROM works WHERE key = ?", [key]).fetchone()
        return bool(row and row[0])

    def work_digests(self) -> dict[str, str]:
        """Work key -> digest of everything stored about it (hidden works included, with their hidden flag)."""
        rows = self.db.execute("SELECT key, hidden, data FROM works ORDER BY key").fetchall()
        return {key: hashlib.sha256(f"{hidden}\0{data}".encode("utf-8")).hexdigest() for key, hidden, data in rows}

    def work_key_with_id(self, kind: str, value: str) -> str | None:
        """The key of the (first) work whose own `kind` id ("doi" or "arxiv") is `value`, already canonical."""
        row = self.db.execute(f"SELECT key FROM works WHERE {_id_column(kind)} = ? ORDER BY key LIMIT 1",
                              [value]).fetchone()
        return row[0] if row else None

    def work_key_of_record(self, ref: str) -> str | None:
        """The key of the (first) work the record `ref` was merged into."""
        row = self.db.execute("SELECT work_key FROM work_records WHERE record_ref = ? ORDER BY work_key LIMIT 1",
                              [ref]).fetchone()
        return row[0] if row else None

    def work_key_of_record_with_id(self, kind: str, value: str) -> str | None:
        """The key of the (first) work holding a record whose `kind` id ("doi" or "arxiv") is `value`, already
        canonical (the merged work itself may show another id of that kind)."""
        row = self.db.execute(f"SELECT wr.work_key FROM records r JOIN work_records wr ON wr.record_ref = r.ref "
                              f"WHERE r.{_id_column(kind)} = ? ORDER BY wr.work_key LIMIT 1", [value]).fetchone()
        return row[0] if row else None

    def record_refs_by_work(self) -> dict[str, set[str]]:
        """Work key -> the refs of the records merged into it."""
        refs: dict[str, set[str]] = {}
        for key, ref in self.db.execute("SELECT DISTINCT work_key, record_ref FROM work_records").fetchall():
            refs.setdefault(key, set()).add(ref)
        return refs

    def record(self, ref: str) -> tuple[str, Record] | None:
        row = self.db.execute("SELECT profile, data FROM records WHERE ref = ? ORDER BY profile LIMIT 1", [ref]).fetchone()
        return (row[0], Record.from_dict(json.loads(row[1]))) if row else None

    def review_items(self) -> list[dict[str, Any]]:
        return [{"a": a, "b": b, "score": s, "components": json.loads(c), "reason": r}
                for a, b, s, c, r in self.db.execute(
                    "SELECT a, b, score, components, reason FROM review ORDER BY score DESC, a, b").fetchall()]

    def review_pairs(self) -> list[dict[str, Any]]:
        """The review queue by pairs of works (several record pairs between two works are one question),
        strongest first, each with both works' key, year and title and the record pairs behind it."""
        work_of = dict(self.db.execute("SELECT record_ref, work_key FROM work_records").fetchall())
        info = {k: (y, t) for k, y, t in self.db.execute("SELECT key, year, title FROM works").fetchall()}
        pairs: dict[tuple[str, str], dict[str, Any]] = {}
        for item in self.review_items():
            wa, wb = work_of.get(item["a"], item["a"]), work_of.get(item["b"], item["b"])
            if wa == wb:
                continue
            (wa, ra), (wb, rb) = sorted([(wa, item["a"]), (wb, item["b"])])
            entry = pairs.setdefault((wa, wb), {"a": wa, "b": wb, "score": item["score"], "components":
                                                item["components"], "reason": item["reason"], "records": []})
            entry["records"].append([ra, rb])
            if item["score"] > entry["score"]:
                entry["score"], entry["components"] = item["score"], item["components"]
        out = sorted(pairs.values(), key=lambda e: (-e["score"], e["a"], e["b"]))
        for e in out:
            for side in ("a", "b"):
                year, title = info.get(e[side], (None, ""))
                e[f"{side}_year"], e[f"{side}_title"] = year, title
        return out

    # ---- citation keys, decisions ---------------------------------------------------------------

    def citekeys(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT anchor, key FROM citekeys").fetchall())

    def save_citekeys(self, mapping: dict[str, str]) -> None:
        self.db.conn.executemany("INSERT OR REPLACE INTO citekeys (anchor, key) VALUES (?,?)", sorted(mapping.items()))

    def decisions(self) -> list[tuple[str, str, str]]:
        return [tuple(r) for r in self.db.execute("SELECT kind, a, b FROM decisions ORDER BY id").fetchall()]

    def add_decisions(self, kind: str, pairs: Iterable[tuple[str, str]], origin: str = "cli",
                      supersede: Iterable[str] = ()) -> None:
        """Store decisions in one transaction. Decisions of the opposite kind between refs of `supersede` (the refs
        of the works now decided on) are dropped: the newest decision wins."""
        opposite = "different" if kind == "same" else "same"
        refs = sorted(set(supersede))
        with self.transaction():
            if refs:
                marks = ",".join("?" * len(refs))
                self.db.conn.execute(f"DELETE FROM decisions WHERE kind = ? AND a IN ({marks}) AND b IN ({marks})",
                                     (opposite, *refs, *refs))
            for a, b in pairs:
                a, b = sorted((a, b))
                self.db.conn.execute("DELETE FROM decisions WHERE kind = ? AND a = ? AND b = ?", (opposite, a, b))
                self.db.conn.execute("INSERT OR IGNORE INTO decisions (kind, a, b, created_at, origin) "
                                     "VALUES (?,?,?,?,?)", (kind, a, b, now_iso(), origin))

    # ---- people seen by pulls (so exports without a config still know whose list it is) ----------

    def save_person(self, person: Person) -> None:
        row = self.db.execute(f"SELECT {', '.join(_PERSON_COLUMNS)} FROM people WHERE key = ?", [person.key]).fetchone()
        old = dict(zip(_PERSON_COLUMNS, row)) if row else {}
        new = {k: getattr(person, k) or old.get(k) or "" for k in _PERSON_COLUMNS}
        if new != old:
            self.db["people"].upsert({"key": person.key, **new, "updated_at": now_iso()}, pk="key")

    def people(self) -> list[Person]:
        rows = self.db.execute(f"SELECT key, {', '.join(_PERSON_COLUMNS)} FROM people ORDER BY key").fetchall()
        people = []
        for key, *values in rows:
            fields = {k: v or "" for k, v in zip(_PERSON_COLUMNS, values)}
            people.append(Person(**{**fields, "name": fields["name"] or key}, key=key))
        return people

    # ---- runs -----------------------------------------------------------------------------------

    def start_run(self, command: str) -> int:
        with self.transaction():
            cur = self.db.conn.execute("INSERT INTO runs (command, started_at, status) VALUES (?,?,?)",
                                       (command, now_iso(), "running"))
        return cur.lastrowid

    def end_run(self, run_id: int, status: str, exit_code: int) -> None:
        with self.transaction():
            self.db.conn.execute("UPDATE runs SET ended_at=?, status=?, exit_code=? WHERE id=?",
                                 (now_iso(), status, exit_code, run_id))

    def record_source_outcome(self, run_id: int, profile: str, source: str, outcome: str, **counts: Any) -> None:
        row = {"run_id": run_id, "profile": profile, "source": source, "outcome": outcome, "fetched": 0, "new": 0,
               "changed": 0, "unchanged": 0, "requests": 0, "seconds": 0.0, "error": ""}
        row.update(counts)
        self.db["run_sources"].upsert(row, pk=("run_id", "profile", "source"))

    def last_outcomes(self) -> list[dict[str, Any]]:
        sql = """SELECT rs.profile, rs.source, rs.outcome, rs.fetched, rs.new, rs.changed, rs.unchanged, rs.requests,
                        rs.seconds, rs.error, r.started_at
                 FROM run_sources rs JOIN runs r ON r.id = rs.run_id
                 WHERE rs.run_id = (SELECT max(run_id) FROM run_sources x WHERE x.profile = rs.profile AND x.source = rs.source)
                 ORDER BY rs.profile, rs.source"""
        cols = ["profile", "source", "outcome", "fetched", "new", "changed", "unchanged", "requests", "seconds", "error",
                "at"]
        return [dict(zip(cols, row)) for row in self.db.execute(sql).fetchall()]

    def counts(self) -> dict[str, Any]:
        q = lambda sql: self.db.execute(sql).fetchall()  # noqa: E731
        return {
            "works": q("SELECT count(*) FROM works WHERE hidden = 0")[0][0],
            "hidden": q("SELECT count(*) FROM works WHERE hidden = 1")[0][0],
            "review": q("SELECT count(*) FROM review")[0][0],
            "raw_records": dict(q("SELECT source, count(*) FROM raw_records GROUP BY source ORDER BY source")),
        }


def _id_column(kind: str) -> str:
    if kind not in ID_COLUMNS:     # the name goes into SQL text: only a known column may
        raise ValueError(f"no column for {kind!r} ids; known: {', '.join(ID_COLUMNS)}")
    return kind


class Lock:
    """One pubsync writer per database at a time; a second one waits up to `wait` seconds, then says who holds it."""

    def __init__(self, db_path: Path, wait: float = 0.0):
        self.path = Path(str(db_path) + ".lock")
        self.wait = wait
        self.fd: int | None = None

    def __enter__(self) -> "Lock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(self.fd, 32, 0).decode(errors="replace").strip() or "?"
                    os.close(self.fd)
                    raise PubsyncError(f"{self.path.with_suffix('')}: another pubsync (pid {holder}) is using this "
                                       "database; try again when it has finished, or set PUBSYNC_LOCK_WAIT to the seconds "
                                       "to wait for it") from None
                time.sleep(0.2)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
