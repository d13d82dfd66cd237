"""The user's curation: decisions and per-work site extras, kept as data so no re-sync or DB rebuild loses them.

The human-editable file (curation.toml beside config.toml):

    [works."carberry2021psychoceramics"]      # a work key, or "doi:10.…", "arxiv:2101.00001", "orcid:12345"
    selected = true
    abbr = "ICML"
    pdf = "carberry2021.pdf"
    code = "https://github.com/…"
    hide = true                                 # keep it in the DB, leave it off the site
    mine = true                                 # yours, whatever the attribution evidence says (`pubsync mine`)
    not_mine = true                             # not yours: never published (`pubsync not-mine`)
    pin = { title = "The corrected title", venue = "…" }   # field values that win over every source

    [[same]]                                    # these are one work, whatever the matcher says
    works = ["doi:10.1000/a", "arxiv:2101.00001"]

    [[different]]                               # these are never one work
    works = ["doi:10.1000/a", "doi:10.1000/b"]
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubsync.files import write_atomic
from pubsync.records import Record, Work, canonical_arxiv, canonical_doi


@dataclass(frozen=True)
class Decision:
    """A person's match decision. `a`/`b` are refs: a record ref ("orcid:123"), or "<idtype>:<value>" of a canonical id."""
    kind: str                      # "same" | "different"
    a: str
    b: str


def ref_matches(ref: str, record: Record) -> bool:
    if ref == record.ref:
        return True
    idtype, _, value = ref.partition(":")
    return bool(value) and record.ids.get(idtype, "").lower() == value.lower()


@dataclass
class WorkCuration:
    hide: bool = False
    mine: bool = False
    not_mine: bool = False
    pin: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)   # site extras: selected, abbr, preview, pdf, code, …


@dataclass
class Curation:
    works: dict[str, WorkCuration] = field(default_factory=dict)   # ref or work key -> curation
    decisions: list[Decision] = field(default_factory=list)

    def refs_of(self, work: Work) -> list[str]:
        """Every ref a curation entry may use for this work, most specific first."""
        refs = [work.key] + [f"{k}:{v}" for k, v in sorted(work.ids.items())] + list(work.records)
        return [r for r in refs if r]

    def for_work(self, work: Work) -> tuple[str, WorkCuration] | None:
        for ref in self.refs_of(work):
            for key in (ref, ref.lower()):
                if key in self.works:
                    return key, self.works[key]
        return None


# ---- the human-editable file -------------------------------------------------------------------

_FLAGS = {"hide", "mine", "not_mine"}


def load_curation(path: Path | None) -> Curation:
    """Read curation.toml; a missing file is an empty curation. Errors name the file and the entry."""
    from pubsync.errors import ConfigError
    cur = Curation()
    if path is None or not path.exists():
        return cur
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: malformed curation file: {e}; fix it or move it away") from None
    unknown = set(data) - {"works", "same", "different"}
    if unknown:
        raise ConfigError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; use [works.\"KEY\"], [[same]], [[different]]")
    works = data.get("works", {})
    if not isinstance(works, dict):
        raise ConfigError(f"{path}: 'works' must be a table of [works.\"KEY\"] entries")
    for ref, entry in works.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: works.{ref!r} must be a table, e.g. [works.\"{ref}\"] with selected = true")
        wc = WorkCuration()
        for key, value in entry.items():
            if key in _FLAGS:
                if not isinstance(value, bool):
                    raise ConfigError(f"{path}: works.{ref!r}.{key} must be true or false")
                setattr(wc, key, value)
            elif key == "pin":
                if not isinstance(value, dict):
                    raise ConfigError(f"{path}: works.{ref!r}.pin must be a table, e.g. pin = {{ title = \"…\" }}")
                wc.pin = dict(value)
            else:
                wc.extra[key] = value
        cur.works[_norm_ref(ref)] = wc
    for kind in ("same", "different"):
        for i, entry in enumerate(data.get(kind, [])):
            refs = entry.get("works") if isinstance(entry, dict) else None
            groups = _groups(refs)
            if groups is None:
                raise ConfigError(f"{path}: [[{kind}]] entry {i + 1} needs works = [\"ref-a\", \"ref-b\", …] (or, for "
                                  "whole works, lists of refs: works = [[\"a1\", \"a2\"], [\"b1\"]])")
            cur.decisions.extend(decision_pairs(kind, groups))
    return cur


