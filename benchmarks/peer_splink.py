"""pubsync's matcher and splink side by side, in one run, on the same records and truth.

    python benchmarks/peer_splink.py link    --left DBLP2.csv --right ACM.csv --truth DBLP-ACM_perfectMapping.csv
    python benchmarks/peer_splink.py cluster --records D/records.csv --truth D/truth.csv   (D from dirty.py)

splink (probabilistic Fellegi-Sunter linkage on DuckDB, the `peer` extra) is configured the way its documentation
sets up a new model, with the columns a bibliographic record has: comparisons with fuzzy levels for the title
(Jaro-Winkler, term frequencies on the exact level), the author surnames (array intersection), the venue and the
year; blocking rules on a title prefix, a title suffix and first surname + year; the prior from exact-title matches,
u by random sampling, m by expectation maximisation under two blocking rules; pairs at match probability ≥ 0.5.
No labels are used to fit it (nor pubsync's model on these records). `best_f1` is splink's F1 at the threshold that
suits the truth best — an upper bound no user gets without labels. In `link`, both are told what the benchmark
states, that each table names a publication once (pubsync merges with match.cluster(); splink's pairs are taken
strongest first, each record once); `pairs_f1` is every pair above the threshold without it.
Both read the records through er.py's loader, so they see the same fields; timings include loading.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from er import (  # noqa: E402
    BenchmarkInputError, _clusters_to_pairs, load_id_pairs, load_table, prf, run_cluster, run_link,
)


def _norm(text: str | None) -> str | None:
    words = re.sub(r"[^\w]+", " ", (text or "").lower()).split()
    return " ".join(words) or None


def _rows(records) -> list[dict]:
    rows = []
    for r in records:
        title = _norm(r.title)
        surnames = [s for s in (_norm(a.name.split()[-1]) for a in r.authors if a.name.split()) if s]
        words = title.split() if title else []
        rows.append(dict(unique_id=r.source_id, title=title, title_start=" ".join(words[:3]) or None,
                         title_end=" ".join(words[-3:]) or None, surnames=surnames or None,
                         first_surname=surnames[0] if surnames else None, venue=_norm(r.venue), year=r.year))
    return rows


def _settings(link_type: str):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    year = cl.CustomComparison(output_column_name="year", comparison_levels=[
        cll.NullLevel("year"), cll.ExactMatchLevel("year"), cll.AbsoluteDifferenceLevel("year", 1), cll.ElseLevel()])
    return SettingsCreator(
        link_type=link_type,
        comparisons=[
            cl.JaroWinklerAtThresholds("title", [0.97, 0.9, 0.8]).configure(term_frequency_adjustments=True),
            cl.ArrayIntersectAtSizes("surnames", [3, 2, 1]),
            cl.JaroWinklerAtThresholds("venue", [0.9, 0.7]),
            year,
        ],
        blocking_rules_to_generate_predictions=[
            block_on("title_start"), block_on("title_end"), block_on("first_surname", "year"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def _fit_and_predict(tables: list[list[dict]], link_type: str) -> tuple[list[tuple[str, str, float]], set]:
    from splink import Linker, block_on
    from splink.backends.duckdb import DuckDBAPI

    db = DuckDBAPI()
    frames = [db.register(t, table_name=f"t{k}") for k, t in enumerate(tables)]
    linker = Linker(frames if len(frames) > 1 else frames[0], _settings(link_type), log_level=40)
    linker.training.estimate_probability_two_random_records_match([block_on("title")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("title_start"),
                                                                      record_sample_proportion=1.0)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_surname", "year"),
                                                                      record_sample_proportion=1.0)
    pairs = linker.inference.predict(threshold_match_probability=0.001).as_record_list()
    scored = [(p["unique_id_l"], p["unique_id_r"], p["match_probability"]) for p in pairs]
    blocked = {(p["unique_id_l"], p["unique_id_r"]) for p in pairs}
    return scored, blocked


def _oriented(pairs, left_ids: set) -> set:
    return {(a, b) if a in left_ids else (b, a) for a, b in pairs}


def splink_link(left: str, right: str, truth: str) -> dict:
    t0 = time.perf_counter()
    la, rb = load_table(left, "left"), load_table(right, "right")
    scored, _ = _fit_and_predict([_rows(la), _rows(rb)], "link_only")
    seconds = time.perf_counter() - t0
    left_ids = {r.source_id for r in la}
    truth_pairs = _oriented({(a, b) for a, b, _ in load_id_pairs(truth)}, left_ids)

    def f1_at(t: float, once: bool = True) -> tuple[float, float, float]:
        above = [(a, b, p) if a in left_ids else (b, a, p) for a, b, p in scored if p >= t]
        found = {(a, b) for a, b, _ in (_each_once(above) if once else above)}
        tp = len(found & truth_pairs)
        return prf(tp, len(found) - tp, len(truth_pairs) - tp)

    p, r, f = f1_at(0.5)
    best = max(f1_at(t)[2] for t in _grid())
    return dict(precision=p, recall=r, f1=f, best_f1=best, pairs_f1=f1_at(0.5, once=False)[2], seconds=seconds)


def _each_once(scored: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """The premise er.py's link gives pubsync (each table names a publication once), applied to splink's (left,
    right) pairs: strongest first, a record joins at most one partner."""
    used_left: set[str] = set()
    used_right: set[str] = set()
    kept = []
    for a, b, p in sorted(scored, key=lambda t: (-t[2], t[0], t[1])):
        if a not in used_left and b not in used_right:
            used_left.add(a)
            used_right.add(b)
            kept.append((a, b, p))
    return kept


def splink_cluster(records_path: str, truth: str) -> dict:
    t0 = time.perf_counter()
    records = load_table(records_path, "r")
    scored, blocked = _fit_and_predict([_rows(records)], "dedupe_only")
    seconds = time.perf_counter() - t0
    index = {r.source_id: i for i, r in enumerate(records)}
    true_pairs = {tuple(sorted((index[a], index[b]))) for a, b, _ in load_id_pairs(truth)
                  if a in index and b in index and a != b}
    true_closure = _clusters_to_pairs(len(records), sorted(true_pairs))

    def f1_at(t: float) -> tuple[float, float, float]:
        found = _clusters_to_pairs(len(records), [(index[a], index[b]) for a, b, p in scored if p >= t])
        tp = len(found & true_closure)
        return prf(tp, len(found) - tp, len(true_closure) - tp)

    p, r, f = f1_at(0.5)
    best = max(f1_at(t)[2] for t in _grid())
    blocked_idx = {tuple(sorted((index[a], index[b]))) for a, b in blocked}
    return dict(precision=p, recall=r, f1=f, best_f1=best, seconds=seconds,
                blocking_recall=len(true_pairs & blocked_idx) / len(true_pairs))


def _grid() -> list[float]:
    return [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999]


def _line(name: str, result: dict) -> str:
    cells = [f"{k}={result[k]:.4f}" if isinstance(result[k], float) else f"{k}={result[k]}"
             for k in ("precision", "recall", "f1", "best_f1", "pairs_f1", "blocking_recall", "seconds") if k in result]
    return f"{name:8s} " + " ".join(cells)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    li = sub.add_parser("link")
    li.add_argument("--left", required=True); li.add_argument("--right", required=True)
    li.add_argument("--truth", required=True)
    c = sub.add_parser("cluster"); c.add_argument("--records", required=True); c.add_argument("--truth", required=True)
    args = ap.parse_args(argv)
    try:
        import splink  # noqa: F401
    except ImportError:
        print("peer_splink.py: splink is not installed: pip install -e '.[peer]'", file=sys.stderr)
        return 2
    try:
        if args.mode == "link":
            ours, theirs = run_link(args.left, args.right, args.truth), splink_link(args.left, args.right, args.truth)
        else:
            ours, theirs = run_cluster(args.records, args.truth), splink_cluster(args.records, args.truth)
    except (OSError, BenchmarkInputError) as e:
        print(f"peer_splink.py: {e}", file=sys.stderr)
        return 2
    print(_line("pubsync", ours))
    print(_line("splink", theirs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
