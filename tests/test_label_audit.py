"""benchmarks/label_audit.py: a blind audit's verdicts scaled to the whole split, and the committed audits."""
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import label_audit  # noqa: E402
from er import BenchmarkInputError  # noqa: E402

HEADER = "ltable_id\trtable_id\tstratum\tstratum_size\tjudge_a\tjudge_b\treworded\n"
PAPERS = [("deep learning for rna folding", "jane smith"), ("a survey of graph databases", "li wei"),
          ("quantum error correction with surface codes", "ana costa"), ("the economics of open source", "bo chen"),
          ("sparse matrix factorization on gpus", "omar haddad"), ("ancient dna of the steppe", "eva berg"),
          ("coral reef bleaching in 2016", "raj patel"), ("a theory of type polymorphism", "tom hill"),
          ("glacier retreat in the alps", "ida rossi"), ("medieval trade routes of the baltic", "jan nowak")]


def _split(tmp_path: Path) -> tuple[str, str, str]:
    """Ten pairs: p1-p4 the same paper on both sides (labelled 1), n1-n6 two unrelated papers (labelled 0)."""
    left, right, pairs = ["id,title,authors,venue,year"], ["id,title,authors,venue,year"], ["ltable_id,rtable_id,label"]
    for k in range(4):
        title, author = PAPERS[k]
        left.append(f"p{k + 1},{title},{author},journal of examples,2020")
        right.append(f"p{k + 1},{title},{author},journal of examples,2020")
        pairs.append(f"p{k + 1},p{k + 1},1")
    for k in range(6):
        (t1, a1), (t2, a2) = PAPERS[k], PAPERS[(k + 5) % 10]
        left.append(f"n{k + 1},{t1},{a1},journal of examples,2019")
        right.append(f"n{k + 1},{t2},{a2},annals of elsewhere,2011")
        pairs.append(f"n{k + 1},n{k + 1},0")
    paths = []
    for name, rows in (("a.csv", left), ("b.csv", right), ("pairs.csv", pairs)):
        (tmp_path / name).write_text("\n".join(rows) + "\n")
        paths.append(str(tmp_path / name))
    return paths[0], paths[1], paths[2]


def test_a_contradicted_label_counts_for_every_pair_of_the_stratum_it_was_drawn_from(tmp_path):
    left, right, pairs = _split(tmp_path)
    verdicts = tmp_path / "verdicts.tsv"
    verdicts.write_text("# a comment line\n" + HEADER + "".join([
        "p1\tp1\tpos\t4\tSAME\tSAME\t0\n",
        "p2\tp2\tpos\t4\tDIFF\tDIFF\t0\n",          # contradicted: half the sample, so 2 of the 4 positives
        "n1\tn1\tneg\t6\tDIFF\tDIFF\t0\n",
        "n2\tn2\tneg\t6\tSAME\tSAME\t1\n",          # contradicted (for a reworded title): 2 of the 6 negatives
        "n3\tn3\tneg\t6\tSAME\tDIFF\t0\n"]))        # the judges disagree: the label stands
    r = label_audit.run_estimate(str(verdicts), left, right, pairs, resamples=200)
    assert (r["pairs"], r["audited"], r["judges_agree"]) == (10, 5, 4)
    assert (r["positives_contradicted"], r["negatives_contradicted"]) == (2.0, 2.0)
    # following the audit: 2 of 4 labelled positives missed, 2 labelled negatives claimed -> 2*2 / (2*2 + 2 + 2)
    assert r["ceiling_f1"] == pytest.approx(0.5)
    # n2's reworded-title call left as labelled: only the 2 missed positives remain -> 2*2 / (2*2 + 0 + 2)
    assert r["ceiling_f1_reworded_kept"] == pytest.approx(2 / 3)
    assert r["matcher_f1_labels"] == 1.0            # the matcher tells these ten apart as labelled
    # against the audit: p2's share moves from true to false pair, n2's from true non-pair to missed pair
    assert r["matcher_f1_audited"] == pytest.approx(0.5)
    assert r["stratum_pos"] == "2 of 4: 1 contradicted"


