"""Requests and wall time of one person's sync against a replayed world.

    python benchmarks/sync.py [--works 250] [--latency 0.2]

A synthetic 250-work profile (tests/replay.py SyntheticProfile) is served by the loopback ReplayServer with a fixed
latency per request; rate limits are the real defaults (arXiv 3 s, Scholar 5 s, DBLP and Semantic Scholar 1 s between
requests), the clock is real.
Prints requests per source against their bounds, the detail requests of a second (incremental) sync, and the wall
time of fetch_person against 1.5 × the slowest single source's own minimum time.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pubsync.fetch import fetch_person  # noqa: E402
from pubsync.settings import DEFAULT_MIN_INTERVAL, Person, SourceSettings  # noqa: E402
from pubsync.sources import FetchResult  # noqa: E402
from tests.replay import ReplayServer, SyntheticProfile  # noqa: E402

SOURCES = ("orcid", "openalex", "arxiv", "scholar", "dblp", "semanticscholar")


def settings_for(server: ReplayServer, names=SOURCES) -> dict[str, SourceSettings]:
    return {n: SourceSettings(n, base_url=f"{server.url}/{n}", min_interval=DEFAULT_MIN_INTERVAL[n]) for n in names}


def own_minimum(requests: int, latency: float, interval: float) -> float:
    """The least time `requests` sequential requests can take: starts spaced by the rate limit, each one `latency` long."""
    return 0.0 if requests == 0 else (requests - 1) * max(interval, latency) + latency


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", type=int, default=250)
    ap.add_argument("--latency", type=float, default=0.2)
    args = ap.parse_args()
    world = SyntheticProfile(args.works)
    person = Person("Josiah Carberry", orcid=world.ORCID, scholar=world.SCHOLAR, dblp=world.DBLP_PID,
                    semanticscholar=world.S2_AUTHOR)
    n_claims = len(world.all_put_codes)
    missing_dois = world.n - len(world.openalex_listed)
    bounds = {
        "orcid": (1 + math.ceil(n_claims / 100), f"1+ceil(N/100), N={n_claims} put-codes"),
        "openalex": (math.ceil(world.n / 100) + math.ceil(missing_dois / 100),
                     f"ceil(N/100)+ceil(D/100), N={world.n}, D={missing_dois}"),
        "arxiv": (math.ceil(len(world.arxiv_ids) / 100), f"ceil(A/100), A={len(world.arxiv_ids)}"),
        "scholar": (math.ceil(world.n / 100), f"ceil(N/100), N={world.n}"),
        "dblp": (1, "1 per person (the whole /pid/{pid}.xml list)"),
        "semanticscholar": (math.ceil(world.n / 1000), f"ceil(N/1000), N={world.n}"),
    }
    with ReplayServer() as server:
        world.mount(server)
        server.latency = args.latency
        settings = settings_for(server)
        started = time.monotonic()
        first = fetch_person(person, settings, {})
        wall = time.monotonic() - started
        failed = {k: str(v) for k, v in first.items() if not isinstance(v, FetchResult)}
        if failed:
            print("FAILED:", failed)
            return 1
        print(f"world: {world.n} works, {n_claims} ORCID put-codes, {len(world.arxiv_ids)} arXiv ids, "
              f"latency {args.latency * 1000:.0f} ms/request\n")
        print(f"{'source':15} {'requests':>8} {'bound':>6}  {'ok':3} {'records':>7}  bound formula")
        ok_all = True
        for name in SOURCES:
            r = first[name]
            bound, formula = bounds[name]
            ok = r.requests <= bound
            ok_all &= ok
            print(f"{name:15} {r.requests:8d} {bound:6d}  {'yes' if ok else 'NO':3} {len(r.raws):7d}  {formula}")

    # A fresh server (a new base URL) per phase, so one phase's last request does not rate-limit the next one's first.
    with ReplayServer() as server:
        world.mount(server)
        server.latency = args.latency
        settings = settings_for(server)
        known = {n: {raw.source_id: raw.modified for raw in r.raws} for n, r in first.items()}
        started = time.monotonic()
        second = fetch_person(person, settings, known)
        wall2 = time.monotonic() - started
        bulk = sum(1 for p, _ in server.requests if p.startswith(f"/orcid/{world.ORCID}/works/"))
        arxiv_calls = sum(1 for p, _ in server.requests if p.startswith("/arxiv/"))
        print(f"\nsecond sync: ORCID detail (bulk) requests {bulk} (must be 0), arXiv requests {arxiv_calls} "
              f"(must be 0), unchanged ORCID works {len(second['orcid'].unchanged)}, wall {wall2:.2f} s")
        ok_all &= bulk == 0 and arxiv_calls == 0

    print("\nper source alone (measured) and its own minimum (requests x latency, spaced by the rate limit):")
    minimums = {}
    for name in SOURCES:
        with ReplayServer() as server:
            world.mount(server)
            server.latency = args.latency
            alone_person = person if name != "arxiv" else Person("J", arxiv_ids=world.arxiv_ids)
            t0 = time.monotonic()
            alone = fetch_person(alone_person, settings_for(server, (name,)), {})
            alone_wall = time.monotonic() - t0
        minimums[name] = own_minimum(alone[name].requests, args.latency, DEFAULT_MIN_INTERVAL[name])
        print(f"  {name:15} {alone_wall:6.2f} s measured, {minimums[name]:6.2f} s minimum "
              f"({alone[name].requests} requests, interval {DEFAULT_MIN_INTERVAL[name]:g} s)")
    slowest = max(minimums, key=minimums.get)
    limit = 1.5 * minimums[slowest]
    sequential = sum(minimums.values())
    print(f"\nfetch_person wall time: {wall:.2f} s; limit 1.5 x {slowest} minimum = {limit:.2f} s "
          f"({'ok' if wall <= limit else 'OVER'}); sum of minimums (sequential) = {sequential:.2f} s")
    ok_all &= wall <= limit
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
