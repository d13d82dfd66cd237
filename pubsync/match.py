"""Matching: which records are the same work.

Three steps, each usable alone (the ER benchmarks call them directly):
  features(record)      precomputed, normalized comparison keys — computed once per record
  compare(a, b)         a Distance: named components, each a signed log-odds contribution
                        (Fellegi–Sunter style; a missing field contributes nothing), a total, and an outcome
  block(features)       candidate pairs that share a rare title word or an identifier, so cost grows
                        near-linearly with the number of records instead of with all pairs

Identifiers are decisive when they speak: the same DOI/arXiv/OpenAlex/PMID, version DOIs of one deposit,
or a preprint naming its published DOI make a pair the same; two different non-preprint DOIs make it different.
Only when identifiers are silent do title, authors, year, venue and type decide.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from pubsync import matchmodel
from pubsync.normalize import (
    fold, initial_key, known_venue, repair, surname_key, title_key, title_parts, venue_key, venue_kind,
)
from pubsync.records import Record, canonical_arxiv, canonical_doi

# ---- weights and thresholds -------------------------------------------------------------------------
# Chosen on realdata/er DBLP-Scholar train/valid and DBLP-ACM (see benchmarks/er.py); overridable through
# MatchSettings. A component's contribution is in log-odds points; total > SAME is a match, total > MAYBE
# goes to the review queue.


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and the rule-based contributions around the learned model (pubsync/matchmodel.py, trained by
    `benchmarks/er.py train` on DBLP-Scholar train + DBLP-ACM train; its decision threshold, chosen on the valid
    splits, is folded into the model so that `same` = 0). Every field can be overridden."""
    same: float = 0.0               # total above this: the same work
    maybe: float = -2.5             # above this (and not same): the review queue
    generic_title: float = 0.0      # extra for 'Editorial', 'Book review column' (the model already weighs them)
    type_conflict: float = -1.0     # e.g. a dataset and a journal article
    year_far: float = -6.0          # years 3+ apart (no preprint first): 30 of 587 such similar-title train pairs match
    part_conflict: float = -5.0     # the titles name different parts ('Part I' / 'Part II'): 7 of 7 train pairs differ
    venue_conflict: float = -3.0    # two clean records (given names written out) name different well-known
                                    # venues (SIGMOD vs VLDB, VLDB vs VLDB Journal): all 33 such similar-title
                                    # DBLP-ACM train pairs differ; -1 … -5 score alike on valid
    identity: float = 30.0          # an identifier both records share
    id_conflict: float = -30.0      # two different non-preprint DOIs


DEFAULT_SETTINGS = MatchSettings()

# DOI prefixes of preprint servers: a preprint's DOI differing from the journal DOI is no conflict.
PREPRINT_DOI_PREFIXES = (
    "10.1101/",       # bioRxiv, medRxiv
    "10.48550/",      # arXiv
    "10.21203/",      # Research Square
    "10.20944/",      # Preprints.org
    "10.2139/",       # SSRN
    "10.31219/", "10.31234/", "10.31235/", "10.31222/", "10.31223/", "10.31224/", "10.31226/",
    "10.31227/", "10.31228/", "10.31229/", "10.31230/", "10.31231/", "10.31232/", "10.31233/",
    "10.31236/", "10.31237/", "10.33767/", "10.35542/", "10.32942/",   # OSF-hosted preprint servers
    "10.22541/",      # Authorea
    "10.7287/",       # PeerJ Preprints
    "10.36227/",      # TechRxiv
    "10.26434/",      # ChemRxiv
    "10.1002/essoar.",  # ESS Open Archive
    "10.21428/",      # PubPub
    "10.20935/",      # AcademiaPreprints / Al
    "10.55458/",
    "10.2196/preprints.",  # JMIR Preprints
    "10.5194/egusphere",
)
ZENODO_PREFIX = "10.5281/zenodo."

