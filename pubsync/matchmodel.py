"""The learned part of the matcher: pair features and a small gradient-boosted tree ensemble over them.

`pair_row(a, b)` turns two precomputed match.Features into a numeric row (NaN = a field one side lacks);
`pair_rows(lefts, rights)` does the same for many pairs at C speed (rapidfuzz.process.cpdist + numpy), which is
what the clusterer uses. The ensemble (matchmodel.json, trained by `benchmarks/er.py train` on DBLP-Scholar
train + DBLP-ACM train only) maps a row to a log-odds total; `explain` splits that total into the named
components a person reads (title, authors, year, venue), each the sum of its features' contributions along the
decision paths (Saabas attribution), with the ensemble's prior folded into "title".
"""
from __future__ import annotations

import json
from itertools import chain
from operator import attrgetter, itemgetter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

NAN = float("nan")

# One name per column of a pair row; the group before the dot is the component it reports to.
FEATURE_NAMES = (
    "title.squashed",        # Indel similarity of the folded titles with spaces removed
    "title.words",           # token-set similarity (reordered words, appended venue text)
    "title.lcs_short",       # longest common subsequence of the squashed titles / the shorter one's length
                             # (cut, prefixed, citation-string titles: the shorter reads inside the longer)
    "title.containment",     # shared words / words of the shorter title
    "title.jaccard",         # shared words / all words
    "title.truncated",       # either title was cut with '…'
    "title.min_words",       # words in the shorter title (short and generic titles are weak evidence)
    "title.length_ratio",    # characters of the shorter / longer title
    "authors.overlap",       # shared surnames / surnames of the shorter list
    "authors.fuzzy",         # token-set similarity of the sorted surname lists (typos, transliteration)
    "authors.count_ratio",   # shorter / longer author count
    "authors.first",         # same first surname
    "authors.initials",      # shared initial+surname keys / keys of the shorter list
    "year.gap",              # |year difference| (a preprint before its publication counts as 0)
    "venue.words",           # token-set similarity of the distinctive venue words
    "venue.kind_conflict",   # 1 when both venues are clean and one is a journal, the other a conference
    "authors.full_names",    # the lower of the two records' shares of authors with a written-out given name:
                             # two fully spelt records disagreeing on year or venue are two works, while
                             # initials-only citation records (Scholar) often carry a wrong year
    "title.number_mismatch", # the titles differ in a number or roman numeral ('part i' / 'part ii')
    "authors.in_text",       # share of one side's surnames found inside the other's title+authors text
                             # (citation strings with authors glued into the title: 'vitterj 2001 supporting …')
    "title.generic",         # either title is a generic one ('Editorial', 'Book review column')
    "venue.known_same",      # both venues are well-known ones (normalize.known_venue) and both records spell
                             # their authors' given names out: 1 the same venue, 0 two different ones ('SIGMOD'
                             # vs 'VLDB', 'SIGMOD' vs 'SIGMOD Record'); else missing. Clean records name their
                             # venue right, so a conflict means two items (a tutorial given twice, a conference
                             # paper and its journal version); initials-only citation records (Scholar) often
                             # name the wrong one
)
GROUPS = tuple(n.split(".")[0] for n in FEATURE_NAMES)
MODEL_PATH = Path(__file__).with_name("matchmodel.json")


# ---- pair rows ------------------------------------------------------------------------------------

_KINDS = {"": 0, "journal": 1, "conference": 2}
CLEAN_NAMES = 0.5          # share of written-out given names from which a record counts as clean metadata
NUMBERISH = frozenset("i ii iii iv v vi vii viii ix x xi xii".split())
# columns of record_numbers
(_YEAR, _PREPRINT, _WORDS, _CHARS, _SURNAMES, _KIND, _FULL, _GENERIC, _TRUNCATED, _INITIALS, _FLAT, _VENUE,
 _AUTHORS, _FIRST, _NUMBERISH, _TYPE, _HAS_IDS, _LINKS, _KNOWN_VENUE, _PARTS,
 _DOI, _DOI_FAMILY, _ARXIV, _OPENALEX, _PMID, _PMCID, _SCHOLAR, _PREPRINT_DOI, _ZENODO, _PARTS_ID) = range(30)