def _groups(refs: Any) -> list[list[str]] | None:
    """works = ["a", "b", …] (one ref per work) or [["a1", "a2"], ["b1"], …] (all the refs of each work)."""
    if not isinstance(refs, list) or len(refs) < 2:
        return None
    groups = [r if isinstance(r, list) else [r] for r in refs]
    if not all(g and all(isinstance(x, str) for x in g) for g in groups):
        return None
    return [[_norm_ref(x) for x in g] for g in groups]


def decision_pairs(kind: str, groups: list[list[str]]) -> list[Decision]:
    """"same": everything is one work (a star from the first ref is enough, joins are transitive).
    "different": no ref of one work may share a work with any ref of another."""
    if kind == "same":
        flat = [r for g in groups for r in g]
        return [Decision(kind, flat[0], r) for r in flat[1:]]
    return [Decision(kind, x, y) for i, g in enumerate(groups) for h in groups[i + 1:] for x in g for y in h]


def _norm_ref(ref: str) -> str:
    """Identifier refs compare case-insensitively on the id type; DOIs and arXiv ids in canonical form."""
    idtype, sep, value = ref.strip().partition(":")
    if not sep:
        return ref.strip()
    idtype = idtype.lower()
    if idtype == "doi":
        value = canonical_doi(value) or value
    elif idtype == "arxiv":
        value = canonical_arxiv(value) or value
    return f"{idtype}:{value}"


def append_decision(path: Path, kind: str, groups: list[list[str]]) -> None:
    """Record a decision in the curation file too (comments and layout kept), so it survives a DB rebuild.
    Entries of the opposite kind that joined or split these same works are dropped: the newest decision wins."""
    import tomlkit
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    opposite = "different" if kind == "same" else "same"
    sides = [set(g) for g in groups]
    if opposite in doc:
        kept = tomlkit.aot()
        for entry in doc[opposite]:
            mentioned = {_norm_ref(x) for g in (_groups(entry.get("works")) or []) for x in g}
            if sum(bool(side & mentioned) for side in sides) < 2:
                kept.append(entry)
        if len(kept):
            doc[opposite] = kept
        else:
            del doc[opposite]
    table = doc.get(kind)
    if table is None:
        table = tomlkit.aot()
        doc[kind] = table
    entry = tomlkit.table()
    entry["works"] = [g[0] if len(g) == 1 else g for g in groups]
    table.append(entry)
    write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))


def record_attribution(path: Path, ref: str, mine: bool) -> None:
    """`[works."REF"] mine = true` (or `not_mine = true`) in the curation file, comments and layout kept; the
    opposite flag of the same entry goes: the newest decision wins."""
    import tomlkit
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    works = doc.setdefault("works", tomlkit.table(is_super_table=True))
    flag, opposite = ("mine", "not_mine") if mine else ("not_mine", "mine")
    if _norm_ref(ref) in works:
        works[_norm_ref(ref)].pop(opposite, None)
        works[_norm_ref(ref)][flag] = True
    else:
        entry = tomlkit.table()
        entry[flag] = True
        entry.add(tomlkit.nl())
        works[_norm_ref(ref)] = entry
    write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))


def apply_curation(works: list[Work], curation: Curation) -> set[str]:
    """Pin fields, attach site extras; returns the keys of works to keep off the site (hidden or not mine)."""
    hidden: set[str] = set()
    for work in works:
        found = curation.for_work(work)
        if not found:
            continue
        ref, wc = found
        for fieldname, value in sorted(wc.pin.items()):
            if hasattr(work, fieldname) and fieldname not in ("key", "records", "provenance", "evidence", "people"):
                setattr(work, fieldname, value)
                work.provenance[fieldname] = f"curation:{ref}"
        work.extra.update(wc.extra)
        if wc.hide or wc.not_mine:
            hidden.add(work.key)
            work.extra["hidden_because"] = "not_mine" if wc.not_mine else "hide"
    return hidden
