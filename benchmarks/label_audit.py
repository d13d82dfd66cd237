"""How far a benchmark's labels agree with the README's definition of one work: a blind audit's figures.

The verdicts file (benchmarks/label-audit/*.tsv) names labelled pairs of a split by id, the stratum each was
drawn from at random (positives; negatives by the shipped matcher's score when drawn) and that stratum's size,
and two judges' verdicts — SAME, DIFF or UNSURE — given without seeing the label or any score, by the criteria in
benchmarks/label-audit/criteria.md. A label counts as wrong only where both judges contradict it.

    python benchmarks/label_audit.py sheet    --verdicts V --left A.csv --right B.csv --out sheet.txt
    python benchmarks/label_audit.py estimate --verdicts V --left A.csv --right B.csv --pairs valid.csv

`sheet` writes the pairs blind (shuffled, numbered, no label, no score) for judging them again. `estimate`
prints, scaled from each stratum's sample to the whole split: the labels the judges contradict; the F1 against
the labels of a matcher that follows the definition exactly, with a bootstrap interval, and again with the
reworded-title calls left as labelled; and today's matcher (pubsync.match) scored against the labels and against
the audited truth.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import er
from pubsync.match import outcome_of, score_pairs

COLUMNS = ("ltable_id", "rtable_id", "stratum", "stratum_size", "judge_a", "judge_b", "reworded")


def _read_tsv(path: str | Path, needed: set[str]) -> list[dict]:
    """The rows of a tab-separated audit file ('#' lines are comments); each must have the `needed` columns."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        if not needed <= set(reader.fieldnames or ()):
            raise er.BenchmarkInputError(f"{path}: expected the columns {', '.join(sorted(needed))}")
        rows = list(reader)
    for row in rows:
        row["reworded"] = row["reworded"] == "1"
    return rows


def read_verdicts(path: str | Path) -> list[dict]:
    rows = _read_tsv(path, set(COLUMNS))
    for row in rows:
        row["stratum_size"] = int(row["stratum_size"])
    return rows


def verdict(row: dict, reworded: bool = True) -> int | None:
    """1 where both judges say SAME, 0 where both say DIFF, else None. With reworded=False also None where their
    call is one work for a reworded title: the least certain call, since records alone rarely tell a retitled
    report of a paper from another paper of its authors that year."""
    if row["judge_a"] != row["judge_b"] or (row["reworded"] and not reworded):
        return None
    return {"SAME": 1, "DIFF": 0}.get(row["judge_a"])


def audited(row: dict, reworded: bool = True) -> int:
    """The audited label: the judges' verdict where they give one, else the benchmark's."""
    judged = verdict(row, reworded)
    return row["label"] if judged is None else judged


def audited_labels(audit: str | Path, ids: list[str], labels: list[int],
                   keep_reworded: bool = False) -> list[int]:
    """`labels` of the rows with these ids (DBLP-Scholar's joined train file) with each one both judges of an audit
    file (columns id, judge_a, judge_b, reworded) contradict replaced by their verdict; with keep_reworded, not
    where their call is a reworded title. For `er.py train --audit`."""
    judged = {row["id"]: verdict(row, not keep_reworded)
              for row in _read_tsv(audit, {"id", "judge_a", "judge_b", "reworded"})}
    return [label if judged.get(i) is None else judged[i] for i, label in zip(ids, labels)]


def _tables(left: str, right: str) -> tuple[dict, dict]:
    return ({r.source_id: r for r in er.load_table(left, "left")},
            {r.source_id: r for r in er.load_table(right, "right")})


def _split(left: str, right: str, pairs: str) -> tuple[dict, list]:
    """Every labelled pair of the split as {(left id, right id): label} and its records."""
    la, rb = _tables(left, right)
    labelled = {(a, b): label for a, b, label in er.load_id_pairs(pairs) if a in la and b in rb}
    return labelled, [(la[a], rb[b]) for a, b in labelled]


def _weights(rows: list[dict]) -> list[float]:
    drawn = Counter(row["stratum"] for row in rows)
    return [row["stratum_size"] / drawn[row["stratum"]] for row in rows]


def _f1(tp: float, fp: float, fn: float) -> float:
    return 2 * tp / (2 * tp + fp + fn)


def ceiling_f1(rows: list[dict], positives: int, reworded: bool = True) -> float:
    """F1 against the labels of a matcher that answers every pair as the audit does, scaled to the split (pairs in
    no stratum count as labelled right)."""
    weights = _weights(rows)
    wrong_pos = sum(w for row, w in zip(rows, weights) if row["label"] == 1 and audited(row, reworded) == 0)
    wrong_neg = sum(w for row, w in zip(rows, weights) if row["label"] == 0 and audited(row, reworded) == 1)
    return _f1(positives - wrong_pos, wrong_neg, wrong_pos)