# the exact-match ids match.identity compares, in its order
EXACT_ID_COLUMNS = {"openalex": _OPENALEX, "pmid": _PMID, "pmcid": _PMCID, "scholar": _SCHOLAR}

# Process-wide ids of the strings and string sets records hold, so that batch scoring compares integers.
_IDS: dict = {}


def _id(value) -> int:
    return _IDS.setdefault(value, len(_IDS))


@lru_cache(maxsize=1 << 17)
def id_array(strings: frozenset[str]) -> np.ndarray:
    """Sorted ids of a set of strings (for counting shared words, surnames and initials in numpy); read-only,
    shared by the records with that set."""
    ids = np.array(sorted(map(_id, strings)), dtype=np.int64)
    ids.flags.writeable = False
    return ids


def record_numbers(f) -> tuple[float, ...]:
    """Per record, the numbers pair features are computed from (stored on match.Features once)."""
    return (float(f.year) if f.year else NAN, float(f.is_preprint), float(len(f.title_words)), float(len(f.title)),
            float(len(f.surname_set)), float(_KINDS.get(f.venue_kind, 0)), float(f.full_names), float(f.generic),
            float(f.truncated), float(len(f.initial_keys)), float(len(f.title_flat)), float(bool(f.venue)),
            float(len(f.surnames)), float(_id(f.first_surname)), float(_id(f.numberish)),
            # for match.score_pairs: which pairs need the identifier, type and part rules
            float(_id(f.type)), float(bool(f.doi or f.arxiv or f.ids)), float(bool(f.linked_dois)),
            float(_id(f.known_venue)) if f.known_venue else -1.0, float(bool(f.parts)),
            # for match's vectorised identity rules: interned identifiers, -1 when the record has none
            _id_or_none(f.doi), _id_or_none(f.doi_family), _id_or_none(f.arxiv),
            *(_id_or_none(f.ids.get(name, "")) for name in EXACT_ID_COLUMNS),
            float(f.doi.startswith(_PREPRINT_PREFIXES)), float(f.doi.startswith(_ZENODO_PREFIX)),
            _id_or_none(f.parts))


def _id_or_none(value) -> float:
    return float(_id(value)) if value else -1.0


def configure_identity(preprint_prefixes: tuple[str, ...], zenodo_prefix: str) -> None:
    """match.py names the preprint-server and Zenodo DOI prefixes; record_numbers flags DOIs with them."""
    global _PREPRINT_PREFIXES, _ZENODO_PREFIX
    _PREPRINT_PREFIXES, _ZENODO_PREFIX = preprint_prefixes, zenodo_prefix


_PREPRINT_PREFIXES: tuple[str, ...] = ()
_ZENODO_PREFIX = "\0"


def _year_gap(a, b) -> float:
    if not a.year or not b.year:
        return NAN
    gap = abs(a.year - b.year)
    earlier = a if a.year < b.year else b
    if gap and earlier.is_preprint and gap <= 3:
        return 0.0                               # a preprint precedes its publication
    return float(gap)


def _in_text(a, b) -> float:
    hits = sum(map(b.text_blob.__contains__, a.long_surnames))
    hits_b = sum(map(a.text_blob.__contains__, b.long_surnames))
    return max(hits / len(a.surnames), hits_b / len(b.surnames))