_FIGSHARE_VERSION = re.compile(r"^(10\.\d+/.*figshare.*?)\.v\d+$")
_F1000_VERSION = re.compile(r"^(10\.12688/[a-z0-9\-]+\.\d+)\.\d+$")
_PEERJ_PREPRINT_VERSION = re.compile(r"^(10\.7287/peerj\.preprints\.\d+)v\d+$")
_GENERIC_VERSION = re.compile(r"^(10\.\d+/.+?)[./]v\d+$")


def doi_family(doi: str) -> str:
    """The DOI of a deposit with its version suffix removed, so versions of one deposit compare equal.

    figshare '10.6084/m9.figshare.123.v2' -> '10.6084/m9.figshare.123'; F1000 '10.12688/f1000research.7035.2'
    -> '10.12688/f1000research.7035'; PeerJ preprint '…preprints.1234v2' -> '…preprints.1234'; Dryad/other
    '….v3' deposits likewise. Anything else is its own family."""
    for pattern in (_FIGSHARE_VERSION, _F1000_VERSION, _PEERJ_PREPRINT_VERSION, _GENERIC_VERSION):
        m = pattern.match(doi)
        if m:
            return m.group(1)
    return doi


def is_preprint_doi(doi: str) -> bool:
    return doi.startswith(PREPRINT_DOI_PREFIXES)


# ---- features ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class Features:
    """Everything compare() needs, normalized once per record."""
    ref: str
    title: str                       # folded title
    title_words: frozenset[str]
    truncated: bool
    surnames: tuple[str, ...]        # folded surnames in author order ('' for unparseable names dropped)
    surname_set: frozenset[str]
    authors_complete: bool
    year: int | None
    venue: str
    type: str
    doi: str = ""
    doi_family: str = ""
    arxiv: str = ""
    ids: dict[str, str] = field(default_factory=dict)     # openalex, pmid, pmcid, scholar, … exact-match ids
    linked_dois: frozenset[str] = frozenset()               # published_doi and related DOIs the record names
    journal_ref: str = ""
    is_preprint: bool = False
    title_flat: str = ""                                    # folded title without spaces
    surname_text: str = ""                                  # the distinct surnames, sorted, space-joined
    initial_keys: frozenset[str] = frozenset()              # 'j carberry' per author with a known initial
    venue_kind: str = ""                                    # journal | conference | '' (see normalize.venue_kind)
    known_venue: str = ""                                   # 'sigmod', 'sigmod record', 'vldb', … or '' (normalize)
    full_names: float = 0.0                                 # share of authors with a written-out given name
    text_blob: str = ""                                     # title and surnames without spaces (citation strings)
    generic: bool = False                                   # 'Editorial', 'Book review column', …
    parts: frozenset[str] = frozenset()                     # part/volume numbers the title names (normalize)
    # derived once here so that batch scoring touches each pair only in C (see matchmodel.pair_rows)
    numbers: tuple[float, ...] = field(init=False)          # matchmodel.record_numbers(self)
    numberish: frozenset[str] = field(init=False)           # title words that are numbers or roman numerals
    long_surnames: tuple[str, ...] = field(init=False)      # surnames of 4+ letters (searched in the other text)
    first_surname: str = field(init=False)
    word_ids: np.ndarray = field(init=False)               # sorted ids of title_words (matchmodel.id_array)
    surname_ids: np.ndarray = field(init=False)
    initial_ids: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.numberish = frozenset(w for w in self.title_words if w.isdigit() or w in matchmodel.NUMBERISH)
        self.long_surnames = tuple(s for s in self.surnames if len(s) >= 4)
        self.first_surname = self.surnames[0] if self.surnames else ""
        self.word_ids = matchmodel.id_array(self.title_words)
        self.surname_ids = matchmodel.id_array(self.surname_set)
        self.initial_ids = matchmodel.id_array(self.initial_keys)
        self.numbers = matchmodel.record_numbers(self)


