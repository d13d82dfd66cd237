"""Export speed: N synthetic works rendered and written to all seven targets, as `pubsync sync` writes them.

    python benchmarks/export.py [--works 300,10000] [--runs 5] [--dir D]

For each size, in a fresh process each time: the first export into an empty site, then the same export again
(every file unchanged, so nothing is written). Prints the render and write times of each, and with --runs N the
minimum and median of the totals. Works are generated deterministically.
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pubsync.export import FORMATS, ExportContext, default_path, render  # noqa: E402
from pubsync.export.writer import END, START, apply, plan  # noqa: E402
from pubsync.records import Author, Work  # noqa: E402
from pubsync.settings import Person  # noqa: E402

WORDS = ("deep learning model merging sparse task arithmetic benchmark efficient robust scaling laws multilingual "
         "language reward modeling graph neural networks causal discovery BERT LLM GPU Über naïve").split()
TYPES = ("journal-article", "conference-paper", "preprint", "book-chapter", "thesis", "report", "other")
ME = Person(name="Josiah Carberry", orcid="0000-0002-1825-0097")


def synthetic_works(n: int) -> list[Work]:
    rng = random.Random(20260301)
    works = []
    for i in range(n):
        year = rng.randint(1995, 2026)
        authors = [Author(f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}{i % 97}") for _ in range(rng.randint(1, 8))]
        authors.insert(rng.randint(0, len(authors)), Author(ME.name, orcid=ME.orcid))
        extra = {"selected": True, "abbr": "ICML", "code": f"https://github.com/x/r{i}"} if i % 10 == 0 else {}
        works.append(Work(
            key=f"work{i:05d}", title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))).capitalize(),
            authors=authors, year=year, date=f"{year}-{rng.randint(1, 12):02d}", type=rng.choice(TYPES),
            venue=f"Proceedings of {rng.choice(WORDS).title()} {year}", abstract=" ".join(rng.choices(WORDS, k=120)),
            ids={"doi": f"10.5555/{i}", "arxiv": f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}",
                 "scholar": f"p{i:08d}"},
            citations={"scholar": rng.randint(0, 500), "openalex": rng.randint(0, 400)},
            people=[ME.key], extra=extra))
    return works


def export_once(n: int, root: Path, label: str) -> None:
    """Render every format and write it under `root`, in this process; print the times."""
    works = synthetic_works(n)
    ctx = ExportContext(people=[ME], site_kind="al-folio", data_date="2026-03-01", scholar_users=["SCHOLARUSR1"])
    for fmt in ("markdown", "html"):
        page = root / default_path(fmt, "al-folio")
        if not page.exists():
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f"---\n---\nintro\n{START}\n{END}\n")
    t0 = time.perf_counter()
    rendered, seconds = {}, {}
    for fmt in FORMATS:
        start = time.perf_counter()
        rendered[fmt] = render(fmt, works, ctx)
        seconds[fmt] = time.perf_counter() - start
    t1 = time.perf_counter()
    statuses: dict[str, int] = {}
    for fmt, files in rendered.items():
        for _, status in apply(plan(fmt, files, root / default_path(fmt, "al-folio"))):
            statuses[status] = statuses.get(status, 0) + 1
    t2 = time.perf_counter()
    print(f"  render {t1 - t0:6.3f} s ({', '.join(f'{fmt} {s:.3f}' for fmt, s in seconds.items())})")
    print(f"  write  {t2 - t1:6.3f} s  {statuses}")
    print(f"TOTAL {n} works, {label}: {t2 - t0:.3f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", default="300,10000", help="comma-separated sizes")
    parser.add_argument("--runs", type=int, default=1, help="runs to summarise (min, median)")
    parser.add_argument("--dir", default=None, help="where the sites are made (default: the system's temp folder)")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)    # N ROOT LABEL: one export in this process
    args = parser.parse_args()
    if args.one:
        export_once(int(args.one[0]), Path(args.one[1]), args.one[2])
        return 0
    totals: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for n in (int(x) for x in args.works.split(",")):
            for run in range(max(1, args.runs)):
                root = Path(tmp) / f"site-{n}-{run}"
                for label in ("first export", "unchanged re-export"):
                    out = subprocess.run([sys.executable, __file__, "--one", str(n), str(root), label],
                                         capture_output=True, text=True, check=True).stdout
                    if run == args.runs - 1 or args.runs <= 1:
                        print(out, end="", flush=True)
                    for name, seconds in re.findall(r"^TOTAL (.+): ([\d.]+) s$", out, re.M):
                        totals.setdefault(name, []).append(float(seconds))
    if args.runs > 1:
        print()
        for name, values in totals.items():
            print(f"{name:38s} over {args.runs} runs: min {min(values):.3f} s, median {statistics.median(values):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
