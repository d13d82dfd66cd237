"""Matcher quality on the ER benchmarks (realdata/er): floors just under what the shipped model measures (README,
"Measured"), so that a change that loses quality fails here."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import er  # noqa: E402


def test_dblp_acm_valid_pairs(realdata):
    d = realdata / "er" / "dblp-acm" / "magellan-structured"
    r = er.run_pairs(d / "tableA.csv", d / "tableB.csv", d / "valid.csv")
    assert r["pairs"] == 2473
    assert r["f1"] >= 0.985


def test_dblp_scholar_valid_pairs(realdata):
    d = realdata / "er" / "dblp-scholar" / "magellan-structured"
    r = er.run_pairs(d / "tableA.csv", d / "tableB_referenced.csv", d / "valid.csv")
    assert r["pairs"] == 5742
    assert r["f1"] >= 0.948          # 0.9508 measured with the additive model (0.952 with the old tree ensemble)


def test_dblp_acm_end_to_end_link_and_blocking_recall(realdata):
    d = realdata / "er" / "dblp-acm" / "leipzig-original"
    r = er.run_link(d / "DBLP2.csv", d / "ACM.csv", d / "DBLP-ACM_perfectMapping.csv")
    assert r["blocking_recall"] >= 0.999
    assert r["f1"] >= 0.99           # 0.9916 measured: one merge, each table a list naming a publication once
    assert r["pairs_f1"] >= 0.98     # 0.9874: every pair above the threshold on its own
    assert r["precision"] > 0.995    # identical columns pair off (4 "Book review column" of 2002 a side)
    assert r["candidates"] < 2616 * 2294 / 50          # blocking, not all pairs


def test_leipzig_latin1_is_decoded(realdata):
    recs = er.load_table(realdata / "er" / "dblp-acm" / "leipzig-original" / "DBLP2.csv", "left")
    assert len(recs) == 2616
    assert any("ü" in a.name for r in recs for a in r.authors)
    assert all(r.venue != "N/A" for r in recs)


def test_batch_scores_equal_one_pair_scores_on_dblp_acm_valid(realdata):
    from pubsync.match import features, score, score_pairs
    d = realdata / "er" / "dblp-acm" / "magellan-structured"
    left = {r.source_id: features(r) for r in er.load_table(d / "tableA.csv", "left")}
    right = {r.source_id: features(r) for r in er.load_table(d / "tableB.csv", "right")}
    pairs = [(left[a], right[b]) for a, b, _ in er.load_id_pairs(d / "valid.csv")]
    feats = [f for pair in pairs for f in pair]
    totals, _ = score_pairs(feats, [(2 * k, 2 * k + 1) for k in range(len(pairs))])
    assert totals.tolist() == [score(a, b)[0] for a, b in pairs]


def test_dblp_acm_test_pairs(realdata):
    # DBLP-ACM's published anchors are on its test split; nothing was tuned on it (train fits, valid chooses)
    d = realdata / "er" / "dblp-acm" / "magellan-structured"
    r = er.run_pairs(d / "tableA.csv", d / "tableB.csv", d / "test.csv")
    assert r["pairs"] == 2473
    assert r["f1"] >= 0.98           # 0.983 measured (0.988 with the old tree ensemble)


def test_a_long_title_counts_in_full_only_beside_a_title_that_agrees():
    """The shipped model and the trainer: the length of the shorter title is no evidence that two titles agree."""
    import numpy as np

    from pubsync import matchmodel
    model = matchmodel.default_model()
    [term] = [t for t in model.terms if t.name == "title.min_words × title.lcs_short"]
    assert not [t for t in model.terms if t.name == "title.min_words"]
    rows = np.full((60, len(matchmodel.FEATURE_NAMES)), np.nan)
    rows[:, matchmodel.FEATURE_NAMES.index("title.min_words")] = np.tile(np.arange(1, 31), 2)
    rows[:, matchmodel.FEATURE_NAMES.index("title.lcs_short")] = np.repeat([0.5, 0.95], 30)
    value = model.parts(rows)[:, 1 + model.terms.index(term)]
    apart, agreeing = value[:30], value[30:]
    eight = er.LONG_TITLE_WORDS - 1
    assert apart[eight:].max() <= apart[eight] and apart[0] < apart[eight]    # other titles: 8+ words add no more
    assert agreeing[20] > agreeing[eight] + 1.5 and (agreeing >= apart).all()  # agreeing ones: the learned rise
    # the trainer turns what interpret learns into that term (bins: missing, 1, 2, …, 9+ words)
    name, _, cuts, table = er.length_term(np.array([0.0, -2.0, -0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 2.5, 1.0]),
                                          np.arange(1.5, 10.0))
    assert name == "title.min_words × title.lcs_short" and cuts[1].tolist() == [matchmodel.CUT_TITLE_LCS]
    assert table[:, 1].tolist() == [0.0, -2.0, -0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6] == table[:, 0].tolist()
    assert table[:, 2].tolist() == [0.0, -2.0, -0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 2.5, 1.0]


def test_author_strings_and_truncation():
    assert er.split_author_string("A Einstein, B Podolsky, N Rosen") == (["A Einstein", "B Podolsky", "N Rosen"], True)
    assert er.split_author_string("PGR De Almeida, CD Dos Santos, …") == (["PGR De Almeida", "CD Dos Santos"], False)
    assert er.split_author_string("Fredrick O Onono and Andrew J Morris") == (["Fredrick O Onono", "Andrew J Morris"], True)
    # reference-list forms: surname first, 'Last, First and Last, First', a list cut with 'et al.'
    assert er.split_author_string("Smith, J., García-Pérez, J.L.") == (["Smith, J.", "García-Pérez, J.L."], True)
    assert er.split_author_string("Smith, John and Jones, Barbara") == (["Smith, John", "Jones, Barbara"], True)
    assert er.split_author_string("J Smith, B Jones, et al.") == (["J Smith", "B Jones"], False)


def test_magellan_lost_ellipsis_reads_as_truncation(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text('id,title,authors,venue,year\n1,sleepers and workaholics : caching â ? ¦,"s maddenâ ? ¦",,\n',
                     encoding="utf-8")
    (r,) = er.load_table(table, "t")
    assert r.title == "sleepers and workaholics : caching …"
    assert [a.name for a in r.authors] == ["s madden"] and not r.authors_complete


def test_dirty_citation_records_cluster_with_their_clean_versions(realdata, tmp_path):
    """benchmarks/dirty.py damages DBLP-Scholar's Scholar records the way citation strings are (authors or venue
    run into the title, truncation, fields swapped, one whole string); blocking must not depend on a clean title."""
    import dirty

    records, true_pairs = dirty.build(realdata, tmp_path)
    assert (records, true_pairs) == (2122, 1287)
    r = er.run_cluster(tmp_path / "records.csv", tmp_path / "truth.csv")
    assert r["blocking_recall"] >= 0.98          # 0.983 measured (0.79 when blocking read title words only)
    assert r["f1"] >= 0.91           # 0.921 measured (0.919 before a cut title was compared from where both titles
                                     # open, 0.912 before the end of a cut author list was read off the
                                     # title and swapped rows read back, 0.901 before a venue run into the title
                                     # was read off, 0.897 before the loader read 'â ? ¦' back as '…'; 0.808
                                     # before misplaced fields were read back; 0.760 with the old tree ensemble)


@pytest.mark.parametrize("kind, floor", [("title-in-venue", 0.85), ("shifted", 0.89), ("all-in-title", 0.89),
                                         ("swapped", 0.90), ("truncated", 0.91)])
def test_fields_shifted_or_run_together_never_collapse_clusters(realdata, tmp_path, kind, floor):
    """Every copy damaged one way. A venue read as the title ('SIGMOD Conference ,') must not join hundreds of
    papers into one work: title-in-venue scored 0.03 (precision 0.01) before the title was looked for in the venue
    field and a title naming only a venue counted as generic; shifted scored 0.20 before swapped rows whose names
    are not initials were read back. Title-in-venue scored 0.801 and shifted 0.878 while a venue in the title
    field was recognised only by its opening ('Proceedings of …') or as a whole known name, not cut short ('the VLDB
    journal the international journal on very large …'), abbreviated ('ACM Trans. Database Systems') or a report
    ('Technical report MSR-TR-2000-53'). Swapped scored 0.905 before rows with several names not written as
    initials and surnames ('YSADN Roussopoulos , Y Kotidis') beside a title in the authors field were read back."""
    import dirty

    dirty.build(realdata, tmp_path, only=kind)
    r = er.run_cluster(tmp_path / "records.csv", tmp_path / "truth.csv")
    assert r["precision"] >= 0.93, r     # title-in-venue 0.973, shifted 0.973, all-in-title 0.971, swapped 0.975,
                                         # truncated 0.948 (0.921 when end-cut titles were compared by their ends,
                                         # 0.938 while a cut title's last word was always left out)
    assert r["f1"] >= floor, r           # 0.874, 0.909, 0.905, 0.912, 0.930 measured