_EXACT_ID_TYPES = ("openalex", "pmid", "pmcid", "scholar", "mag", "isbn", "eid", "wosuid", "dblp")


# BASE (via ORCID) joins a title with its translations: "Title ; Título" or "Title,Título"
_TRANSLATION_JOIN = re.compile(r"\s;\s|,(?=[A-ZÀ-Ý\"“])")
_DOUBLED_PREFIX = re.compile(r"^(10\.\d{4,9}/)\1")


def main_title(title: str) -> str:
    parts = _TRANSLATION_JOIN.split(title or "")
    return parts[0] if len(parts) > 1 and all(len(p.strip()) >= 15 for p in parts) else title or ""


def features(record: Record) -> Features:
    title, truncated = title_key(main_title(record.title))
    surnames = tuple(s for s in (surname_key(a.name, a.family) for a in record.authors) if s)
    doi = _DOUBLED_PREFIX.sub(r"\1", canonical_doi(record.ids.get("doi", "")))
    arxiv = canonical_arxiv(record.ids.get("arxiv", ""))
    if not arxiv and doi.startswith("10.48550/arxiv."):
        arxiv = canonical_arxiv(doi)
    linked = {canonical_doi(record.published_doi)} if record.published_doi else set()
    for rel in record.extra.get("related_dois", ()) or ():
        linked.add(canonical_doi(rel))
    linked.discard("")
    exact = {k: str(record.ids[k]).lower() for k in _EXACT_ID_TYPES if record.ids.get(k)}
    venue = _with_acronym(venue_key(record.venue))
    return Features(
        ref=record.ref,
        title=title,
        title_words=frozenset(title.split()),
        truncated=truncated,
        surnames=surnames,
        surname_set=frozenset(surnames),
        authors_complete=record.authors_complete,
        year=record.year,
        venue=venue,
        type=record.type,
        doi=doi,
        doi_family=doi_family(doi) if doi else "",
        arxiv=arxiv,
        ids=exact,
        linked_dois=frozenset(linked),
        journal_ref=fold(repair(record.journal_ref)) if record.journal_ref else "",
        is_preprint=record.type == "preprint" or bool(arxiv) and not doi or is_preprint_doi(doi),
        title_flat=title.replace(" ", ""),
        surname_text=" ".join(sorted(set(surnames))),
        initial_keys=frozenset(k for k in (initial_key(a.name, a.family, a.given) for a in record.authors) if k),
        venue_kind=venue_kind(record.venue),
        known_venue=known_venue(record.venue),
        full_names=_full_name_share(record),
        text_blob=title.replace(" ", "") + "".join(surnames),
        generic=title in GENERIC_TITLES,
        parts=title_parts(title),
    )


def _with_acronym(venue: str) -> str:
    """'very large data bases' -> 'very large data bases vldb', so an acronym matches the spelt-out name."""
    words = venue.split()
    return f"{venue} {''.join(w[0] for w in words)}" if len(words) >= 3 else venue


def _full_name_share(record: Record) -> float:
    """Share of authors whose given name is written out (a token of 3+ letters besides the surname)."""
    if not record.authors:
        return 0.0
    full = 0
    for a in record.authors:
        given = fold(repair(a.given)).split() if a.family else \
            [t for t in fold(repair(a.name)).split() if t != surname_key(a.name, a.family)]
        full += any(len(t) >= 3 for t in given)
    return full / len(record.authors)


# ---- the score ---------------------------------------------------------------------------------------

@dataclass
class Distance:
    """A pair's score as named log-odds contributions (printable per component, like beets' Distance).

    `total` sums the components; `score` is the matching probability it implies; `outcome` is
    "same" | "maybe" | "different". `reason` names a decisive identifier ("doi:10.…") when there is one."""
    components: dict[str, float]
    total: float
    outcome: str
    reason: str = ""

    @property
    def score(self) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.total))))

    def __str__(self) -> str:
        parts = ", ".join(f"{name} {value:+.2f}" for name, value in self.components.items())
        why = f" [{self.reason}]" if self.reason else ""
        return f"{self.outcome} {self.score:.3f} (total {self.total:+.2f}: {parts}){why}"


