"""Adopt + a source: Nutan Limaye's site keeps DBLP's "standard" BibTeX export as its bibliography
(../shared/realdata/api/dblp/bib, from nutanlimaye.github.io); DBLP's "condensed" export of the same list comes in
as a plain BibTeX source (`pubsync import bibtex`). A paper both have is one work with the site's venue text and
fields; a paper only the source has is added; a paper only the site has stays.

Expected values were read by hand from the two files.
"""
import re

import pytest
from pybtex.database import parse_file

from tests.clihelp import run

STANDARD = "api/dblp/bib/limaye_standard.bib"
CONDENSED = "api/dblp/bib/limaye_condensed.bib"
SHARED = "DBLP:conf/stoc/TavenasL022"            # in both files
SOURCE_ONLY = "DBLP:journals/sigact/LimayeST22"  # cut from the site's copy below
SITE_ONLY = "DBLP:journals/ton/VyavahareLM16"    # cut from the source's copy below


def _without(text: str, key: str) -> str:
    start = text.index("@article{" + key + ",")
    end = text.index("\n}\n", start) + 3
    return text[:start] + text[end:]


@pytest.fixture
def site(realdata, tmp_path):
    root = tmp_path / "site"
    (root / "_bibliography").mkdir(parents=True)
    (root / "_bibliography" / "papers.bib").write_text(
        _without((realdata / STANDARD).read_text(encoding="utf-8"), SOURCE_ONLY), encoding="utf-8")
    (tmp_path / "condensed.bib").write_text(
        _without((realdata / CONDENSED).read_text(encoding="utf-8"), SITE_ONLY), encoding="utf-8")
    (root / "config.toml").write_text('[site]\nkind = "al-folio"\n\n[[people]]\nname = "Nutan Limaye"\n')
    return root


def test_site_entry_and_source_record_are_one_work_with_the_sites_venue(site):
    adopted = run("adopt", cwd=site)
    assert adopted.returncode == 0, adopted.stderr
    assert "adopted 117 entries from _bibliography/papers.bib (bibtex)" in adopted.stdout   # 118 less the one cut
    imported = run("import", "bibtex", str(site.parent / "condensed.bib"), cwd=site)
    assert imported.returncode == 0, imported.stderr
    assert "imported 117 records" in imported.stdout

    explained = run("explain", SHARED, cwd=site)
    assert explained.returncode == 0, explained.stderr
    assert f"bibtex:{SHARED}" in explained.stdout and f"site:_bibliography/papers.bib#{SHARED}" in explained.stdout
    assert re.search(r"venue\s+STOC '22: 54th Annual ACM SIGACT Symposium on Theory of Computing, Rome, Italy, "
                     r"June 20 - 24, 2022\s+← site:", explained.stdout), explained.stdout
    assert re.search(r"biburl\s+https://dblp.org/rec/conf/stoc/TavenasL022.bib\s+← site:", explained.stdout)

    diff = run("diff", "--format", "bibtex", cwd=site)
    assert diff.returncode == 0, diff.stderr
    heads = {sign: {line.split("{", 1)[1].rstrip(",") for line in diff.stdout.splitlines() if line.startswith(sign + "@")}
             for sign in "+-"}
    assert heads["-"] <= heads["+"]                         # entries move (newest first), none of the site's goes
    assert len(heads["+"] - heads["-"]) == 1                # one comes: the paper only the source has
    assert "formatting only" not in diff.stdout                                        # a real addition

    assert run("export", "--format", "bibtex", cwd=site).returncode == 0
    entries = parse_file(str(site / "_bibliography" / "papers.bib"), "bibtex").entries
    shared = entries[SHARED]
    assert " ".join(shared.fields["booktitle"].replace("{", "").replace("}", "").split()) == \
        "STOC '22: 54th Annual ACM SIGACT Symposium on Theory of Computing, Rome, Italy, June 20 - 24, 2022"
    assert shared.fields["doi"] == "10.1145/3519935.3520044" and shared.fields["pages"] == "416--425"
    assert [str(p) for p in shared.persons["editor"]] == ["Leonardi, Stefano", "Gupta, Anupam"]
    assert SITE_ONLY in entries                          # only the site has it: it stays
    titles = {" ".join(e.fields["title"].replace("{", "").replace("}", "").split()): key
              for key, e in entries.items()}
    # only the source has it: added, under a key of pubsync's (the condensed entry has no DOI, no venue but SIGACT News)
    guest = "Guest Column: Lower Bounds Against Constant-Depth Algebraic Circuits"
    assert guest in titles, sorted(titles)[:5]
    assert entries[titles[guest]].fields["journal"] == "SIGACT News"
    assert len(entries) == 118                           # 117 of the site + the one only the source had


def test_the_source_order_for_display_fields_is_configurable(site):
    """`[merge] venue` with the BibTeX source before the site: that paper shows DBLP's condensed venue instead."""
    (site / "config.toml").write_text((site / "config.toml").read_text() + '\n[merge]\nvenue = ["bibtex", "site"]\n')
    assert run("adopt", cwd=site).returncode == 0
    assert run("import", "bibtex", str(site.parent / "condensed.bib"), cwd=site).returncode == 0
    explained = run("explain", SHARED, cwd=site)
    assert explained.returncode == 0, explained.stderr
    assert re.search(rf"venue\s+STOC\s+← bibtex:{SHARED}", explained.stdout), explained.stdout   # {{STOC}} in the file
