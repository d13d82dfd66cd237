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
import math
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
    "title.partial",         # best-aligned substring similarity (cut, prefixed, citation-string titles)
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
)
GROUPS = tuple(n.split(".")[0] for n in FEATURE_NAMES)
MODEL_PATH = Path(__file__).with_name("matchmodel.json")


# ---- pair rows ------------------------------------------------------------------------------------

def _year_gap(a, b) -> float:
    if not a.year or not b.year:
        return NAN
    gap = abs(a.year - b.year)
    earlier = a if a.year < b.year else b
    if gap and earlier.is_preprint and gap <= 3:
        return 0.0                               # a preprint precedes its publication
    return float(gap)


_NUMBERISH = frozenset("i ii iii iv v vi vii viii ix x xi xii".split())


def _in_text(a, b) -> float:
    hits = sum(1 for s in a.surnames if len(s) >= 4 and s in b.text_blob)
    hits_b = sum(1 for s in b.surnames if len(s) >= 4 and s in a.text_blob)
    return max(hits / len(a.surnames), hits_b / len(b.surnames))


def _extra_features(a, b) -> tuple[float, float, float, float]:
    if a.surnames and b.surnames:
        full = min(a.full_names, b.full_names)
        in_text = _in_text(a, b)
    else:
        full = in_text = NAN
    mismatch = 0.0
    if a.title_words != b.title_words:
        for w in a.title_words ^ b.title_words:
            if w.isdigit() or w in _NUMBERISH:
                mismatch = 1.0
                break
    return full, mismatch, in_text, float(a.generic or b.generic)


def _set_features(a, b) -> tuple[float, float, float, float, float, float, float, float, float, float]:
    wa, wb = a.title_words, b.title_words
    shared = len(wa & wb)
    small = min(len(wa), len(wb))
    union = len(wa) + len(wb) - shared
    containment = shared / small if small else 0.0
    jaccard = shared / union if union else 0.0
    la, lb = len(a.title), len(b.title)
    length_ratio = min(la, lb) / max(la, lb) if la and lb else 0.0
    sa, sb = a.surname_set, b.surname_set
    if sa and sb:
        overlap = len(sa & sb) / min(len(sa), len(sb))
        count_ratio = min(len(sa), len(sb)) / max(len(sa), len(sb))
        first = 1.0 if a.surnames[0] == b.surnames[0] else 0.0
        ia, ib = a.initial_keys, b.initial_keys
        initials = len(ia & ib) / min(len(ia), len(ib)) if ia and ib else NAN
    else:
        overlap = count_ratio = first = initials = NAN
    if a.venue_kind and b.venue_kind:
        kind_conflict = 0.0 if a.venue_kind == b.venue_kind else 1.0
    else:
        kind_conflict = NAN
    return (containment, jaccard, float(a.truncated or b.truncated), float(min(len(wa), len(wb))), length_ratio,
            overlap, count_ratio, first, initials, kind_conflict)


def pair_row(a, b) -> list[float]:
    """The feature row of one pair (pure Python; pair_rows is the batch equivalent)."""
    (containment, jaccard, truncated, min_words, length_ratio,
     overlap, count_ratio, first, initials, kind_conflict) = _set_features(a, b)
    if a.title and b.title:
        squashed = Indel.normalized_similarity(a.title_flat, b.title_flat)
        words = fuzz.token_set_ratio(a.title, b.title) / 100.0
        partial = fuzz.partial_ratio(a.title, b.title) / 100.0
    else:
        squashed = words = partial = NAN
    fuzzy = fuzz.token_set_ratio(a.surname_text, b.surname_text) / 100.0 if overlap == overlap else NAN
    venue = fuzz.token_set_ratio(a.venue, b.venue) / 100.0 if a.venue and b.venue else NAN
    return [squashed, words, partial, containment, jaccard, truncated, min_words, length_ratio,
            overlap, fuzzy, count_ratio, first, initials, _year_gap(a, b), venue, kind_conflict,
            *_extra_features(a, b)]


_KINDS = {"": 0, "journal": 1, "conference": 2}


def _record_columns(feats: Sequence) -> np.ndarray:
    """Per record, the numbers pair features are computed from: year (NaN when unknown), preprint, title words,
    title characters, surname count, venue kind code, share of full names, generic title, truncated title."""
    return np.array([(f.year or np.nan, f.is_preprint, len(f.title_words), len(f.title), len(f.surname_set),
                      _KINDS.get(f.venue_kind, 0), f.full_names, f.generic, f.truncated) for f in feats],
                    dtype=np.float64).reshape(len(feats), 9)


def _pair_loop(lefts: Sequence, rights: Sequence) -> np.ndarray:
    """The set-based features no C routine computes: shared title words, surnames, initials, first author,
    number mismatch, surnames inside the other's text."""
    out = []
    append = out.append
    for a, b in zip(lefts, rights):
        wa, wb = a.title_words, b.title_words
        sa, sb = a.surname_set, b.surname_set
        mismatch = 0.0
        if wa != wb:
            for w in wa ^ wb:
                if w.isdigit() or w in _NUMBERISH:
                    mismatch = 1.0
                    break
        if sa and sb:
            ia, ib = a.initial_keys, b.initial_keys
            append((len(wa & wb), len(sa & sb), len(ia & ib) / min(len(ia), len(ib)) if ia and ib else NAN,
                    a.surnames[0] == b.surnames[0], mismatch, _in_text(a, b)))
        else:
            append((len(wa & wb), NAN, NAN, NAN, mismatch, NAN))
    return np.array(out, dtype=np.float64).reshape(len(out), 6)