def identity(a: Features, b: Features) -> tuple[float, str]:
    """(+identity, reason) when an identifier proves one work; (conflict, reason) when DOIs prove two; (0, '')."""
    if a.doi and a.doi == b.doi:
        return 1.0, f"doi:{a.doi}"
    if a.arxiv and a.arxiv == b.arxiv:
        return 1.0, f"arxiv:{a.arxiv}"
    for k, v in a.ids.items():
        if b.ids.get(k) == v and k in ("openalex", "pmid", "pmcid", "scholar"):
            return 1.0, f"{k}:{v}"
    if a.doi and b.doi:
        if a.doi_family == b.doi_family:
            return 1.0, f"doi-family:{a.doi_family}"
        if a.doi in b.linked_dois or b.doi in a.linked_dois:
            return 1.0, f"published-doi:{a.doi if a.doi in b.linked_dois else b.doi}"
        if a.doi.startswith(ZENODO_PREFIX) and b.doi.startswith(ZENODO_PREFIX):
            # concept and version records carry unrelated numbers; only the same title and people make them one
            if a.title and a.title == b.title and _zenodo_same_people(a, b):
                return 1.0, f"zenodo-versions:{min(a.doi, b.doi)}"
            return -1.0, f"doi-conflict:{a.doi}|{b.doi}"
        if not (is_preprint_doi(a.doi) or is_preprint_doi(b.doi)):
            return -1.0, f"doi-conflict:{a.doi}|{b.doi}"
    else:
        one, other = (a, b) if a.doi else (b, a)
        if one.doi and one.doi in other.linked_dois:
            return 1.0, f"published-doi:{one.doi}"
    return 0.0, ""


def _zenodo_same_people(a: Features, b: Features) -> bool:
    if not a.surname_set or not b.surname_set:
        return not a.surname_set and not b.surname_set
    return len(a.surname_set & b.surname_set) >= 0.8 * min(len(a.surname_set), len(b.surname_set))


GENERIC_TITLES = frozenset({
    "editorial", "guest editorial", "editor s notes", "editors notes", "editor s note", "guest editor s introduction",
    "guest editors introduction", "introduction", "preface", "foreword", "keynote address", "keynote", "book review",
    "book reviews", "book review column", "reviews", "erratum", "corrigendum", "correction", "in memoriam",
    "obituary", "panel", "announcements", "news", "call for papers", "chair s message", "letter from the editor",
    "letter to the editor", "response", "reply", "abstracts", "index", "front matter", "back matter",
    "table of contents", "reminiscences on influential papers", "treasurer s message", "poster", "presentation",
})


def _is_generic(a: Features, b: Features) -> bool:
    return a.generic or b.generic


def _far_years(a: Features, b: Features) -> bool:
    if not a.year or not b.year or abs(a.year - b.year) < 3:
        return False
    earlier = a if a.year < b.year else b
    return not (earlier.is_preprint and abs(a.year - b.year) <= 3)


def _rule_components(a: Features, b: Features, s: MatchSettings, comps: dict[str, float]) -> None:
    if _far_years(a, b):
        comps["year"] = comps.get("year", 0.0) + s.year_far
    if a.parts and b.parts and a.parts != b.parts:
        comps["title"] = comps.get("title", 0.0) + s.part_conflict
    if s.venue_conflict and _clean_venue_conflict(a, b):
        comps["venue"] = comps.get("venue", 0.0) + s.venue_conflict


