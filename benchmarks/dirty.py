"""Dirty citation records built from DBLP-Scholar's Scholar side, for `er.py cluster`.

    python benchmarks/dirty.py --out DIR [--realdata ../shared/realdata] [--seed 7]
    python benchmarks/er.py cluster --records DIR/records.csv --truth DIR/truth.csv

The Scholar records that the valid labels match with a DBLP record (so that their duplicates are known:
Scholar lists one paper several times, and an unlabelled duplicate would count as a false match) stay as they are,
and a damaged copy of each is added, damaged the way citation strings and Scholar rows are (one or two of, picked
at random):
  authors-in-title   the author list spills into the title, the authors field is empty
  venue-in-title     the venue is appended to the title, the venue field is empty
  year-in-title      '(1998)' closes the title, the year field is empty
  truncated          the title cut after 50-80 % of its words with '…', the author list after the first two
  whole-string       one citation string in the title ('A Smith, B Jones. Title. Venue, 1998.'), all else empty
  swapped            title and authors exchanged
  initials           given names cut to initials, a typo in one title word
`--only KIND` damages every copy one way instead, also by one of: title-in-venue (title and venue exchanged),
shifted (each field one column to the right: the title in the authors field, the authors in the venue field),
all-in-title (title, authors and venue run together in the title field).
Truth: each copy belongs with its original, and Scholar records matched with one DBLP record belong together.
Only the valid split is read (train is what `er.py train` fits on; the test split is never read). The files are
written outside the project (the data's licence is the benchmark's, see realdata/er/MANIFEST.md).
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from er import load_id_pairs, read_text  # noqa: E402

DAMAGES = ("authors-in-title", "venue-in-title", "year-in-title", "truncated", "whole-string", "swapped", "initials")
# further damages, one at a time on every copy (`--only KIND`): fields shifted a column, all fields run together
MORE_DAMAGES = ("title-in-venue", "shifted", "all-in-title")


def _initials(authors: str) -> str:
    out = []
    for name in authors.split(","):
        parts = name.split()
        out.append(" ".join([p[0] for p in parts[:-1]] + parts[-1:]) if len(parts) > 1 else name.strip())
    return ", ".join(o for o in out if o)


def _typo(title: str, rnd: random.Random) -> str:
    words = title.split()
    long = [k for k, w in enumerate(words) if len(w) >= 5]
    if long:
        k = rnd.choice(long)
        w = words[k]
        i = rnd.randrange(1, len(w) - 1)
        words[k] = w[:i] + w[i + 1] + w[i] + w[i + 2:]          # two letters swapped
    return " ".join(words)


def damage(row: dict, kind: str, rnd: random.Random) -> dict:
    r = dict(row)
    title, authors, venue, year = r["title"], r["authors"], r["venue"], r["year"]
    year_text = year.split(".")[0] if year else ""
    if kind == "authors-in-title" and authors:
        r["title"], r["authors"] = f"{authors} {title}", ""
    elif kind == "venue-in-title" and venue:
        r["title"], r["venue"] = f"{title} {venue}", ""
    elif kind == "year-in-title" and year_text:
        r["title"], r["year"] = f"{title} ({year_text})", ""
    elif kind == "truncated":
        words = title.split()
        keep = max(2, int(len(words) * rnd.uniform(0.5, 0.8)))
        if keep < len(words):
            r["title"] = " ".join(words[:keep]) + " …"
        names = [a for a in authors.split(",") if a.strip()]
        if len(names) > 2:
            r["authors"] = ", ".join(names[:2]) + " …"
    elif kind == "whole-string":
        r["title"] = ". ".join(p for p in (authors, title, ", ".join(p for p in (venue, year_text) if p)) if p) + "."
        r["authors"] = r["venue"] = r["year"] = ""
    elif kind == "swapped" and authors:
        r["title"], r["authors"] = authors, title
    elif kind == "initials":
        r["authors"], r["title"] = _initials(authors), _typo(title, rnd)
    elif kind == "title-in-venue":
        r["title"], r["venue"] = venue, title
    elif kind == "shifted":                                 # one column to the right: the title lands in authors
        r["title"], r["authors"], r["venue"] = "", title, authors
    elif kind == "all-in-title":
        r["title"], r["authors"], r["venue"] = " ".join(p for p in (title, authors, venue) if p), "", ""
    return r


def build(realdata: Path, out: Path, seed: int = 7, only: str = "") -> tuple[int, int]:
    ds = realdata / "er" / "dblp-scholar" / "magellan-structured"
    same_dblp = defaultdict(set)                            # Scholar lists one paper several times
    for a, b, label in load_id_pairs(ds / "valid.csv"):
        if label == 1:
            same_dblp[a].add(b)
    labelled = set().union(*same_dblp.values())
    rows = [r for r in csv.DictReader(read_text(ds / "tableB_referenced.csv").splitlines()) if r["id"] in labelled]
    rnd = random.Random(seed)
    records, truth = [], []
    for row in rows:
        records.append(row)
        kinds = [only] if only else rnd.sample(DAMAGES, rnd.choice((1, 2)))
        copy = dict(row, id=f"d{row['id']}")
        for kind in kinds:
            copy = damage(copy, kind, rnd)
        records.append(copy)
        truth.append((row["id"], copy["id"]))
    for scholar_ids in same_dblp.values():
        ids = sorted(scholar_ids)
        truth.extend((ids[0], other) for other in ids[1:])
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "records.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "title", "authors", "venue", "year"])
        w.writeheader()
        w.writerows({k: r[k] for k in ("id", "title", "authors", "venue", "year")} for r in records)
    with open(out / "truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id1", "id2"])
        w.writerows(truth)
    return len(records), len(truth)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("PUBSYNC_REALDATA") or Path(__file__).resolve().parent.parent.parent / "shared/realdata"
    ap.add_argument("--realdata", type=Path, default=Path(default))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", choices=DAMAGES + MORE_DAMAGES, default="",
                    help="damage every copy this one way (default: one or two of the first seven, at random)")
    args = ap.parse_args()
    n, t = build(args.realdata, args.out, args.seed, args.only)
    print(f"{n} records, {t} true pairs -> {args.out}/records.csv, {args.out}/truth.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