def pair_row(a, b) -> list[float]:
    """The feature row of one pair (pure Python); pair_rows is the batch equivalent and gives the same numbers."""
    wa, wb = a.title_words, b.title_words
    shared = len(wa & wb)
    small = min(len(wa), len(wb))
    union = len(wa) + len(wb) - shared
    la, lb = len(a.title), len(b.title)
    if a.title and b.title:
        lcs2 = Indel.similarity(a.title_flat, b.title_flat)          # twice the longest common subsequence
        fa, fb = len(a.title_flat), len(b.title_flat)
        squashed = lcs2 / (fa + fb)
        lcs_short = lcs2 / (2 * min(fa, fb))
        words = fuzz.token_set_ratio(a.title, b.title) / 100.0
    else:
        squashed = words = lcs_short = NAN
    sa, sb = a.surname_set, b.surname_set
    if sa and sb:
        overlap = len(sa & sb) / min(len(sa), len(sb))
        fuzzy = fuzz.token_set_ratio(a.surname_text, b.surname_text) / 100.0
        count_ratio = min(len(sa), len(sb)) / max(len(sa), len(sb))
        first = 1.0 if a.first_surname == b.first_surname else 0.0
        ia, ib = a.initial_keys, b.initial_keys
        initials = len(ia & ib) / min(len(ia), len(ib)) if ia and ib else NAN
        full = min(a.full_names, b.full_names)
        in_text = _in_text(a, b)
    else:
        overlap = fuzzy = count_ratio = first = initials = full = in_text = NAN
    venue = fuzz.token_set_ratio(a.venue, b.venue) / 100.0 if a.venue and b.venue else NAN
    if a.venue_kind and b.venue_kind:
        kind_conflict = 0.0 if a.venue_kind == b.venue_kind else 1.0
    else:
        kind_conflict = NAN
    known_same = float(a.known_venue == b.known_venue) \
        if a.known_venue and b.known_venue and min(a.full_names, b.full_names) >= CLEAN_NAMES else NAN
    return [squashed, words, lcs_short,
            shared / small if small else 0.0, shared / union if union else 0.0,
            float(a.truncated or b.truncated), float(small), min(la, lb) / max(la, lb) if la and lb else 0.0,
            overlap, fuzzy, count_ratio, first, initials, _year_gap(a, b), venue, kind_conflict,
            full, float(a.numberish != b.numberish), in_text, float(a.generic or b.generic), known_same]


_get_numbers = attrgetter("numbers")
_get_title, _get_flat = attrgetter("title"), attrgetter("title_flat")
_get_surname_text, _get_venue = attrgetter("surname_text"), attrgetter("venue")
_get_word_ids, _get_surname_ids = attrgetter("word_ids"), attrgetter("surname_ids")
_get_initial_ids = attrgetter("initial_ids")
_get_long, _get_blob = attrgetter("long_surnames"), attrgetter("text_blob")