def _clean_venue_conflict(a: Features, b: Features) -> bool:
    return bool(a.known_venue and b.known_venue and a.known_venue != b.known_venue
                and min(a.full_names, b.full_names) >= matchmodel.CLEAN_NAMES)
    if _is_generic(a, b):
        comps["title"] = comps.get("title", 0.0) + s.generic_title
    if a.type != b.type and a.type not in ("other", "preprint") and b.type not in ("other", "preprint"):
        if {a.type, b.type} not in _COMPATIBLE_TYPES:
            comps["type"] = s.type_conflict


def score(a: Features, b: Features, s: MatchSettings = DEFAULT_SETTINGS) -> tuple[float, dict[str, float], str]:
    """(total, named components, identity reason) of one pair. score_pairs() is the fast batch equivalent and
    gives the same total: the model total comes from the same batch predictor, the rules are added in the same
    order."""
    verdict, reason = identity(a, b)
    row = matchmodel.pair_row(a, b)
    model = matchmodel.default_model()
    total = float(model.predict(np.array([row]))[0])
    _, comps = matchmodel.components(row, model, total)
    extra: dict[str, float] = {}
    if verdict:
        extra["ids"] = s.identity if verdict > 0 else s.id_conflict
    _rule_components(a, b, s, extra)
    if extra:
        total += sum(extra.values())
        for k, v in extra.items():
            comps[k] = comps.get(k, 0.0) + v
    return total, comps, reason


def score_pairs(feats: Sequence[Features] | matchmodel.RecordTable, pairs: Sequence[tuple[int, int]] | np.ndarray,
                s: MatchSettings = DEFAULT_SETTINGS, records: Sequence[Features] | None = None,
                model: matchmodel.TreeModel | None = None) -> tuple[np.ndarray, list[str]]:
    """Totals and identity reasons of many pairs (i, j) of `feats` at once: what the clusterer and the
    benchmarks use. Equal to score(...)[0] pair by pair. `feats` may be a matchmodel.RecordTable built once
    from `records` (then pass `records` too), so that repeated calls skip the per-record preparation.
    `model` replaces the shipped tree ensemble (benchmarks/er.py train scores a model it is fitting)."""
    if isinstance(feats, matchmodel.RecordTable):
        table, items = feats, records
        if items is None:
            raise TypeError("score_pairs: pass records= with a RecordTable")
    else:
        table, items = matchmodel.RecordTable(feats), feats
    index = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    ii, jj = index[:, 0], index[:, 1]
    rows = matchmodel.pair_rows_at(table, ii, jj)
    totals = (model or matchmodel.default_model()).predict(rows)
    reasons = [""] * len(index)
    # only pairs that an identifier, a type, a generic title, distant years or part numbers can concern go
    # through Python
    ca, cb = table.numbers[ii], table.numbers[jj]
    ids = (ca[:, matchmodel._HAS_IDS] > 0) & (cb[:, matchmodel._HAS_IDS] > 0) | \
        (ca[:, matchmodel._LINKS] > 0) | (cb[:, matchmodel._LINKS] > 0)
    with np.errstate(invalid="ignore"):
        far = np.abs(ca[:, matchmodel._YEAR] - cb[:, matchmodel._YEAR]) >= 3
    ruled = ids | far | (ca[:, matchmodel._TYPE] != cb[:, matchmodel._TYPE]) | \
        (ca[:, matchmodel._GENERIC] > 0) | (cb[:, matchmodel._GENERIC] > 0) | \
        (ca[:, matchmodel._PARTS] > 0) & (cb[:, matchmodel._PARTS] > 0)
    if s.venue_conflict:
        ruled |= rows[:, matchmodel.FEATURE_NAMES.index("venue.known_same")] == 0
    for k in np.flatnonzero(ruled).tolist():
        a, b = items[ii[k]], items[jj[k]]
        if (a.doi or a.arxiv or a.ids) and (b.doi or b.arxiv or b.ids) or a.linked_dois or b.linked_dois:
            verdict, reasons[k] = identity(a, b)
        else:
            verdict = 0.0
        if verdict or a.type != b.type or a.generic or b.generic or a.year and b.year and abs(a.year - b.year) >= 3 \
                or a.parts and b.parts or s.venue_conflict and _clean_venue_conflict(a, b):
            extra: dict[str, float] = {}
            if verdict:
                extra["ids"] = s.identity if verdict > 0 else s.id_conflict
            _rule_components(a, b, s, extra)
            if extra:
                totals[k] += sum(extra.values())
    return totals, reasons


