"""The learned part of the matcher: pair features and an additive model over them.

`pair_rows(lefts, rights)` / `pair_rows_at(table, ii, jj)` turn pairs of precomputed match.Features into
numeric rows (NaN = a field one side lacks) at C speed (rapidfuzz.process.cpdist + numpy). The model
(matchmodel.json, fitted by `benchmarks/er.py train` on DBLP-Scholar train + DBLP-ACM train only) is a sum of
named terms — one shape function per feature and a few pairwise terms, each a table looked up by bin — plus a
prior: the log-odds that the two records are one work. The same look-ups score a million pairs and explain one,
so what `pubsync explain` and `review` show is the score itself, term by term.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter, itemgetter
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
    "title.truncated",       # either title was cut ('…', or a ':' or ',' closing it)
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
                             # (citation strings with authors glued into the title: 'vitterj 2001 supporting …'),
                             # also when the other side has no authors field
    "title.generic",         # either title is a generic one ('Editorial', 'Book review column')
    "venue.known_same",      # both venues are well-known ones (venues.known_venue) and both records spell
                             # their authors' given names out: 1 the same venue, 0 two different ones ('SIGMOD'
                             # vs 'VLDB', 'SIGMOD' vs 'SIGMOD Record'); else missing. Clean records name their
                             # venue right, so a conflict means two items (a tutorial given twice, a conference
                             # paper and its journal version); initials-only citation records (Scholar) often
                             # name the wrong one
)
MODEL_PATH = Path(__file__).with_name("matchmodel.json")


# ---- pair rows ------------------------------------------------------------------------------------

_KINDS = {"": 0, "journal": 1, "conference": 2}
CLEAN_NAMES = 0.5          # share of written-out given names from which a record counts as clean metadata
NUMBERISH = frozenset("i ii iii iv v vi vii viii ix x xi xii".split())
# columns of record_numbers
(_YEAR, _PREPRINT, _WORDS, _CHARS, _SURNAMES, _KIND, _FULL, _GENERIC, _TRUNCATED, _INITIALS, _FLAT, _VENUE,
 _AUTHORS, _FIRST, _NUMBERISH, _TYPE, _HAS_IDS, _LINKS, _KNOWN_VENUE, _PARTS,
 _DOI, _DOI_FAMILY, _ARXIV, _OPENALEX, _PMID, _PMCID, _SCHOLAR, _PREPRINT_DOI, _ZENODO, _PARTS_ID,
 _CUT_FRONT, _SEQUEL_OF, _TITLE_ID) = range(33)
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
    """Per record, the numbers pair features are computed from (a row of RecordTable.numbers)."""
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
            _id_or_none(f.parts), float(f.cut_front), _id_or_none(f.sequel_of), float(_id(f.title)))


def _id_or_none(value) -> float:
    return float(_id(value)) if value else -1.0


def configure_identity(preprint_prefixes: tuple[str, ...], zenodo_prefix: str) -> None:
    """match.py names the preprint-server and Zenodo DOI prefixes; record_numbers flags DOIs with them."""
    global _PREPRINT_PREFIXES, _ZENODO_PREFIX
    _PREPRINT_PREFIXES, _ZENODO_PREFIX = preprint_prefixes, zenodo_prefix


_PREPRINT_PREFIXES: tuple[str, ...] = ()
_ZENODO_PREFIX = "\0"


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
        # built here rather than kept on each record: 33 floats a record are 100 MB more to hold at 100,000
        self.numbers = np.fromiter(chain.from_iterable(map(record_numbers, feats)), np.float64,
                                   n * (_TITLE_ID + 1)).reshape(n, _TITLE_ID + 1)
        self.titles = list(map(_get_title, feats))
        self.flats = list(map(_get_flat, feats))
        self.surname_texts = list(map(_get_surname_text, feats))
        self.venues = list(map(_get_venue, feats))
        self.venue_ids = np.fromiter(map(_id, self.venues), np.int64, n)
        self.title_ids = self.numbers[:, _TITLE_ID].astype(np.int64)          # a title's flat form follows it
        self.surname_text_ids = np.fromiter(map(_id, self.surname_texts), np.int64, n)
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


def _distinct_cpdist(xs: list[str], ids: np.ndarray, ii: np.ndarray, jj: np.ndarray, scorer,
                     dtype=np.float64) -> np.ndarray:
    """scorer(xs[ii[k]], xs[jj[k]]) per k, computed once per distinct pair of strings (ids: the id of each
    record's string): the copies of one paper from several sources share titles, author lists and venues."""
    key = (ids[ii] << 32) | ids[jj]
    _, first, back = np.unique(key, return_index=True, return_inverse=True)
    return _cpdist(xs, _picker(ii[first].tolist()), _picker(jj[first].tolist()), scorer, dtype)[back.ravel()]


def _hits(longs: list, blobs: list, ii: list[int], jj: list[int]) -> np.ndarray:
    """Per pair, how many of the left record's long surnames occur inside the right record's text."""
    return np.fromiter((sum(map(blobs[j].__contains__, longs[i])) for i, j in zip(ii, jj)), np.float64, len(ii))


def _title_similarities(xs: list[str], ys: list[str]) -> np.ndarray:
    """Columns 0-4 and 7 (squashed, words, lcs_short, containment, jaccard, length_ratio) of pairs of folded,
    non-empty titles, as a (pairs, 6) array."""
    fx, fy = [x.replace(" ", "") for x in xs], [y.replace(" ", "") for y in ys]
    every = list(range(len(xs)))
    pick = _picker(every)
    lcs2 = process.cpdist(fx, fy, scorer=Indel.similarity, dtype=np.int64, workers=1)
    lx, ly = np.fromiter(map(len, fx), np.float64, len(fx)), np.fromiter(map(len, fy), np.float64, len(fy))
    shared = np.fromiter((len(set(x.split()) & set(y.split())) for x, y in zip(xs, ys)), np.float64, len(xs))
    nx = np.fromiter((len(set(x.split())) for x in xs), np.float64, len(xs))
    ny = np.fromiter((len(set(y.split())) for y in ys), np.float64, len(ys))
    cx, cy = np.fromiter(map(len, xs), np.float64, len(xs)), np.fromiter(map(len, ys), np.float64, len(ys))
    return np.stack([lcs2 / (lx + ly), _cpdist(xs + ys, pick, _picker([len(xs) + k for k in every]),
                                                  fuzz.token_set_ratio) / 100.0,
                     lcs2 / (2 * np.minimum(lx, ly)), shared / np.minimum(nx, ny), shared / (nx + ny - shared),
                     np.minimum(cx, cy) / np.maximum(cx, cy)], axis=1)


CUT_TITLE_LCS = 0.8


def _compare_cut_titles(t: "RecordTable", ii: np.ndarray, jj: np.ndarray, ca: np.ndarray, cb: np.ndarray,
                        out: np.ndarray) -> None:
    """A title cut with '…' (Scholar) is compared with as much of the other title as it kept — its first words, or
    its last ones for a title cut at the front — without its own last word where that may be a word cut in half: so
    a cut title reads as the whole title it is, not as a shorter, different one. Only for pairs where most of the
    shorter title reads inside the longer (lcs_short >= CUT_TITLE_LCS; the cut comparison cannot score higher than
    that). The last words are compared only when a title was cut at the front: two titles cut at the end that merely
    end alike ('extracting structured data from …', 'expiring data from …') are not one title."""
    ks, heads_a, heads_b, fronts, tails_a, tails_b = [], [], [], [], [], []
    with np.errstate(invalid="ignore"):
        cut = ((ca[:, _TRUNCATED] > 0) | (cb[:, _TRUNCATED] > 0)) & (out[:, 2] >= CUT_TITLE_LCS)
    front = (ca[:, _CUT_FRONT] > 0) | (cb[:, _CUT_FRONT] > 0)
    for k in np.flatnonzero(cut).tolist():
        a, b = _from_same_opening(t.titles[ii[k]].split(), t.titles[jj[k]].split())
        n = min(len(a), len(b)) - 1
        if n >= 2:
            head = n + _other_words(a, b, n)
            heads_a.append(" ".join(a[:head])); heads_b.append(" ".join(b[:head]))
            if front[k]:
                fronts.append(len(ks))
                tail = n + _other_words(a[::-1], b[::-1], n)
                tails_a.append(" ".join(a[-tail:])); tails_b.append(" ".join(b[-tail:]))
            ks.append(k)
    if ks:
        best = _title_similarities(heads_a, heads_b)
        if fronts:
            tails, at_front = _title_similarities(tails_a, tails_b), np.array(fronts)
            better = tails[:, 0] > best[at_front, 0]
            best[at_front[better]] = tails[better]
        out[np.array(ks)[:, None], [0, 1, 2, 3, 4, 7]] = best


GLUED_TITLE_LCS = 0.85
GLUED_CONTAINMENT = 0.9
_GLUED_MIN = 6              # letters of the shortest word that may be two written together ('andxml')


def _compare_glued_titles(t: "RecordTable", ii: np.ndarray, jj: np.ndarray, out: np.ndarray) -> None:
    """Words one title writes together and the other apart — lost spaces in a title read off a PDF ('describing
    andusingquerycapabilities ofheterogeneous sources'), a compound spelt two ways ('multidatabase' / 'multi
    database') — count as the other title's words in the word features (words, containment, jaccard); the squashed
    features never saw the spaces. Only where most of the shorter title reads inside the longer (lcs_short >=
    GLUED_TITLE_LCS) and the words do not already all agree."""
    with np.errstate(invalid="ignore"):
        maybe = (out[:, 2] >= GLUED_TITLE_LCS) & (out[:, 3] < 1.0)
    ks, xs, ys = [], [], []
    for k in np.flatnonzero(maybe).tolist():
        split = _unglued(t.titles[ii[k]], t.titles[jj[k]])
        if split:
            ks.append(k); xs.append(split[0]); ys.append(split[1])
    if ks:
        apart = _title_similarities(xs, ys)
        agree = apart[:, 3] >= GLUED_CONTAINMENT          # containment: only the spaces told the titles apart
        at = np.array(ks)[agree][:, None]
        out[at, [1, 3, 4]] = np.maximum(out[at, [1, 3, 4]], apart[agree][:, [1, 3, 4]])


@lru_cache(maxsize=1 << 14)
def _unglued(a: str, b: str) -> tuple[str, str] | None:
    """The two titles with each long word of one that is several of the other's words run together written
    apart; None when neither has such a word."""
    wa, wb = a.split(), b.split()
    va, vb = set(wa), set(wb)
    xa, xb = _split_words(wa, vb), _split_words(wb, va)
    return None if xa is None and xb is None else (xa or a, xb or b)


def _split_words(words: list[str], vocabulary: set[str]) -> str | None:
    out, changed = [], False
    for word in words:
        parts = _segment(word, vocabulary) if len(word) >= _GLUED_MIN and word not in vocabulary else None
        if parts:
            out.extend(parts)
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None


def _segment(word: str, vocabulary: set[str]) -> list[str] | None:
    """`word` as the fewest (at least two) words of `vocabulary` written together, or None; never with a
    one-letter word ('editors' is not 'editor s', the possessive the other title spelt apart)."""
    n = len(word)
    best: list[list[str] | None] = [[]] + [None] * n
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, n + 1):
            part = word[i:j]
            if j - i > 1 and part in vocabulary and (best[j] is None or len(best[j]) > len(best[i]) + 1):
                best[j] = best[i] + [part]
    return best[n] if best[n] and len(best[n]) >= 2 else None


