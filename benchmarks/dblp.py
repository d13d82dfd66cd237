"""CoRR twins on the 81 real DBLP person lists: how many CoRR records join the published record of the same title.

    python benchmarks/dblp.py [--realdata ../shared/realdata]

Each person list goes through the real parser and the real merge (pubsync.merge.build_works). A CoRR record whose
title (case and punctuation folded) is also the title of a published record of the same list is a twin; it is
merged when it ends up in one work with such a record. Prints records, works, twins merged of all twins, and time.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pubsync.merge import build_works  # noqa: E402
from pubsync.normalize import fold  # noqa: E402
from pubsync.sources import dblp  # noqa: E402


def title_key(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(title)).split())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("PUBSYNC_REALDATA") or Path(__file__).resolve().parent.parent.parent / "shared/realdata"
    ap.add_argument("--realdata", type=Path, default=Path(default))
    args = ap.parse_args()
    files = sorted((args.realdata / "api/dblp/person").glob("*.xml"))
    n_records = n_works = twins = merged = 0
    started = time.monotonic()
    for path in files:
        records = [r for raw in dblp.load(path.read_bytes(), path.name) for r in dblp.parse(raw)]
        works = build_works(records, []).works
        work_of = {ref: i for i, w in enumerate(works) for ref in w.records}
        published = defaultdict(list)
        for r in records:
            if r.type != "preprint":
                published[title_key(r.title)].append(r.ref)
        for r in records:
            same_title = published.get(title_key(r.title), [])
            if r.extra.get("dblp_stream") == "journals/corr" and same_title:
                twins += 1
                merged += any(work_of[ref] == work_of[r.ref] for ref in same_title)
        n_records += len(records)
        n_works += len(works)
    seconds = time.monotonic() - started
    print(f"{len(files)} person lists: {n_records} records -> {n_works} works; CoRR twins merged {merged} of {twins} "
          f"({merged / max(twins, 1):.1%}); {seconds:.1f} s (parse + merge)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