_COMPATIBLE_TYPES = [{"journal-article", "conference-paper"}, {"journal-article", "review"},
                     {"book", "book-chapter"}, {"report", "journal-article"}, {"dataset", "software"}]


def outcome_of(total: float, s: MatchSettings = DEFAULT_SETTINGS) -> str:
    if total > s.same:
        return "same"
    if total > s.maybe:
        return "maybe"
    return "different"


def compare(a: Record | Features, b: Record | Features, settings: MatchSettings = DEFAULT_SETTINGS) -> Distance:
    fa = a if isinstance(a, Features) else features(a)
    fb = b if isinstance(b, Features) else features(b)
    total, comps, reason = score(fa, fb, settings)
    return Distance({k: round(v, 4) for k, v in comps.items()}, round(total, 4), outcome_of(total, settings), reason)


# ---- blocking ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BlockingSettings:
    words_per_record: int = 4        # each record is filed under its rarest title words
    max_block: int = 200             # a word shared by more records than this is not a key
    min_word_length: int = 3


def _id_keys(f: Features) -> list[str]:
    keys = []
    if f.doi:
        keys.append("doi:" + f.doi_family)
        if f.doi.startswith(ZENODO_PREFIX):
            keys.append("zenodo:" + f.title)
    if f.arxiv:
        keys.append("arxiv:" + f.arxiv)
    for d in f.linked_dois:
        keys.append("doi:" + doi_family(d))
    for k, v in f.ids.items():
        keys.append(f"{k}:{v}")
    return keys


def block(items: Sequence[Features], settings: BlockingSettings = BlockingSettings(),
          left_count: int | None = None) -> list[tuple[int, int]]:
    """Candidate pairs (i, j), i < j, of records that share an identifier, a whole folded title, or one of
    their rarest title words. With `left_count`, items[:left_count] and items[left_count:] are two tables
    and only cross pairs are returned (record linkage)."""
    doc_freq: dict[str, int] = defaultdict(int)
    record_words: list[list[str]] = []
    for f in items:
        words = [w for w in f.title_words if len(w) >= settings.min_word_length and not w.isdigit()]
        if not words:
            words = list(f.title_words)
        record_words.append(words)
        for w in words:
            doc_freq[w] += 1
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, (f, words) in enumerate(zip(items, record_words)):
        rare = sorted(words, key=lambda w: (doc_freq[w], w))[: settings.words_per_record]
        for w in rare:
            blocks["w:" + w].append(i)
        if f.title:
            blocks["t:" + f.title].append(i)
        for k in _id_keys(f):
            blocks[k].append(i)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        if key.startswith("w:") and len(members) > settings.max_block:
            continue
        for x in range(len(members)):
            i = members[x]
            for y in range(x + 1, len(members)):
                j = members[y]
                if left_count is not None and (i < left_count) == (j < left_count):
                    continue
                pairs.add((i, j) if i < j else (j, i))
    return sorted(pairs)


# ---- clustering ---------------------------------------------------------------------------------------

@dataclass
class Edge:
    """Why two records were put in one work."""
    a: int
    b: int
    total: float
    components: dict[str, float]
    reason: str                      # "decision", an identity ("doi:…", "doi-family:…"), or "match"

    def describe(self, refs: Sequence[str]) -> dict:
        d = {"a": refs[self.a], "b": refs[self.b], "reason": self.reason}
        if self.reason != "decision":
            d["score"] = round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.total)))), 4)
            d["components"] = {k: round(v, 4) for k, v in self.components.items()}
        return d