class _IdLists:
    """Many records' sorted id arrays in one array (CSR layout: starts and sizes per record)."""

    def __init__(self, arrays: list[np.ndarray]):
        self.sizes = np.fromiter(map(len, arrays), np.int64, len(arrays))
        self.starts = np.cumsum(self.sizes) - self.sizes
        self.ids = np.concatenate(arrays) if arrays else np.zeros(0, np.int64)

    def keyed(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(pair number, (pair number << 32) | id) of every id of every row, pair by pair, ids ascending."""
        sizes = self.sizes[rows]
        total = int(sizes.sum())
        pair = np.repeat(np.arange(len(rows), dtype=np.int64), sizes)
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        ids = self.ids[np.repeat(self.starts[rows], sizes) + within]
        return pair, (pair << 32) | ids

    def shared(self, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
        """Per pair (ii[k], jj[k]), how many ids the two records share: each left id is looked up among the
        right ids keyed by pair, so one searchsorted answers all pairs."""
        pair_a, key_a = self.keyed(ii)
        _, key_b = self.keyed(jj)
        if not len(key_a) or not len(key_b):
            return np.zeros(len(ii))
        found = np.minimum(np.searchsorted(key_b, key_a), len(key_b) - 1)
        return np.bincount(pair_a[key_b[found] == key_a], minlength=len(ii)).astype(np.float64)


class RecordTable:
    """The per-record values pair features are computed from, for a list of match.Features, as arrays and
    lists built once; pair_rows_at then touches each pair only inside numpy and rapidfuzz."""

    def __init__(self, feats: Sequence):
        n = len(feats)
        width = len(feats[0].numbers) if n else _PARTS_ID + 1
        self.numbers = np.fromiter(chain.from_iterable(map(_get_numbers, feats)), np.float64, n * width) \
            .reshape(n, width)
        self.titles = list(map(_get_title, feats))
        self.flats = list(map(_get_flat, feats))
        self.surname_texts = list(map(_get_surname_text, feats))
        self.venues = list(map(_get_venue, feats))
        self.venue_ids = np.fromiter(map(_id, self.venues), np.int64, n)
        self.long_surnames = list(map(_get_long, feats))
        self.blobs = list(map(_get_blob, feats))
        self.words = _IdLists(list(map(_get_word_ids, feats)))
        self.surnames = _IdLists(list(map(_get_surname_ids, feats)))
        self.initials = _IdLists(list(map(_get_initial_ids, feats)))
        # (record << 32) | DOI id of every published/related DOI a record names, sorted, for links()
        self.linked = np.array(sorted((i << 32) | _id(d) for i, f in enumerate(feats) if f.linked_dois
                                      for d in f.linked_dois), dtype=np.int64)

    def links(self, records: np.ndarray, dois: np.ndarray) -> np.ndarray:
        """Per k, whether record records[k] names DOI id dois[k] (-1: no DOI) among its linked DOIs."""
        if not len(self.linked):
            return np.zeros(len(records), dtype=bool)
        key = (records << 32) | np.maximum(dois, 0)
        found = np.minimum(np.searchsorted(self.linked, key), len(self.linked) - 1)
        return (self.linked[found] == key) & (dois >= 0)


def _picker(rows: list[int]):
    """A C-level gather of list items: picker(xs) == [xs[r] for r in rows] (as a tuple)."""
    if len(rows) == 1:
        return lambda xs: (xs[rows[0]],)
    return itemgetter(*rows)


def _cpdist(xs: list[str], pick_i, pick_j, scorer, dtype=np.float64) -> np.ndarray:
    return process.cpdist(pick_i(xs), pick_j(xs), scorer=scorer, dtype=dtype, workers=1)


def _venue_similarity(t: RecordTable, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
    """token_set_ratio of the venues, computed once per distinct venue pair (venues repeat a lot)."""
    key = (t.venue_ids[ii] << 32) | t.venue_ids[jj]
    distinct, first, back = np.unique(key, return_index=True, return_inverse=True)
    sims = _cpdist(t.venues, _picker(ii[first].tolist()), _picker(jj[first].tolist()), fuzz.token_set_ratio) / 100.0
    return sims[back.ravel()]


def _hits(longs: list, blobs: list, ii: list[int], jj: list[int]) -> np.ndarray:
    """Per pair, how many of the left record's long surnames occur inside the right record's text."""
    return np.fromiter((sum(map(blobs[j].__contains__, longs[i])) for i, j in zip(ii, jj)), np.float64, len(ii))


def pair_rows(lefts: Sequence, rights: Sequence) -> np.ndarray:
    """Feature rows of the pairs (lefts[k], rights[k]); see pair_rows_at."""
    n = len(lefts)
    table = RecordTable(list(lefts) + list(rights))
    return pair_rows_at(table, np.arange(n, dtype=np.int64), np.arange(n, 2 * n, dtype=np.int64))


def pair_rows_at(t: RecordTable, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
    """Feature rows of the pairs (record ii[k], record jj[k]) of a RecordTable as an (n, len(FEATURE_NAMES))
    float64 array, equal to pair_row pair by pair. String similarities run in rapidfuzz (C), shared words /
    surnames / initials as sorted-id lookups in numpy, the rest in numpy over per-record numbers."""
    n = len(ii)
    out = np.empty((n, len(FEATURE_NAMES)), dtype=np.float64)
    if not n:
        return out
    pi, pj = _picker(ii.tolist()), _picker(jj.tolist())
    ca, cb = t.numbers[ii], t.numbers[jj]
    lcs2 = _cpdist(t.flats, pi, pj, Indel.similarity, np.int64)     # twice the longest common subsequence
    shared = t.words.shared(ii, jj)
    with np.errstate(divide="ignore", invalid="ignore"):
        flat_a, flat_b = ca[:, _FLAT], cb[:, _FLAT]
        out[:, 0] = lcs2 / (flat_a + flat_b)
        out[:, 1] = _cpdist(t.titles, pi, pj, fuzz.token_set_ratio) / 100.0
        out[:, 2] = lcs2 / (2 * np.minimum(flat_a, flat_b))
        words_a, words_b = ca[:, _WORDS], cb[:, _WORDS]
        small = np.minimum(words_a, words_b)
        union = words_a + words_b - shared
        out[:, 3] = np.where(small > 0, shared / small, 0.0)
        out[:, 4] = np.where(union > 0, shared / union, 0.0)
        out[:, 5] = np.maximum(ca[:, _TRUNCATED], cb[:, _TRUNCATED])
        out[:, 6] = small
        chars_a, chars_b = ca[:, _CHARS], cb[:, _CHARS]
        out[:, 7] = np.where((chars_a > 0) & (chars_b > 0), np.minimum(chars_a, chars_b) / np.maximum(chars_a, chars_b),
                             0.0)
        sa, sb = ca[:, _SURNAMES], cb[:, _SURNAMES]
        both = (sa > 0) & (sb > 0)
        out[:, 8] = t.surnames.shared(ii, jj) / np.minimum(sa, sb)
        out[:, 9] = _cpdist(t.surname_texts, pi, pj, fuzz.token_set_ratio) / 100.0
        out[:, 10] = np.minimum(sa, sb) / np.maximum(sa, sb)
        out[:, 11] = ca[:, _FIRST] == cb[:, _FIRST]
        ia, ib = ca[:, _INITIALS], cb[:, _INITIALS]
        out[:, 12] = np.where((ia > 0) & (ib > 0), t.initials.shared(ii, jj) / np.minimum(ia, ib), np.nan)
        ya, yb = ca[:, _YEAR], cb[:, _YEAR]
        gap = np.abs(ya - yb)
        earlier_preprint = np.where(ya < yb, ca[:, _PREPRINT], cb[:, _PREPRINT]) > 0
        out[:, 13] = np.where(earlier_preprint & (gap > 0) & (gap <= 3), 0.0, gap)
        out[:, 14] = _venue_similarity(t, ii, jj)
        ka, kb = ca[:, _KIND], cb[:, _KIND]
        out[:, 15] = np.where((ka > 0) & (kb > 0), (ka != kb).astype(np.float64), np.nan)
        out[:, 16] = np.where(both, np.minimum(ca[:, _FULL], cb[:, _FULL]), np.nan)
        out[:, 17] = ca[:, _NUMBERISH] != cb[:, _NUMBERISH]
        out[:, 19] = np.maximum(ca[:, _GENERIC], cb[:, _GENERIC])
        va, vb = ca[:, _KNOWN_VENUE], cb[:, _KNOWN_VENUE]
        clean = (va >= 0) & (vb >= 0) & (np.minimum(ca[:, _FULL], cb[:, _FULL]) >= CLEAN_NAMES)
        out[:, 20] = np.where(clean, (va == vb).astype(np.float64), np.nan)
        in_text = np.full(n, np.nan)
        k = np.flatnonzero(both)
        if len(k):
            ik, jk = ii[k].tolist(), jj[k].tolist()
            in_text[k] = np.maximum(_hits(t.long_surnames, t.blobs, ik, jk) / ca[k, _AUTHORS],
                                    _hits(t.long_surnames, t.blobs, jk, ik) / cb[k, _AUTHORS])
        out[:, 18] = in_text
    out[~both, 8:13] = np.nan
    out[(chars_a == 0) | (chars_b == 0), 0:3] = np.nan
    out[(ca[:, _VENUE] == 0) | (cb[:, _VENUE] == 0), 14] = np.nan
    return out


# ---- the tree ensemble ----------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class TreeModel:
    """Flat arrays of every tree's nodes; a leaf's `left` is -1. Nodes hold Saabas values (cover-weighted mean
    of the leaves below), so that walking a path attributes each step's change to the feature that split."""
    base: float
    roots: np.ndarray          # (trees,) index of each tree's root
    feature: np.ndarray        # (nodes,)
    threshold: np.ndarray      # go left when x <= threshold
    missing_left: np.ndarray   # NaN goes left
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: int
    threshold_total: float     # the log-odds total above which a pair is the same work (chosen on valid)

    @classmethod
    def from_dict(cls, d: dict) -> "TreeModel":
        nodes = d["nodes"]
        return cls(
            base=float(d["base"]), roots=np.array(d["roots"], dtype=np.int64),
            feature=np.array([n[0] for n in nodes], dtype=np.int64),
            threshold=np.array([n[1] for n in nodes], dtype=np.float64),
            missing_left=np.array([n[2] for n in nodes], dtype=bool),
            left=np.array([n[3] for n in nodes], dtype=np.int64),
            right=np.array([n[4] for n in nodes], dtype=np.int64),
            value=np.array([n[5] for n in nodes], dtype=np.float64),
            depth=int(d["depth"]), threshold_total=float(d.get("threshold", 0.0)),
        )

    def predict(self, rows: np.ndarray, chunk: int = 1024) -> np.ndarray:
        """Log-odds totals of many rows at once, all trees together (QuickScorer, Lucchese et al. 2015).

        Each row's feature values become bin codes (how many of the model's thresholds on that feature lie
        below the value; NaN a code of its own). Per feature and code a precomputed table holds, for every
        tree, the bit mask of the leaves still reachable; AND-ing one table row per feature leaves each tree's
        exit leaf as the lowest set bit. So a chunk of rows costs one row gather and one AND per feature,
        whole-array numpy operations, instead of a walk per tree and level."""
        n = rows.shape[0]
        out = np.empty(n, dtype=np.float64)
        for start in range(0, n, chunk):
            out[start:start + chunk] = self._predict_chunk(rows[start:start + chunk])
        return out

    def contributions(self, rows: np.ndarray, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """(totals, per-feature Saabas contributions) of many rows: explain() for a batch. Each exit leaf's
        path adds fixed amounts per feature, precomputed per leaf, so a row's contributions are a sum of one
        table row per tree."""
        tables = self._tables()
        n = rows.shape[0]
        totals = np.empty(n, dtype=np.float64)
        contrib = np.empty((n, len(FEATURE_NAMES)), dtype=np.float64)
        for start in range(0, n, chunk):
            part = rows[start:start + chunk]
            leaf = self._exit_leaves(part)
            totals[start:start + chunk] = self.base + tables.leaf_values[leaf].sum(axis=1)
            contrib[start:start + chunk] = tables.leaf_paths[leaf].sum(axis=1)
        return totals, contrib

    def _predict_chunk(self, rows: np.ndarray) -> np.ndarray:
        return self.base + self._tables().leaf_values[self._exit_leaves(rows)].sum(axis=1)

    def _exit_leaves(self, rows: np.ndarray) -> np.ndarray:
        """(rows, trees) index into the leaf tables of each tree's exit leaf."""
        tables = self._tables()
        acc = None
        for f, thresholds, masks in tables.features:
            x = rows[:, f]
            code = np.searchsorted(thresholds, x, side="left")
            code[np.isnan(x)] = len(thresholds) + 1
            if acc is None:
                acc = masks[code]
            else:
                acc &= masks[code]
        if acc is None:                                   # a model of single-leaf trees
            acc = np.ones((rows.shape[0], len(self.roots)), dtype=tables.masks_dtype)
        lowest = acc & (~acc + 1)
        if tables.masks_dtype == np.uint32:               # the bit's index = the float exponent of the power of 2
            leaf = (lowest.astype(np.float32).view(np.int32) >> 23) - 127
        else:
            leaf = (lowest.astype(np.float64).view(np.int64) >> 52) - 1023
        leaf += tables.leaf_offsets
        return leaf

    def _tables(self) -> "_QuickScorer":
        cached = self.__dict__.get("_quickscorer")
        if cached is None:
            cached = _QuickScorer.build(self)
            object.__setattr__(self, "_quickscorer", cached)
        return cached

    def _lists(self):
        cached = self.__dict__.get("_as_lists")
        if cached is None:
            cached = (self.feature.tolist(), self.threshold.tolist(), self.missing_left.tolist(), self.left.tolist(),
                      self.right.tolist(), self.value.tolist(), self.roots.tolist())
            object.__setattr__(self, "_as_lists", cached)
        return cached

    def explain(self, row: Sequence[float]) -> tuple[float, list[float]]:
        """(total, contribution per feature) of one row; base + sum(contributions) == total."""
        feature, threshold, missing_left, left, right, value, roots = self._lists()
        contrib = [0.0] * len(FEATURE_NAMES)
        total = self.base
        for root in roots:
            node = root
            total += value[root]
            while left[node] >= 0:
                x = row[feature[node]]
                nxt = (left[node] if missing_left[node] else right[node]) if x != x else \
                    (left[node] if x <= threshold[node] else right[node])
                contrib[feature[node]] += value[nxt] - value[node]
                total += value[nxt] - value[node]
                node = nxt
        return total, contrib


@dataclass(frozen=True)
class _QuickScorer:
    features: list[tuple[int, np.ndarray, np.ndarray]]   # (feature, sorted thresholds, masks per code × tree)
    masks_dtype: type
    leaf_offsets: np.ndarray                               # (1, trees): where each tree's leaves start
    leaf_values: np.ndarray                                # leaf values, left to right per tree
    leaf_paths: np.ndarray                                 # (leaves, features): per leaf, what each feature
                                                           # added along the path to it (Saabas)

    @classmethod
    def build(cls, model: "TreeModel") -> "_QuickScorer":
        left, right, feature = model.left.tolist(), model.right.tolist(), model.feature.tolist()
        internal = model.left >= 0
        thresholds = {f: np.unique(model.threshold[internal & (model.feature == f)])
                      for f in sorted(set(model.feature[internal].tolist()))}
        leaves_per_tree: list[list[int]] = []
        kills: list[tuple[int, int, int, int]] = []        # (tree, node, mask of the left subtree's leaves)

        for t, root in enumerate(model.roots.tolist()):
            leaves: list[int] = []

            def walk(node: int) -> int:                    # returns the mask of the leaves below node
                if left[node] < 0:
                    leaves.append(node)
                    return 1 << (len(leaves) - 1)
                below_left = walk(left[node])
                below_right = walk(right[node])
                kills.append((t, node, below_left))
                return below_left | below_right

            walk(root)
            leaves_per_tree.append(leaves)
        width = max(len(leaves) for leaves in leaves_per_tree)
        if width > 64:
            raise ValueError(f"a tree has {width} leaves; the scorer handles at most 64")
        dtype = np.uint32 if width <= 32 else np.uint64
        full = (1 << (32 if dtype == np.uint32 else 64)) - 1
        trees = len(leaves_per_tree)
        masks = {f: np.full((len(th) + 2, trees), full, dtype=dtype) for f, th in thresholds.items()}
        for t, node, below_left in kills:
            f = feature[node]
            th = thresholds[f]
            k = int(np.searchsorted(th, model.threshold[node]))
            keep = dtype(full & ~below_left)
            masks[f][k + 1:len(th) + 1, t] &= keep         # values above the threshold go right
            if not model.missing_left[node]:
                masks[f][len(th) + 1, t] &= keep           # NaN goes right
        values = np.zeros((trees, width), dtype=np.float64)
        for t, leaves in enumerate(leaves_per_tree):
            values[t, :len(leaves)] = model.value[leaves]
        paths = np.zeros((trees, width, len(FEATURE_NAMES)), dtype=np.float64)
        value = model.value.tolist()
        for t, root in enumerate(model.roots.tolist()):
            position = {leaf: k for k, leaf in enumerate(leaves_per_tree[t])}
            stack = [(root, [0.0] * len(FEATURE_NAMES))]
            while stack:
                node, added = stack.pop()
                if left[node] < 0:
                    paths[t, position[node]] = added
                    continue
                for child in (left[node], right[node]):
                    step = list(added)
                    step[feature[node]] += value[child] - value[node]
                    stack.append((child, step))
        return cls([(f, thresholds[f], masks[f]) for f in sorted(thresholds)], dtype,
                   (np.arange(trees, dtype=np.int64) * width)[None, :], values.ravel(),
                   paths.reshape(trees * width, len(FEATURE_NAMES)))


@lru_cache(maxsize=1)
def default_model() -> TreeModel:
    try:
        return TreeModel.from_dict(json.loads(MODEL_PATH.read_text()))
    except (OSError, ValueError, KeyError) as e:
        raise RuntimeError(f"pubsync's match model {MODEL_PATH} is missing or damaged ({e}); reinstall pubsync "
                           "or retrain it with `python benchmarks/er.py train`") from e


def components(row: Sequence[float], model: TreeModel, total: float | None = None) -> tuple[float, dict[str, float]]:
    """(total, {component: log-odds}) for display; the prior is folded into 'title' when a title is present.
    With `total` (the batch predictor's), the components add up to it, rounding absorbed by the prior."""
    walked, contrib = model.explain(row)
    total = walked if total is None else total
    return total, grouped(row, contrib, total)


def grouped(row: Sequence[float], contrib: Sequence[float], total: float) -> dict[str, float]:
    """Per-feature contributions -> {component: log-odds}, a component listed when one of its features is
    present or contributed; the rest of `total` (the prior) goes to 'title'."""
    comps: dict[str, float] = {}
    for value, group, x in zip(contrib, GROUPS, row):
        if x == x or value:
            comps[group] = comps.get(group, 0.0) + value
    prior_home = "title" if "title" in comps else next(iter(comps), "title")
    comps[prior_home] = comps.get(prior_home, 0.0) + total - sum(contrib)
    return comps


def to_saabas(trees: list[list[dict]], base: float, depth: int, threshold: float) -> dict:
    """Pack trees (lists of nodes {feature, threshold, missing_left, left, right, value, count, leaf}) into the
    JSON layout TreeModel reads, with cover-weighted internal values."""
    nodes: list[list] = []
    roots = []
    for tree in trees:
        offset = len(nodes)
        vals = [0.0] * len(tree)

        def fill(i: int) -> tuple[float, float]:
            nd = tree[i]
            if nd["leaf"]:
                vals[i] = nd["value"]
                return nd["value"] * nd["count"], nd["count"]
            sl, cl = fill(nd["left"])
            sr, cr = fill(nd["right"])
            vals[i] = (sl + sr) / (cl + cr) if cl + cr else 0.0
            return sl + sr, cl + cr

        fill(0)
        for i, nd in enumerate(tree):
            if nd["leaf"]:
                nodes.append([0, 0.0, False, -1, -1, round(vals[i], 6)])
            else:
                nodes.append([int(nd["feature"]), float(nd["threshold"]), bool(nd["missing_left"]),
                              offset + nd["left"], offset + nd["right"], round(vals[i], 6)])
        roots.append(offset)
    return {"features": list(FEATURE_NAMES), "base": base, "depth": depth, "threshold": threshold,
            "roots": roots, "nodes": nodes}