def test_a_verdict_for_a_pair_the_split_does_not_label_is_refused(tmp_path):
    left, right, pairs = _split(tmp_path)
    verdicts = tmp_path / "verdicts.tsv"
    verdicts.write_text(HEADER + "p1\tn1\tpos\t4\tSAME\tSAME\t0\n")
    with pytest.raises(BenchmarkInputError, match="the pair p1, n1 is not in .*pairs.csv"):
        label_audit.run_estimate(str(verdicts), left, right, pairs, resamples=10)
    verdicts.write_text("left\tright\tverdict\n")
    with pytest.raises(BenchmarkInputError, match="expected the columns"):
        label_audit.read_verdicts(verdicts)


def test_the_blind_sheet_shows_no_label_and_maps_back_to_every_pair(tmp_path):
    left, right, _ = _split(tmp_path)
    verdicts = tmp_path / "verdicts.tsv"
    verdicts.write_text(HEADER + "p1\tp1\tpos\t4\tSAME\tSAME\t0\nn2\tn2\tneg\t6\tSAME\tSAME\t0\n")
    sheet = tmp_path / "sheet.txt"
    label_audit.write_sheet(str(verdicts), left, right, str(sheet))
    text = sheet.read_text()
    assert "#1" in text and "#2" in text and "SAME" not in text and "label" not in text
    assert "deep learning for rna folding" in text and "coral reef bleaching in 2016" in text
    ids = (tmp_path / "sheet.txt.ids.tsv").read_text().splitlines()
    assert sorted(line.split("\t", 1)[1] for line in ids[1:]) == ["n2\tn2", "p1\tp1"]


@pytest.mark.parametrize("name, split, right, judged", [
    ("dblp-scholar-valid", "dblp-scholar", "tableB_referenced.csv", 1777),
    ("dblp-acm-test", "dblp-acm", "tableB.csv", 60)])
def test_the_committed_audits_name_pairs_of_their_splits_with_their_labels(realdata, name, split, right, judged):
    d = realdata / "er" / split / "magellan-structured"
    pairs = d / ("valid.csv" if name.endswith("valid") else "test.csv")
    r = label_audit.run_estimate(str(BENCHMARKS / "label-audit" / f"{name}.tsv"), str(d / "tableA.csv"),
                                 str(d / right), str(pairs), resamples=100)
    assert r["audited"] == judged
    assert r["judges_agree"] >= 0.95 * judged


def test_a_refit_on_audited_labels_changes_only_the_labels_both_judges_contradict(tmp_path):
    audit = tmp_path / "train.tsv"
    audit.write_text("# comment\nid\tstratum\tjudge_a\tjudge_b\treworded\n"
                     "0\tneg_close\tSAME\tSAME\t0\n"        # both contradict label 0: becomes 1
                     "1\tpos\tDIFF\t-\t0\n"                 # one judge only: stays
                     "2\tneg_close\tSAME\tSAME\t1\n"        # both, for a reworded title
                     "3\tpos\tUNSURE\tUNSURE\t0\n"
                     "4\tpos\tDIFF\tDIFF\t0\n")             # both contradict label 1: becomes 0
    ids, labels = ["0", "1", "2", "3", "4", "5"], [0, 1, 0, 1, 1, 0]
    assert label_audit.audited_labels(audit, ids, labels) == [1, 1, 1, 1, 0, 0]
    assert label_audit.audited_labels(audit, ids, labels, keep_reworded=True) == [1, 1, 0, 1, 0, 0]


def test_a_malformed_verdicts_file_is_a_clear_error_and_exit_2(tmp_path, capsys):
    left, right, pairs = _split(tmp_path)
    bad = tmp_path / "verdicts.tsv"
    bad.write_text("left\tright\n")
    code = label_audit.main(["estimate", "--verdicts", str(bad), "--left", left, "--right", right, "--pairs", pairs])
    assert code == 2
    assert "verdicts.tsv: expected the columns" in capsys.readouterr().err