def run_estimate(verdicts: str, left: str, right: str, pairs: str, resamples: int = 10_000) -> dict:
    rows = read_verdicts(verdicts)
    labelled, records = _split(left, right, pairs)
    for row in rows:                    # the labels stay in the benchmark's files; the verdicts name pairs by id
        if (row["ltable_id"], row["rtable_id"]) not in labelled:
            raise er.BenchmarkInputError(f"{verdicts}: the pair {row['ltable_id']}, {row['rtable_id']} is not in "
                                         f"{pairs}")
        row["label"] = labelled[row["ltable_id"], row["rtable_id"]]
    feats = [er.features(r) for pair in records for r in pair]
    totals, _ = score_pairs(feats, [(2 * k, 2 * k + 1) for k in range(len(records))])
    said = dict(zip(labelled, (outcome_of(t) == "same" for t in totals.tolist())))
    cells = Counter((said[key], label) for key, label in labelled.items())       # today's matcher vs the labels
    tp, fp, fn = cells[True, 1], cells[True, 0], cells[False, 1]
    labels_f1 = _f1(tp, fp, fn)
    weights = _weights(rows)
    for row, w in zip(rows, weights):              # move each contradicted label's share to its audited cell
        if audited(row) != row["label"]:
            gained = w if audited(row) == 1 else -w
            if said[row["ltable_id"], row["rtable_id"]]:
                tp, fp = tp + gained, fp - gained
            else:
                fn += gained
    positives = sum(labelled.values())
    by_stratum = defaultdict(list)
    for row in rows:
        by_stratum[row["stratum"]].append(row)
    rng = random.Random(0)
    boot = sorted(ceiling_f1([rng.choice(group) for group in by_stratum.values() for _ in group], positives)
                  for _ in range(resamples))      # resampled within each stratum, as it was drawn
    result = dict(pairs=len(labelled), audited=len(rows), judges_agree=sum(r["judge_a"] == r["judge_b"] for r in rows),
                  positives_contradicted=sum(w for r, w in zip(rows, weights) if r["label"] == 1 and audited(r) == 0),
                  negatives_contradicted=sum(w for r, w in zip(rows, weights) if r["label"] == 0 and audited(r) == 1),
                  ceiling_f1=ceiling_f1(rows, positives), ceiling_low=boot[int(0.025 * resamples)],
                  ceiling_high=boot[int(0.975 * resamples)],
                  ceiling_f1_reworded_kept=ceiling_f1(rows, positives, reworded=False), matcher_f1_labels=labels_f1,
                  matcher_f1_audited=_f1(tp, fp, fn))
    for stratum, group in sorted(by_stratum.items()):
        result[f"stratum_{stratum}"] = (f"{len(group)} of {group[0]['stratum_size']}: "
                                        f"{sum(audited(r) != r['label'] for r in group)} contradicted")
    return result


def write_sheet(verdicts: str, left: str, right: str, out: str) -> None:
    """The pairs in a shuffled order (the verdicts file is sorted by stratum), numbered, without label or score;
    OUT.ids.tsv maps each number back to the pair."""
    rows = read_verdicts(verdicts)
    random.Random(0).shuffle(rows)
    la, rb = _tables(left, right)

    def show(r) -> str:
        return (f"title: {r.title}\n     authors: {', '.join(a.name for a in r.authors) or '-'}\n"
                f"     venue: {r.venue or '-'}\n     year: {r.year or '-'}")
    with open(out, "w", encoding="utf-8") as sheet, open(f"{out}.ids.tsv", "w", encoding="utf-8") as ids:
        ids.write("item\tltable_id\trtable_id\n")
        for n, row in enumerate(rows, 1):
            sheet.write(f"#{n}\n  A: {show(la[row['ltable_id']])}\n  B: {show(rb[row['rtable_id']])}\n\n")
            ids.write(f"{n}\t{row['ltable_id']}\t{row['rtable_id']}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    for name in ("sheet", "estimate"):
        p = sub.add_parser(name)
        p.add_argument("--verdicts", required=True)
        p.add_argument("--left", required=True)
        p.add_argument("--right", required=True)
        if name == "estimate":
            p.add_argument("--pairs", required=True)
        if name == "sheet":
            p.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    try:
        if args.mode == "sheet":
            write_sheet(args.verdicts, args.left, args.right, args.out)
            return 0
        result = run_estimate(args.verdicts, args.left, args.right, args.pairs)
    except (OSError, KeyError, ValueError, er.BenchmarkInputError, csv.Error) as e:
        print(f"label_audit.py: {e}", file=sys.stderr)
        return 2
    for k, v in result.items():
        print(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
