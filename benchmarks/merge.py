"""Merge speed at scale: N synthetic records (the same works seen by several sources, with the variations real
sources show) → works, through the production matcher; then the whole `pubsync merge` stage (parse raw → match →
keys → curation → store) on a database holding the same number of raw OpenAlex-shaped records.

    python benchmarks/merge.py [--records 100000] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pubsync.records import Author, Record  # noqa: E402

WORDS = ("graph neural network learning robust sparse bayesian inference scalable query optimization causal "
         "protein structure language model retrieval quantum error correction federated privacy streaming "
         "database index compression vision transformer reinforcement policy gradient kernel spectral clustering "
         "energy efficient hardware accelerator compiler verification distributed consensus fault tolerant "
         "ontology semantic web citation metadata deduplication entity resolution benchmark survey").split()
SURNAMES = ("Smith Chen Garcia Müller Rossi Silva Kim Nguyen Patel Kowalski Dubois Tanaka Ivanova Santos Cohen "
            "Okafor Larsen Novak Haddad Moreau").split()
GIVEN = "Ana Ben Chloé David Elif Farid Grace Hiro Ines Jonas Kemal Lena Mateo Nadia Omar".split()


def vocabulary(rnd: random.Random, size: int = 20000) -> list[str]:
    """Common title words first, then made-up technical words: titles drawn from it have a Zipf-like spread."""
    syll = "ka lo mi ne ru ta vi so pe du gra tri mon lex nor phy cel sta tor ven".split()
    made = {"".join(rnd.choice(syll) for _ in range(rnd.randint(2, 4))) for _ in range(size)}
    return list(WORDS) + sorted(made)


def synthetic_records(n: int, seed: int) -> tuple[list[Record], int]:
    rnd = random.Random(seed)
    vocab = vocabulary(rnd)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    records: list[Record] = []
    w = 0
    while len(records) < n:
        w += 1
        title = " ".join(rnd.choices(vocab, weights, k=rnd.randint(5, 11))).capitalize()
        authors = [Author(f"{rnd.choice(GIVEN)} {rnd.choice(SURNAMES)}") for _ in range(rnd.randint(1, 6))]
        for a in authors:
            a.given, a.family = a.name.split(" ", 1)
        year = rnd.randint(1995, 2025)
        doi = f"10.5555/bench.{w}"
        arxiv = f"{year % 100:02d}{rnd.randint(1, 12):02d}.{w % 100000:05d}" if year >= 2015 and rnd.random() < 0.3 else ""
        venue = f"Journal of {rnd.choice(WORDS).capitalize()} Studies"
        for source in rnd.sample(["orcid", "openalex", "scholar", "crossref"], rnd.randint(1, 3)):
            sid = {"orcid": str(10_000_000 + len(records)), "openalex": f"W{w}", "scholar": f"s{w:011d}"[:12],
                   "crossref": doi}[source]
            t = title if source != "scholar" or len(title) < 60 else title[:55] + " …"
            auth = authors if source != "scholar" else [Author(f"{a.given[0]} {a.family}") for a in authors[:3]]
            ids = {} if source == "scholar" else {"doi": doi}
            records.append(Record(source=source, source_id=sid, title=t, authors=auth, year=year, venue=venue,
                                  type="journal-article", ids=ids, authors_complete=source != "scholar",
                                  citations=rnd.randint(0, 50)))
        if arxiv:
            records.append(Record(source="arxiv", source_id=arxiv, title=title, authors=authors, year=year - 1,
                                  venue="arXiv", type="preprint", ids={"arxiv": arxiv}, published_doi=doi))
    return records[:n], w


def openalex_payload(r: Record, number: int) -> str:
    # one OpenAlex id a record, the same in every run (hash() of a string changes from process to process, and two
    # records sharing an id are one work by identity)
    return json.dumps({
        "id": f"https://openalex.org/W{4_000_000_000 + number}", "title": r.title, "display_name": r.title,
        "doi": f"https://doi.org/{r.ids['doi']}" if "doi" in r.ids else None, "publication_year": r.year,
        "publication_date": f"{r.year}-01-01", "type": "article",
        "authorships": [{"author": {"id": None, "display_name": a.name, "orcid": None}, "raw_author_name": a.name}
                        for a in r.authors],
        "primary_location": {"source": {"display_name": r.venue, "type": "journal"}}, "cited_by_count": r.citations,
        "counts_by_year": [], "abstract_inverted_index": None, "ids": {}})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    from pubsync.merge import build_works
    from pubsync.settings import MergeSettings
    records, n_works = synthetic_records(args.records, args.seed)
    t0, c0 = time.perf_counter(), time.process_time()
    result = build_works(records, [], MergeSettings())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"build_works: records={len(records)} true_works={n_works} works={len(result.works)} "
          f"review={len(result.review)} seconds={wall:.2f} cpu={cpu:.2f}")

    from pubsync.config import load_config
    from pubsync.pipeline import merge_works
    from pubsync.sources import RawRecord
    from pubsync.store import Store
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        raws = [RawRecord("openalex", f"W{i}", openalex_payload(r, i)) for i, r in enumerate(records)]
        with store.transaction():
            store.save_raw("bench", raws)
        cfg = load_config(None, env={})
        cfg.curation_path = Path(tmp) / "curation.toml"
        t0, c0 = time.perf_counter(), time.process_time()
        summary = merge_works(store, cfg)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"pubsync merge (parse raw + match + keys + store): raw={len(raws)} works={summary.works} "
              f"seconds={wall:.2f} cpu={cpu:.2f}")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