def _from_same_opening(a: list[str], b: list[str]) -> tuple[list[str], list[str]]:
    """The two titles' words from where both open alike: words one title has before the other's first three (a
    journal section Scholar runs into the title: 'mechanisms of signal transduction involvement of phospholipase d2
    …' / 'involvement of phospholipase d2 …') are left out. Not for an opening of common words ('an analysis of')."""
    for x, y, swapped in ((a, b, False), (b, a, True)):
        opening = x[:3]
        if len(opening) < 3 or sum(len(w) >= 4 for w in opening) < 2:
            continue
        for start in range(1, len(y) - 2):
            if y[start:start + 3] == opening:
                return (y[start:], x) if swapped else (x, y[start:])
    return a, b


def _other_words(a: list[str], b: list[str], n: int) -> bool:
    """Whether the titles' words at position n are other words, not one word maybe cut short ('deduct …' /
    'deductive') nor one a word away (a word glued to the next: 'limitationsand opportunities'):
    'an introduction to deductive …' is not 'an introduction to remy's …'."""
    def near(word: str, words: list[str]) -> bool:
        return any(w.startswith(word) or word.startswith(w) for w in words)
    return not (near(a[n], b[n - 1:n + 2]) or near(b[n], a[n - 1:n + 2]))


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
    ca, cb = t.numbers[ii], t.numbers[jj]
    # twice the longest common subsequence
    lcs2 = _distinct_cpdist(t.flats, t.title_ids, ii, jj, Indel.similarity, np.int64)
    shared = t.words.shared(ii, jj)
    with np.errstate(divide="ignore", invalid="ignore"):
        flat_a, flat_b = ca[:, _FLAT], cb[:, _FLAT]
        out[:, 0] = lcs2 / (flat_a + flat_b)
        out[:, 1] = _distinct_cpdist(t.titles, t.title_ids, ii, jj, fuzz.token_set_ratio) / 100.0
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
        out[:, 9] = _distinct_cpdist(t.surname_texts, t.surname_text_ids, ii, jj, fuzz.token_set_ratio) / 100.0
        out[:, 10] = np.minimum(sa, sb) / np.maximum(sa, sb)
        out[:, 11] = ca[:, _FIRST] == cb[:, _FIRST]
        ia, ib = ca[:, _INITIALS], cb[:, _INITIALS]
        out[:, 12] = np.where((ia > 0) & (ib > 0), t.initials.shared(ii, jj) / np.minimum(ia, ib), np.nan)
        ya, yb = ca[:, _YEAR], cb[:, _YEAR]
        gap = np.abs(ya - yb)
        earlier_preprint = np.where(ya < yb, ca[:, _PREPRINT], cb[:, _PREPRINT]) > 0
        out[:, 13] = np.where(earlier_preprint & (gap > 0) & (gap <= 3), 0.0, gap)
        out[:, 14] = _distinct_cpdist(t.venues, t.venue_ids, ii, jj, fuzz.token_set_ratio) / 100.0
        ka, kb = ca[:, _KIND], cb[:, _KIND]
        out[:, 15] = np.where((ka > 0) & (kb > 0), (ka != kb).astype(np.float64), np.nan)
        out[:, 16] = np.where(both, np.minimum(ca[:, _FULL], cb[:, _FULL]), np.nan)
        out[:, 17] = ca[:, _NUMBERISH] != cb[:, _NUMBERISH]
        out[:, 19] = np.maximum(ca[:, _GENERIC], cb[:, _GENERIC])
        va, vb = ca[:, _KNOWN_VENUE], cb[:, _KNOWN_VENUE]
        clean = (va >= 0) & (vb >= 0) & (np.minimum(ca[:, _FULL], cb[:, _FULL]) >= CLEAN_NAMES)
        out[:, 20] = np.where(clean, (va == vb).astype(np.float64), np.nan)
        # also when only one side has authors: a citation string with its authors run into the title
        in_text = np.full(n, -1.0)
        for mine, other, count in ((ii, jj, ca[:, _AUTHORS]), (jj, ii, cb[:, _AUTHORS])):
            k = np.flatnonzero(count > 0)
            if len(k):
                found = _hits(t.long_surnames, t.blobs, mine[k].tolist(), other[k].tolist()) / count[k]
                in_text[k] = np.maximum(in_text[k], found)
        out[:, 18] = np.where(in_text >= 0, in_text, np.nan)
    _compare_cut_titles(t, ii, jj, ca, cb, out)
    _compare_glued_titles(t, ii, jj, out)
    out[~both, 8:13] = np.nan
    out[(chars_a == 0) | (chars_b == 0), 0:3] = np.nan
    out[(ca[:, _VENUE] == 0) | (cb[:, _VENUE] == 0), 14] = np.nan
    return out