def _similarities(xs: list[str], ys: list[str], scorer, scale: float) -> np.ndarray:
    """cpdist over the pairs that differ; equal strings are 1.0 without calling the scorer."""
    n = len(xs)
    out = np.ones(n, dtype=np.float64)
    differ = [k for k in range(n) if xs[k] != ys[k]]
    if differ:
        out[differ] = process.cpdist([xs[k] for k in differ], [ys[k] for k in differ], scorer=scorer,
                                     dtype=np.float64) / scale
    return out


def pair_rows(lefts: Sequence, rights: Sequence) -> np.ndarray:
    """Feature rows of the pairs (lefts[k], rights[k]) as an (n, len(FEATURE_NAMES)) float64 array; equal to
    pair_row pair by pair, at C speed for the string similarities and numpy speed for the rest."""
    n = len(lefts)
    out = np.empty((n, len(FEATURE_NAMES)), dtype=np.float64)
    if not n:
        return out
    ca, cb = _record_columns(lefts), _record_columns(rights)
    ta = [f.title for f in lefts]
    tb = [f.title for f in rights]
    out[:, 0] = _similarities([f.title_flat for f in lefts], [f.title_flat for f in rights],
                              Indel.normalized_similarity, 1.0)
    out[:, 1] = _similarities(ta, tb, fuzz.token_set_ratio, 100.0)
    out[:, 2] = _similarities(ta, tb, fuzz.partial_ratio, 100.0)
    out[:, 9] = _similarities([f.surname_text for f in lefts], [f.surname_text for f in rights],
                              fuzz.token_set_ratio, 100.0)
    out[:, 14] = _similarities([f.venue for f in lefts], [f.venue for f in rights], fuzz.token_set_ratio, 100.0)
    loop = _pair_loop(lefts, rights)
    shared_words = loop[:, 0]
    words_a, words_b = ca[:, 2], cb[:, 2]
    small = np.minimum(words_a, words_b)
    union = words_a + words_b - shared_words
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 3] = np.where(small > 0, shared_words / np.maximum(small, 1), 0.0)
        out[:, 4] = np.where(union > 0, shared_words / np.maximum(union, 1), 0.0)
        out[:, 5] = np.maximum(ca[:, 8], cb[:, 8])
        out[:, 6] = small
        chars = np.maximum(ca[:, 3], cb[:, 3])
        out[:, 7] = np.where((ca[:, 3] > 0) & (cb[:, 3] > 0), np.minimum(ca[:, 3], cb[:, 3]) / np.maximum(chars, 1),
                             0.0)
        sa, sb = ca[:, 4], cb[:, 4]
        out[:, 8] = loop[:, 1] / np.minimum(sa, sb)
        out[:, 10] = np.minimum(sa, sb) / np.maximum(sa, sb)
    out[:, 11] = loop[:, 3]
    out[:, 12] = loop[:, 2]
    ya, yb = ca[:, 0], cb[:, 0]
    gap = np.abs(ya - yb)
    earlier_preprint = np.where(ya < yb, ca[:, 1], cb[:, 1]) > 0
    out[:, 13] = np.where(earlier_preprint & (gap > 0) & (gap <= 3), 0.0, gap)
    ka, kb = ca[:, 5], cb[:, 5]
    out[:, 15] = np.where((ka > 0) & (kb > 0), (ka != kb).astype(np.float64), np.nan)
    out[:, 16] = np.where((sa > 0) & (sb > 0), np.minimum(ca[:, 6], cb[:, 6]), np.nan)
    out[:, 17] = loop[:, 4]
    out[:, 18] = loop[:, 5]
    out[:, 19] = np.maximum(ca[:, 7], cb[:, 7])
    no_authors = (sa == 0) | (sb == 0)
    out[no_authors, 8] = np.nan
    out[no_authors, 9] = np.nan
    out[no_authors, 10] = np.nan
    no_title = (ca[:, 3] == 0) | (cb[:, 3] == 0)
    out[no_title, 0:3] = np.nan
    no_venue = np.array([not (a.venue and b.venue) for a, b in zip(lefts, rights)])
    out[no_venue, 14] = np.nan
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

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Log-odds totals of many rows at once (vectorised over rows, one tree at a time)."""
        n = rows.shape[0]
        total = np.full(n, self.base)
        if not n:
            return total
        columns = np.ascontiguousarray(rows.T)
        r = np.arange(n)
        feature, threshold, missing_left = self.feature, self.threshold, self.missing_left
        left, right, value = self.left, self.right, self.value
        for root in self.roots.tolist():
            node = np.full(n, root)
            for _ in range(self.depth):
                x = columns[feature[node], r]
                go_left = np.where(np.isnan(x), missing_left[node], x <= threshold[node])
                nxt = np.where(go_left, left[node], right[node])
                node = np.where(nxt < 0, node, nxt)
            total += value[node]
        return total

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


@lru_cache(maxsize=1)
def default_model() -> TreeModel:
    try:
        return TreeModel.from_dict(json.loads(MODEL_PATH.read_text()))
    except (OSError, ValueError, KeyError) as e:
        raise RuntimeError(f"pubsync's match model {MODEL_PATH} is missing or damaged ({e}); reinstall pubsync "
                           "or retrain it with `python benchmarks/er.py train`") from e


def components(row: Sequence[float], model: TreeModel) -> tuple[float, dict[str, float]]:
    """(total, {component: log-odds}) for display; the prior is folded into 'title' when a title is present."""
    total, contrib = model.explain(row)
    comps: dict[str, float] = {}
    for value, group, x in zip(contrib, GROUPS, row):
        if x == x or value:
            comps[group] = comps.get(group, 0.0) + value
    prior_home = "title" if "title" in comps else next(iter(comps), "title")
    comps[prior_home] = comps.get(prior_home, 0.0) + total - sum(contrib)
    return total, comps


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


def logistic(total: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, total))))
