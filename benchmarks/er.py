"""Entity-resolution benchmarks for pubsync's matcher (quality and speed).

    python benchmarks/er.py pairs   --left A.csv --right B.csv --pairs P.csv
    python benchmarks/er.py cluster --records R.csv --truth T.csv
    python benchmarks/er.py link    --left A.csv --right B.csv --truth M.csv [--one-to-one]
    python benchmarks/er.py speed   --left A.csv --right B.csv --pairs P.csv

Tables: Magellan layout (`id,title,authors,venue,year`, UTF-8, lower-cased and tokenized) or the Leipzig
originals (Latin-1, CRLF, `N/A` for missing, quoted headers). The encoding is detected (UTF-8, else Latin-1).
Pairs: `ltable_id,rtable_id,label`. Truth: two id columns per matching pair, any header names.
Every mode uses the production matcher (pubsync.match); a "maybe" counts as not-a-match in these figures.
The last line printed is the machine-readable result.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pubsync.match import DEFAULT_SETTINGS, Features, MatchSettings, block, features, outcome_of, score  # noqa: E402
from pubsync.normalize import split_author_string  # noqa: E402
from pubsync.records import Author, Record  # noqa: E402


class BenchmarkInputError(Exception):
    pass


def read_text(path: str | Path) -> str:
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _missing(value: str | None) -> str:
    v = (value or "").strip()
    return "" if v in ("N/A", "nan", "NaN", "NULL") else v


def _year(value: str) -> int | None:
    v = _missing(value)
    try:
        return int(float(v)) if v else None
    except ValueError:
        return None


def load_table(path: str | Path, source: str) -> list[Record]:
    """A table of publications -> Records (source_id = the row's id)."""
    rows = list(csv.DictReader(io.StringIO(read_text(path), newline="")))
    if not rows:
        raise BenchmarkInputError(f"{path}: no rows")
    cols = {c.lower().strip(): c for c in rows[0].keys() if c}
    missing = [c for c in ("id", "title") if c not in cols]
    if missing:
        raise BenchmarkInputError(f"{path}: missing column(s) {', '.join(missing)}; expected id,title,authors,venue,year")
    records = []
    for row in rows:
        def get(name: str) -> str:
            return _missing(row.get(cols.get(name, ""), ""))
        names, complete = split_author_string(get("authors"))
        records.append(Record(
            source=source, source_id=get("id"), title=get("title"),
            authors=[Author(name=n) for n in names], authors_complete=complete,
            year=_year(get("year")), venue=get("venue"),
        ))
    return records


def load_id_pairs(path: str | Path) -> list[tuple[str, str, int]]:
    """(left id, right id, label) from a pairs file (with label) or a truth file (every row a match)."""
    rows = list(csv.reader(io.StringIO(read_text(path), newline="")))
    if not rows:
        raise BenchmarkInputError(f"{path}: empty")
    header = [h.strip().lower() for h in rows[0]]
    has_header = not any(h.lstrip("-").isdigit() for h in header[:2])
    body = rows[1:] if has_header else rows
    label_col = header.index("label") if has_header and "label" in header else None
    id_cols = [i for i, h in enumerate(header) if h != "label" and h != "id"][:2] if has_header else [0, 1]
    if has_header and len(id_cols) < 2:
        id_cols = [0, 1]
    out = []
    for row in body:
        if len(row) < 2:
            continue
        label = int(row[label_col]) if label_col is not None else 1
        out.append((row[id_cols[0]].strip(), row[id_cols[1]].strip(), label))
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# ---- modes ---------------------------------------------------------------------------------------

def run_pairs(left: str, right: str, pairs: str, settings: MatchSettings = DEFAULT_SETTINGS) -> dict:
    t0 = time.perf_counter()
    la = {r.source_id: features(r) for r in load_table(left, "left")}
    rb = {r.source_id: features(r) for r in load_table(right, "right")}
    labelled = load_id_pairs(pairs)
    tp = fp = fn = skipped = 0
    for a, b, label in labelled:
        fa, fb = la.get(a), rb.get(b)
        if fa is None or fb is None:
            skipped += 1
            continue
        same = outcome_of(score(fa, fb, settings)[0], settings) == "same"
        tp += same and label == 1
        fp += same and label == 0
        fn += (not same) and label == 1
    p, r, f = prf(tp, fp, fn)
    return dict(precision=p, recall=r, f1=f, pairs=len(labelled) - skipped, skipped=skipped,
                seconds=time.perf_counter() - t0)


def _clusters_to_pairs(n: int, edges: list[tuple[int, int]]) -> set[tuple[int, int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out = set()
    for members in groups.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                out.add((members[x], members[y]))
    return out


def run_cluster(records_path: str, truth: str, settings: MatchSettings = DEFAULT_SETTINGS) -> dict:
    t0 = time.perf_counter()
    records = load_table(records_path, "r")
    feats = [features(r) for r in records]
    index = {r.source_id: i for i, r in enumerate(records)}
    candidates = block(feats)
    edges = [(i, j) for i, j in candidates if outcome_of(score(feats[i], feats[j], settings)[0], settings) == "same"]
    found = _clusters_to_pairs(len(records), edges)
    seconds = time.perf_counter() - t0
    true_pairs = set()
    for a, b, _ in load_id_pairs(truth):
        if a in index and b in index and a != b:
            i, j = index[a], index[b]
            true_pairs.add((min(i, j), max(i, j)))
    true_closure = _clusters_to_pairs(len(records), sorted(true_pairs))
    tp = len(found & true_closure)
    p, r, f = prf(tp, len(found) - tp, len(true_closure) - tp)
    blocked = set(candidates)
    br = len(true_pairs & blocked) / len(true_pairs) if true_pairs else 1.0
    return dict(precision=p, recall=r, f1=f, records=len(records), seconds=seconds, blocking_recall=br,
                candidates=len(candidates))


def run_link(left: str, right: str, truth: str, one_to_one: bool = False,
             settings: MatchSettings = DEFAULT_SETTINGS) -> dict:
    t0 = time.perf_counter()
    la, rb = load_table(left, "left"), load_table(right, "right")
    feats = [features(r) for r in la] + [features(r) for r in rb]
    n_left = len(la)
    candidates = block(feats, left_count=n_left)
    scored = []
    for i, j in candidates:
        total = score(feats[i], feats[j], settings)[0]
        if outcome_of(total, settings) == "same":
            scored.append((total, i, j))
    if one_to_one:
        # told that each record has at most one partner: keep the best-scoring pair per record, greedily
        scored.sort(key=lambda t: (-t[0], t[1], t[2]))
        used: set[int] = set()
        kept = []
        for total, i, j in scored:
            if i not in used and j not in used:
                used.update((i, j))
                kept.append((total, i, j))
        scored = kept
    seconds = time.perf_counter() - t0
    found = {(la[i].source_id, rb[j - n_left].source_id) for _, i, j in scored}
    truth_pairs = {(a, b) for a, b, _ in load_id_pairs(truth)}
    lid = {r.source_id for r in la}
    if truth_pairs and not any(a in lid for a, _ in truth_pairs):
        truth_pairs = {(b, a) for a, b in truth_pairs}           # truth columns in the other order
    tp = len(found & truth_pairs)
    p, r, f = prf(tp, len(found) - tp, len(truth_pairs) - tp)
    cand_ids = {(la[i].source_id, rb[j - n_left].source_id) for i, j in candidates}
    br = len(truth_pairs & cand_ids) / len(truth_pairs) if truth_pairs else 1.0
    return dict(precision=p, recall=r, f1=f, records=len(feats), seconds=seconds, blocking_recall=br,
                candidates=len(candidates))


def run_speed(left: str, right: str, pairs: str, repeat: int = 5, settings: MatchSettings = DEFAULT_SETTINGS) -> dict:
    """Scoring throughput on precomputed features (one core, the fast path the clusterer uses)."""
    la = {r.source_id: features(r) for r in load_table(left, "left")}
    rb = {r.source_id: features(r) for r in load_table(right, "right")}
    work: list[tuple[Features, Features]] = [(la[a], rb[b]) for a, b, _ in load_id_pairs(pairs) if a in la and b in rb]
    t0 = time.perf_counter()
    for _ in range(repeat):
        for fa, fb in work:
            score(fa, fb, settings)
    seconds = time.perf_counter() - t0
    return dict(pairs=len(work) * repeat, seconds=seconds, pairs_per_second=len(work) * repeat / seconds)


def _print(result: dict, keys: list[str]) -> None:
    extra = [k for k in result if k not in keys]
    for k in extra:
        v = result[k]
        print(f"  {k}: {v:.4f}" if isinstance(v, float) else f"  {k}: {v}")
    print(" ".join(f"{k}={result[k]:.4f}" if isinstance(result[k], float) else f"{k}={result[k]}" for k in keys))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("pairs"); p.add_argument("--left", required=True); p.add_argument("--right", required=True)
    p.add_argument("--pairs", required=True)
    c = sub.add_parser("cluster"); c.add_argument("--records", required=True); c.add_argument("--truth", required=True)
    li = sub.add_parser("link"); li.add_argument("--left", required=True); li.add_argument("--right", required=True)
    li.add_argument("--truth", required=True); li.add_argument("--one-to-one", action="store_true")
    s = sub.add_parser("speed"); s.add_argument("--left", required=True); s.add_argument("--right", required=True)
    s.add_argument("--pairs", required=True)
    args = ap.parse_args(argv)
    try:
        if args.mode == "pairs":
            _print(run_pairs(args.left, args.right, args.pairs), ["precision", "recall", "f1", "pairs", "seconds"])
        elif args.mode == "cluster":
            _print(run_cluster(args.records, args.truth), ["precision", "recall", "f1", "records", "seconds"])
        elif args.mode == "link":
            _print(run_link(args.left, args.right, args.truth, args.one_to_one),
                   ["precision", "recall", "f1", "records", "seconds", "blocking_recall"])
        else:
            _print(run_speed(args.left, args.right, args.pairs), ["pairs", "seconds", "pairs_per_second"])
    except (OSError, BenchmarkInputError, csv.Error) as e:
        print(f"er.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