# ---- the additive model --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Term:
    """One named term of the model: a table of log-odds looked up by the bin of one feature (a shape function)
    or of two (a named pairwise term). Bin 0 holds "missing" (the feature is NaN); a value x falls in bin
    1 + (how many cuts are <= x)."""
    name: str
    features: tuple[int, ...]
    cuts: tuple[int, ...]               # per feature, which of the model's cut lists bins it
    scores: np.ndarray                  # ndim == len(features)


@dataclass(frozen=True, eq=False)
class AdditiveModel:
    """log-odds(same work) = prior + the sum of the terms' table values (a generalized additive model with a
    few pairwise terms, fitted by explainable boosting in `benchmarks/er.py train`). What explain and review
    show is that sum, term by term: the components are the model, not an approximation of it."""
    prior: float                        # with the decision threshold chosen on valid folded in: same work > 0
    cuts: tuple[np.ndarray, ...]        # the distinct cut lists (main terms bin finer than pairwise ones)
    terms: tuple[Term, ...]

    @classmethod
    def from_dict(cls, d: dict) -> "AdditiveModel":
        if list(d["features"]) != list(FEATURE_NAMES):
            raise ValueError("the model was trained on other features")
        cuts = tuple(np.array(c, dtype=np.float64) for c in d["cuts"])
        return cls(float(d["prior"]), cuts, tuple(
            Term(t["name"], tuple(t["features"]), tuple(t["cuts"]), np.array(t["scores"], dtype=np.float64))
            for t in d["terms"]))

    @classmethod
    def build(cls, prior: float, terms: Sequence[tuple[str, Sequence[int], Sequence[np.ndarray], np.ndarray]]):
        """From (name, features, cut arrays, score table) per term; equal cut lists are stored once."""
        known: dict[tuple[float, ...], int] = {}
        built = []
        for name, features, cut_arrays, scores in terms:
            at = tuple(known.setdefault(tuple(np.asarray(c, dtype=np.float64).tolist()), len(known))
                       for c in cut_arrays)
            built.append(Term(name, tuple(int(f) for f in features), at, np.asarray(scores, dtype=np.float64)))
        return cls(float(prior), tuple(np.array(k, dtype=np.float64) for k in known), tuple(built))

    def to_dict(self) -> dict:
        return {"features": list(FEATURE_NAMES), "prior": self.prior, "cuts": [c.tolist() for c in self.cuts],
                "terms": [{"name": t.name, "features": list(t.features), "cuts": list(t.cuts),
                           "scores": t.scores.tolist()} for t in self.terms]}

    @property
    def names(self) -> tuple[str, ...]:
        return ("prior",) + tuple(t.name for t in self.terms)

    def term_values(self, rows: np.ndarray):
        """Each term's value for every row, term by term (each feature binned once per cut list)."""
        bins: dict[tuple[int, int], np.ndarray] = {}
        for term in self.terms:
            index = []
            for f, c in zip(term.features, term.cuts):
                b = bins.get((f, c))
                if b is None:
                    x = rows[:, f]
                    b = np.searchsorted(self.cuts[c], x, side="right") + 1
                    b[np.isnan(x)] = 0
                    bins[f, c] = b
                index.append(b)
            yield term.scores[tuple(index)]

    def totals(self, rows: np.ndarray) -> np.ndarray:
        total = np.full(rows.shape[0], self.prior)
        for values in self.term_values(rows):
            total += values
        return total

    def parts(self, rows: np.ndarray) -> np.ndarray:
        """(rows, 1 + terms): the prior and each term's value, added left to right by totals()."""
        out = np.empty((rows.shape[0], 1 + len(self.terms)), dtype=np.float64)
        out[:, 0] = self.prior
        for k, values in enumerate(self.term_values(rows), 1):
            out[:, k] = values
        return out


@lru_cache(maxsize=1)
def default_model() -> AdditiveModel:
    try:
        return AdditiveModel.from_dict(json.loads(MODEL_PATH.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise RuntimeError(f"pubsync's match model {MODEL_PATH} is missing or damaged ({e}); reinstall pubsync "
                           "or retrain it with `python benchmarks/er.py train`") from e
