"""Blocking at scale: candidates grow linearly with the records (counts, never wall times), identifier pairs
survive the pruning, and records without identifiers still meet their duplicates."""
import sys
from pathlib import Path

import pytest

from pubsync.match import BlockingSettings, block, block_array, cluster, features
from pubsync.records import Author, Record

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from merge import synthetic_records  # noqa: E402  (benchmarks/merge.py: the 100k-record merge benchmark's data)


def _work_of(r: Record) -> int:
    """The synthetic generator's work number, read back from what each source row carries."""
    if r.source == "scholar":
        return int(r.source_id[1:])
    doi = r.ids.get("doi") or r.published_doi
    return int(doi.rsplit(".", 1)[1])


@pytest.fixture(scope="module")
def synthetic():
    out = {}
    for n in (4000, 16000):
        records, _ = synthetic_records(n, seed=11)
        feats = [features(r) for r in records]
        out[n] = (records, feats, block_array(feats))
    return out


def test_candidates_per_record_do_not_grow_with_the_records(synthetic):
    small = len(synthetic[4000][2]) / 4000
    large = len(synthetic[16000][2]) / 16000
    # the unpruned keys give ~4x more pairs per record at 16k than at 4k (a common word's block grows with n)
    assert large < 1.25 * small
    assert large < BlockingSettings().neighbours


def test_unpruned_blocking_grows_superlinearly_so_the_pruning_is_what_keeps_it_linear(synthetic):
    unpruned = BlockingSettings(neighbours=0, min_share=0.0, max_block=255)
    small = len(block_array(synthetic[4000][1], unpruned)) / 4000
    large = len(block_array(synthetic[16000][1], unpruned)) / 16000
    assert large > 1.5 * small


def test_scholar_rows_without_identifiers_still_meet_their_work(synthetic):
    records, _, pairs = synthetic[16000]
    found = {tuple(p) for p in pairs.tolist()}
    truth = [(i, j) for i in range(len(records)) for j in range(i + 1, min(i + 5, len(records)))
             if _work_of(records[i]) == _work_of(records[j])
             and "scholar" in (records[i].source, records[j].source)]
    assert len(truth) > 1000
    missed = [p for p in truth if p not in found]
    assert len(missed) / len(truth) < 0.01


def test_every_record_sharing_an_identifier_pairs_whatever_the_pruning():
    # one paper claimed through ORCID by 12 sources (Crossref, Scopus, BASE, …) under one DOI, among 40 others
    recs = [Record(source="orcid", source_id=f"p{k}", title="Robust sparse inference for streaming graphs",
                   authors=[Author("Ana Silva")], year=2020, ids={"doi": "10.1000/xyz"}) for k in range(12)]
    recs += [Record(source="orcid", source_id=f"o{k}", title=f"Robust sparse inference for streaming graphs {k}",
                    authors=[Author("Ana Silva")], year=2020) for k in range(40)]
    pairs = set(block([features(r) for r in recs], BlockingSettings(neighbours=2)))
    assert all((i, j) in pairs for i in range(12) for j in range(i + 1, 12))


def test_a_title_with_a_subtitle_meets_its_short_form_through_the_prefix_key():
    filler = [Record(source="openalex", source_id=f"W{k}", title=f"Mediator systems survey number {k}",
                     year=2000) for k in range(30)]
    short = Record(source="openalex", source_id="A", title="Mediator languages: a proposal for a standard", year=1996)
    long = Record(source="crossref", source_id="B", year=1996,
                  title="Mediator languages - a proposal for a standard. Report of an I3/POB working group held at "
                        "the University of Maryland, April 12 and 13, 1996")
    feats = [features(r) for r in [*filler, short, long]]
    assert (30, 31) in set(block(feats))


def test_clustering_the_synthetic_set_recovers_its_works(synthetic):
    records, feats, _ = synthetic[4000]
    groups = cluster(feats).groups
    truth = {}
    for i, r in enumerate(records):
        truth.setdefault(_work_of(r), []).append(i)
    assert sorted(groups) == sorted(sorted(g) for g in truth.values())