@dataclass
class Clustering:
    groups: list[list[int]]          # indices into the (sorted) feature list, each group sorted, groups sorted
    edges: list[list[Edge]]          # per group, the edges that joined it
    maybe: list[Edge]                # uncertain pairs left in different groups


def _hard_doi_key(f: Features) -> str:
    """The DOI that makes a record a distinct published item; preprints and untitled DOIs give none."""
    if not f.doi or is_preprint_doi(f.doi):
        return ""
    if f.doi.startswith(ZENODO_PREFIX):
        return "zenodo|" + f.title       # concept/version records of one deposit share their title
    return f.doi_family


def cluster(feats: Sequence[Features], forced: Iterable[tuple[int, int]] = (),
            cannot: Iterable[tuple[int, int]] = (), settings: MatchSettings = DEFAULT_SETTINGS,
            blocking: BlockingSettings = BlockingSettings()) -> Clustering:
    """Group records into works. `forced` pairs are joined first (a person said "same"); `cannot` pairs never
    end up in one group (a person said "different"), whatever identifiers or scores say. Then identity edges,
    then scored matches from the strongest down; a join that would put two different non-preprint DOIs in one
    group is refused unless a decision or a preprint/version relation asked for it."""
    n = len(feats)
    parent = list(range(n))
    members: list[list[int]] = [[i] for i in range(n)]
    hard: list[set[str]] = [{k} if (k := _hard_doi_key(f)) else set() for f in feats]
    forbid: list[set[int]] = [set() for _ in range(n)]
    for i, j in cannot:
        if i != j:
            forbid[i].add(j)
            forbid[j].add(i)
    joined: dict[int, list[Edge]] = defaultdict(list)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(edge: Edge, check_dois: bool) -> bool:
        ra, rb = find(edge.a), find(edge.b)
        if ra == rb:
            return False
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        if forbid[ra] and any(m in forbid[ra] for m in members[rb]):
            return False
        if check_dois and len(hard[ra] | hard[rb]) > 1:
            return False
        parent[rb] = ra
        members[ra].extend(members[rb])
        hard[ra] |= hard[rb]
        forbid[ra] |= forbid[rb]
        joined[ra].extend(joined.pop(rb, []))
        joined[ra].append(edge)
        members[rb] = []
        return True

    for i, j in sorted({(min(p), max(p)) for p in forced if p[0] != p[1]}):
        union(Edge(i, j, math.inf, {}, "decision"), check_dois=False)

    scored: list[Edge] = []
    maybe: list[Edge] = []
    candidates = block(feats, blocking)
    totals, _ = score_pairs(feats, candidates, settings)
    for (i, j), quick in zip(candidates, totals.tolist()):
        if quick <= settings.maybe:
            continue
        total, comps, reason = score(feats[i], feats[j], settings)     # named components for the evidence
        verdict = outcome_of(total, settings)
        if verdict == "same":
            scored.append(Edge(i, j, total, comps, reason or "match"))
        elif verdict == "maybe":
            maybe.append(Edge(i, j, total, comps, reason or "match"))
    # identity first, then strongest score; ties broken by index so the result never depends on input order
    scored.sort(key=lambda e: (e.reason == "match", -e.total, e.a, e.b))
    for e in scored:
        relation = e.reason.startswith(("published-doi:", "zenodo-versions:", "doi-family:"))
        union(e, check_dois=not relation)

    roots = sorted({find(i) for i in range(n)}, key=lambda r: min(members[r]))
    groups = [sorted(members[r]) for r in roots]
    edges = [sorted(joined.get(r, []), key=lambda e: (e.a, e.b)) for r in roots]
    open_maybe = sorted((e for e in maybe if find(e.a) != find(e.b) and e.b not in forbid[find(e.a)]
                         and not (forbid[find(e.a)] & set(members[find(e.b)]))),
                        key=lambda e: (-e.total, e.a, e.b))
    return Clustering(groups, edges, open_maybe)
