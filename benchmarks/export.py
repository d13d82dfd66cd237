"""Export speed: N synthetic works rendered and written to every target; prints seconds per target.

    python benchmarks/export.py [--works 10000] [--budget 2.0] [--runs 5]

Per target: render and write, wall and CPU (time.process_time: the machine may be shared), for a first export into
an empty site and for a re-export of the same data (nothing changes on disk). Each run is a fresh process, so the
caches start cold as in a real `pubsync sync`; with --runs N the TOTAL lines of N runs are summarised (min, median).
Exits 1 when the median first-export wall total exceeds the budget (seconds). Works are generated deterministically.
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

from pubsync.export import FORMATS, START, END, ExportContext, default_path, render, write  # noqa: E402
from pubsync.records import Author, Work  # noqa: E402
from pubsync.settings import Person  # noqa: E402

WORDS = ("deep learning model merging sparse task arithmetic benchmark efficient robust scaling laws multilingual "
         "language reward modeling graph neural networks causal discovery BERT LLM GPU Über naïve").split()
TYPES = ("journal-article", "conference-paper", "preprint", "book-chapter", "thesis", "report", "other")


def synthetic_works(n: int, me: Person) -> list[Work]:
    rng = random.Random(20260301)
    works = []
    for i in range(n):
        year = rng.randint(1995, 2026)
        authors = [Author(f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}{i % 97}") for _ in range(rng.randint(1, 8))]
        authors.insert(rng.randint(0, len(authors)), Author(me.name, orcid=me.orcid))
        extra = {"selected": True, "abbr": "ICML", "code": f"https://github.com/x/r{i}"} if i % 10 == 0 else {}
        works.append(Work(
            key=f"work{i:05d}", title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))).capitalize(),
            authors=authors, year=year, date=f"{year}-{rng.randint(1, 12):02d}", type=rng.choice(TYPES),
            venue=f"Proceedings of {rng.choice(WORDS).title()} {year}", abstract=" ".join(rng.choices(WORDS, k=120)),
            ids={"doi": f"10.5555/{i}", "arxiv": f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}",
                 "scholar": f"p{i:08d}"},
            citations={"scholar": rng.randint(0, 500), "openalex": rng.randint(0, 400)},
            people=[me.key], extra=extra))
    return works


def export_all(works: list[Work], ctx: ExportContext, root: Path, label: str) -> tuple[float, float]:
    """Render and write every format under `root`; prints one line per format; returns (wall, cpu) totals."""
    total = total_cpu = 0.0
    statuses: dict[str, int] = {}
    for fmt in FORMATS:
        target = root / default_path(fmt, "al-folio")
        t0, c0 = time.perf_counter(), time.process_time()
        files = render(fmt, works, ctx)
        t1, c1 = time.perf_counter(), time.process_time()
        for _, status in write(fmt, files, target):
            statuses[status] = statuses.get(status, 0) + 1
        t2, c2 = time.perf_counter(), time.process_time()
        size = sum(len(b) for b in files.values())
        print(f"  {fmt:14s} render {t1 - t0:6.3f} s (cpu {c1 - c0:6.3f})  write {t2 - t1:6.3f} s (cpu {c2 - c1:6.3f})"
              f"  {len(files)} file{'s' if len(files) > 1 else ''}, {size / 1e6:.1f} MB")
        total += t2 - t0
        total_cpu += c2 - c0
    print(f"TOTAL {label}: {total:.3f} s (cpu {total_cpu:.3f} s)  {statuses}")
    return total, total_cpu


def one_run(n: int) -> float:
    me = Person(name="Josiah Carberry", orcid="0000-0002-1825-0097")
    works = synthetic_works(n, me)
    ctx = ExportContext(people=[me], site_kind="al-folio", data_date="2026-03-01", scholar_users=["SCHOLARUSR1"])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for fmt in ("markdown", "html"):
            page = root / default_path(fmt, "al-folio")
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f"---\n---\nintro\n{START}\n{END}\n")
        print(f"{n} works, first export into an empty site:")
        total, _ = export_all(works, ctx, root, "first export")
        print("re-export, nothing changed:")
        export_all(works, ctx, root, "unchanged re-export")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=1, help="fresh processes to run and summarise")
    args = parser.parse_args()
    if args.runs <= 1:
        return 0 if one_run(args.works) <= args.budget else 1
    totals: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, "--works", str(args.works), "--budget", "1e9"],
                             capture_output=True, text=True, check=True).stdout
        for label, wall, cpu in re.findall(r"^TOTAL (.+?): ([\d.]+) s \(cpu ([\d.]+) s\)", out, re.M):
            totals.setdefault(label, []).append((float(wall), float(cpu)))
    print(out)
    for label, values in totals.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        print(f"{label:20s} over {args.runs} runs: wall min {min(walls):.3f} median {statistics.median(walls):.3f} s; "
              f"cpu min {min(cpus):.3f} median {statistics.median(cpus):.3f} s")
    return 0 if statistics.median(w for w, _ in totals["first export"]) <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
