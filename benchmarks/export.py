"""Export speed: N synthetic works rendered and written to every target, as `pubsync sync` does it.

    python benchmarks/export.py [--works 10000] [--budget 2.0] [--runs 5] [--serial] [--no-cache] [--dir D]

render_many() of all seven formats in one pass (chunks of works shared with a forked child), then write_many(),
in three exports of the same site, each in a fresh process as each `pubsync sync` is:
  first      into an empty site, with an empty fragment cache (the very first sync);
  unchanged  the same works again: every fragment comes from the cache, every file is left alone;
  changed    1% of the works changed (a title, a citation count): those are rendered, the rest come from the cache.
Per export: the render's and the writes' wall and CPU time (this process and the forked child). With --runs N
the TOTAL lines are summarised (min, median). Exits 1 when a median total exceeds the budget (seconds).
--serial renders in one process; --no-cache keeps no fragments between exports. Works are generated
deterministically.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pubsync.export import (FORMATS, START, END, ExportContext, FragmentCache, default_path, render_many,  # noqa: E402
                            write_many)
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


def export_all(works: list[Work], ctx: ExportContext, root: Path, label: str, parallel: bool | None,
               cache: Path | None) -> tuple[float, float]:
    """What pipeline.export_all does: render_many() of every format in one pass, then write_many() of them all
    with the fragment cache's flush(). Prints a line per step; returns (wall, cpu) totals. CPU counts a forked
    child's too."""
    statuses: dict[str, int] = {}
    fragments = FragmentCache(cache) if cache else None
    t0, c0 = time.perf_counter(), _cpu()
    rendered = render_many(works, {fmt: ctx for fmt in FORMATS}, parallel=parallel, cache=fragments)
    t1, c1 = time.perf_counter(), _cpu()
    print(f"  render all     {t1 - t0:6.3f} s (cpu {c1 - c0:6.3f})")
    reports = write_many([(fmt, files, root / default_path(fmt, "al-folio")) for fmt, files in rendered.items()],
                         fragments)
    t2, c2 = time.perf_counter(), _cpu()
    for report in reports:
        for _, status in report:
            statuses[status] = statuses.get(status, 0) + 1
    size = sum(len(b) for files in rendered.values() for b in files.values())
    print(f"  write all      {t2 - t1:6.3f} s (cpu {c2 - c1:6.3f})  {sum(map(len, rendered.values()))} files, "
          f"{size / 1e6:.1f} MB" + (", and the fragment cache" if fragments else ""))
    total, total_cpu = time.perf_counter() - t0, _cpu() - c0
    print(f"TOTAL {label}: {total:.3f} s (cpu {total_cpu:.3f} s)  {statuses}")
    return total, total_cpu


def _cpu() -> float:
    """User + system CPU seconds of this process and its waited-for children (a forked renderer)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


PHASES = {"first": "first export", "unchanged": "unchanged re-export", "changed": "1% changed re-export"}


def phase(n: int, root: Path, which: str, parallel: bool | None = None, cache: bool = True) -> float:
    """One export of the site under `root` in this (fresh) process (see PHASES)."""
    me = Person(name="Josiah Carberry", orcid="0000-0002-1825-0097")
    works = synthetic_works(n, me)
    if which == "changed":
        for work in works[::100]:
            work.title += " (revised)"
            work.citations["openalex"] = work.citations.get("openalex", 0) + 1
    ctx = ExportContext(people=[me], site_kind="al-folio", data_date="2026-03-01", scholar_users=["SCHOLARUSR1"])
    if which == "first":
        for fmt in ("markdown", "html"):
            page = root / default_path(fmt, "al-folio")
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f"---\n---\nintro\n{START}\n{END}\n")
        print(f"{n} works, first export into an empty site:")
    else:
        print(f"{PHASES[which]} in a new process:")
    cache_dir = root / "pubsync.db.render-cache" if cache else None
    return export_all(works, ctx, root, PHASES[which], parallel, cache_dir)[0]


def one_run(n: int, root: Path, echo: bool = True, flags: tuple[str, ...] = ()) -> str:
    """The three exports of one site under `root`, each in a fresh process. Returns everything they printed."""
    text = ""
    for which in PHASES:
        args = ["--works", str(n), "--phase", which, "--root", str(root), *flags]
        out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True).stdout
        if echo:
            print(out, end="", flush=True)
        text += out
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=1, help="runs to summarise (min, median)")
    parser.add_argument("--serial", action="store_true", help="render in this process only (no forked half)")
    parser.add_argument("--no-cache", action="store_true", help="keep no rendered fragments between exports")
    parser.add_argument("--dir", default=None, help="where the sites are made (default: the system's temp folder)")
    parser.add_argument("--phase", choices=tuple(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args.works, Path(args.root), args.phase, False if args.serial else None, not args.no_cache)
        return 0
    totals: dict[str, list[tuple[float, float]]] = {}
    flags = (("--serial",) if args.serial else ()) + (("--no-cache",) if args.no_cache else ())
    # Every run gets its own site, and all are removed at the end: deleting tens of thousands of files just before
    # a run would bill its first export for the file system's clean-up of the one before.
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for run in range(max(1, args.runs)):
            out = one_run(args.works, Path(tmp) / f"run{run}", echo=run == args.runs - 1 or args.runs <= 1, flags=flags)
            for label, wall, cpu in re.findall(r"^TOTAL (.+?): ([\d.]+) s \(cpu ([\d.]+) s\)", out, re.M):
                totals.setdefault(label, []).append((float(wall), float(cpu)))
    if args.runs > 1:
        print()
        for label, values in totals.items():
            walls, cpus = [w for w, _ in values], [c for _, c in values]
            print(f"{label:22s} over {args.runs} runs: wall min {min(walls):.3f} median "
                  f"{statistics.median(walls):.3f} s; cpu min {min(cpus):.3f} median {statistics.median(cpus):.3f} s")
    return 0 if all(statistics.median(w for w, _ in v) <= args.budget for v in totals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
