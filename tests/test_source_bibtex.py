"""The plain BibTeX source (`pubsync import bibtex FILE`) on real files: DBLP's three export styles of Nutan
Limaye's list (../shared/realdata/api/dblp/bib) and a hand-written list (BioGeek). Expected values read by hand."""
import json

import pytest

from pubsync.sources import bibtex
from tests.clihelp import run

DBLP = "api/dblp/bib/"


def _records(path):
    return {r.source_id: r for raw in bibtex.load(path.read_bytes(), path.name) for r in bibtex.parse(raw)}


@pytest.mark.parametrize("style, entries", [("limaye_condensed.bib", 118), ("limaye_standard.bib", 118),
                                            ("limaye_withcrossref.bib", 157)])
def test_every_dblp_export_style_is_read_entry_by_entry(realdata, style, entries):
    records = _records(realdata / DBLP / style)
    assert len(records) == entries                 # `grep -c ^@` of each file
    stoc = records["DBLP:conf/stoc/TavenasL022"]
    assert stoc.title == "Set-multilinear and non-commutative formula lower bounds for iterated matrix multiplication"
    assert [a.name for a in stoc.authors] == ["Sébastien Tavenas", "Nutan Limaye", "Srikanth Srinivasan"]
    assert [(a.family, a.given) for a in stoc.authors][0] == ("Tavenas", "Sébastien")
    assert stoc.year == 2022 and stoc.type == "conference-paper"
    assert stoc.extra["fields"]["pages"] == "416--425"


def test_standard_export_fields(realdata):
    records = _records(realdata / DBLP / "limaye_standard.bib")
    stoc = records["DBLP:conf/stoc/TavenasL022"]
    assert stoc.venue == ("STOC '22: 54th Annual ACM SIGACT Symposium on Theory of Computing, Rome, Italy, "
                          "June 20 - 24, 2022")
    assert stoc.ids == {"doi": "10.1145/3519935.3520044"}
    assert stoc.url == "https://doi.org/10.1145/3519935.3520044"
    assert stoc.extra["fields"]["editor"] == "Leonardi, Stefano and Gupta, Anupam"
    assert stoc.extra["fields"]["biburl"] == "https://dblp.org/rec/conf/stoc/TavenasL022.bib"
    corr = records["DBLP:journals/corr/abs-2408-03465"]          # a CoRR entry: arXiv 2408.03465
    assert corr.ids["arxiv"] == "2408.03465" and corr.type == "preprint"


def test_hand_written_list_with_unicode_and_latex_names(realdata):
    records = _records(realdata / "sites/BioGeek__biogeek.github.io/publications.bib")
    assert len(records) == 8
    p = records["lauridsen2025instanovo"]
    assert p.venue == "bioRxiv" and p.ids["doi"] == "10.1101/2025.05.14.654049"
    assert "Annekatrine Kirketerp-Møller" in [a.name for a in p.authors]     # Kirketerp-M{\o}ller
    assert "Bjorn Grüning" in [a.name for a in records["perez2025open"].authors]   # UTF-8 as written
    poster = records["vanafksnp"]
    assert poster.type == "other" and poster.venue == "Conference poster, Benelux Bioinformatics Conference 2015"


def test_import_bibtex_cli_and_a_broken_file(realdata, tmp_path):
    (tmp_path / "config.toml").write_text('[[people]]\nname = "Jeroen Van Goey"\n')
    done = run("import", "bibtex", str(realdata / "sites/BioGeek__biogeek.github.io/publications.bib"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "bibtex: imported 8 records" in done.stdout and "(8 new, 0 changed, 0 unchanged)" in done.stdout
    out = run("export", "--format", "csl-json", "--out", "-", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    titles = {item["title"] for item in json.loads(out.stdout)}
    assert "InstaNovo-P: A de novo peptide sequencing model for phosphoproteomics" in titles
    broken = tmp_path / "broken.bib"
    broken.write_text("@article{x,\n  title = {never closed\n")
    failed = run("import", "bibtex", str(broken), cwd=tmp_path)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert "broken.bib: not a bibtex response pubsync can read" in failed.stderr and "never closed" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
