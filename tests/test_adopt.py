"""`pubsync adopt` on real al-folio BibTeX lists (../shared/realdata/sites): the owner's entries come back from the
export with every field and value they wrote, each in its own file, under its own key; re-adopting is idempotent and
follows the owner's edits; a plain BibTeX source beside the site adds only what the site lacks.

Expected values below were read by hand from the site files, never computed by pubsync.
"""
import shutil
import subprocess

import pytest
from pybtex.database import parse_file
from pylatexenc.latex2text import LatexNodes2Text

from tests.clihelp import run

M0 = "sites/M0gician__m0gician.github.io/_bibliography/papers.bib"
CONFIG = '[site]\nkind = "al-folio"\n\n[[people]]\nname = "Tianyi Yang"\norcid = "0009-0009-6777-2025"\n'

# Every entry of M0gician's papers.bib, every field, as written there (whitespace runs collapsed).
M0_ENTRIES = {
    "wang-etal-2024-raccoon": ("inproceedings", {
        "title": "Raccoon: Prompt Extraction Benchmark of LLM-Integrated Applications",
        "booktitle": "Findings of the Association for Computational Linguistics: ACL 2024",
        "month": "August", "year": "2024", "address": "Bangkok, Thailand",
        "publisher": "Association for Computational Linguistics",
        "url": "https://aclanthology.org/2024.findings-acl.791", "doi": "10.18653/v1/2024.findings-acl.791",
        "pages": "13349--13365", "selected": "true", "preview": "raccoon.png"},
        ["Wang, Junlin", "Yang, Tianyi", "Xie, Roy", "Dhingra, Bhuwan"],
        ["Ku, Lun-Wei", "Martins, Andre", "Srikumar, Vivek"]),
    "10.1145/3627703.3650074": ("inproceedings", {
        "title": "GMorph: Accelerating Multi-DNN Inference via Model Fusion", "year": "2024",
        "isbn": "9798400704376", "publisher": "Association for Computing Machinery", "address": "New York, NY, USA",
        "url": "https://doi.org/10.1145/3627703.3650074", "doi": "10.1145/3627703.3650074",
        "booktitle": "Proceedings of the Nineteenth European Conference on Computer Systems", "pages": "505–523",
        "numpages": "19", "keywords": "deep learning systems, machine learning inference, multi-task inference",
        "location": "Athens, Greece", "series": "EuroSys '24", "selected": "true", "preview": "gmorph.png"},
        ["Yang, Qizheng", "Yang, Tianyi", "Xiang, Mingcan", "Zhang, Lijun", "Wang, Haoliang", "Serafini, Marco",
         "Guan, Hui"], []),
    "hwang-etal-2022-event": ("inproceedings", {
        "title": "Event-Event Relation Extraction using Probabilistic Box Embedding",
        "booktitle": "Proceedings of the 60th Annual Meeting of the Association for Computational Linguistics "
                     "(Volume 2: Short Papers)",
        "month": "May", "year": "2022", "address": "Dublin, Ireland",
        "publisher": "Association for Computational Linguistics",
        "url": "https://aclanthology.org/2022.acl-short.26", "doi": "10.18653/v1/2022.acl-short.26",
        "pages": "235--244", "selected": "true", "preview": "ce2ere.png"},
        ["Hwang, EunJeong", "Lee, Jay-Yoon", "Yang, Tianyi", "Patel, Dhruvesh", "Zhang, Dongxu", "McCallum, Andrew"],
        ["Muresan, Smaranda", "Nakov, Preslav", "Villavicencio, Aline"]),
}
# How the abstracts begin and end, as written (LaTeX decoded: {'} is ', \texttimes{} is ×).
M0_ABSTRACTS = {
    "wang-etal-2024-raccoon": ("With the proliferation of LLM-integrated applications such as GPT-s",
                               "offering insights into their causes and potential countermeasures."),
    "10.1145/3627703.3650074": ("AI-powered applications often involve multiple deep neural network",
                                "1.1-3× while meeting the target task accuracy."),
    "hwang-etal-2022-event": ("To understand a story with multiple events",
                              "compared to previous models with constraint injection."),
}
_TEXT = LatexNodes2Text()


def _plain(value: str) -> str:
    return " ".join(_TEXT.latex_to_text(value).split()) if any(c in value for c in "\\{}") else " ".join(value.split())


def _entries(path):
    """{key: (type, {field: plain value}, [authors], [editors])} of a .bib file, read with pybtex."""
    data = parse_file(str(path), "bibtex")
    out = {}
    for key, e in data.entries.items():
        fields = {k.lower(): _plain(v) for k, v in e.fields.items()}
        month = fields.get("month", "")
        fields["month"] = {"aug": "August", "may": "May"}.get(month.lower()[:3], month) if month else None
        fields = {k: v for k, v in fields.items() if v is not None}
        names = {role: [_plain(str(p)) for p in e.persons.get(role, [])] for role in ("author", "editor")}
        out[key] = (e.type, fields, names["author"], names["editor"])
    return out


@pytest.fixture
def alfolio(realdata, tmp_path):
    site = tmp_path / "site"
    (site / "_bibliography").mkdir(parents=True)
    shutil.copy(realdata / M0, site / "_bibliography" / "papers.bib")
    (site / "config.toml").write_text(CONFIG)
    return site


def _adopt_and_export(site, *paths):
    adopted = run("adopt", *paths, cwd=site)
    assert adopted.returncode == 0, adopted.stderr
    exported = run("export", "--format", "bibtex", cwd=site)
    assert exported.returncode == 0, exported.stderr
    return adopted


def test_alfolio_round_trip_keeps_every_entry_field_and_value(alfolio):
    adopted = _adopt_and_export(alfolio)
    assert "adopted 3 entries from _bibliography/papers.bib (bibtex)" in adopted.stdout
    assert "3 works keep the site's citation key" in adopted.stdout
    back = _entries(alfolio / "_bibliography" / "papers.bib")
    assert set(back) == set(M0_ENTRIES)                       # same keys: {% cite %} tags keep working
    for key, (etype, fields, authors, editors) in M0_ENTRIES.items():
        got_type, got_fields, got_authors, got_editors = back[key]
        assert got_type == etype, key
        for name, value in fields.items():
            assert got_fields.get(name) == value, (key, name, got_fields.get(name))
        assert got_authors == authors and got_editors == editors, key
        start, end = M0_ABSTRACTS[key]
        assert got_fields["abstract"].startswith(start) and got_fields["abstract"].endswith(end), key
        # nothing was added that the owner did not write, but the abstract (kept) — no API was asked
        assert set(got_fields) == set(fields) | {"abstract"}, (key, set(got_fields) ^ set(fields))
    assert (alfolio / "_bibliography" / "papers.bib").read_text().startswith("---\n---\n")   # al-folio front matter


def test_readopt_is_idempotent_and_follows_the_owners_edits(alfolio):
    _adopt_and_export(alfolio)
    bib = alfolio / "_bibliography" / "papers.bib"
    first = bib.read_bytes()
    again = _adopt_and_export(alfolio)
    assert "site: 0 new, 0 changed, 3 unchanged, 0 removed" in again.stdout
    assert bib.read_bytes() == first                          # byte-identical
    diff = run("diff", cwd=alfolio)
    assert diff.returncode == 0 and "papers.bib" not in diff.stdout, diff.stdout

    # The owner edits by hand: a venue renamed, an entry deleted; adopt follows.
    text = bib.read_text()
    text = text.replace("Proceedings of the Nineteenth European Conference on Computer Systems", "EuroSys 2024")
    start = text.index("@inproceedings{hwang-etal-2022-event")
    bib.write_text(text[:start].rstrip() + "\n")
    edited = _adopt_and_export(alfolio)
    assert "site: 0 new, 1 changed, 1 unchanged, 1 removed" in edited.stdout
    back = _entries(bib)
    assert set(back) == {"wang-etal-2024-raccoon", "10.1145/3627703.3650074"}
    assert back["10.1145/3627703.3650074"][1]["booktitle"] == "EuroSys 2024"


def test_diff_right_after_adopt_changes_no_value(alfolio):
    """With no other source, the diff only re-formats: parsed before and after, every entry is the same."""
    original = _entries(alfolio / "_bibliography" / "papers.bib")
    assert run("adopt", cwd=alfolio).returncode == 0
    diff = run("diff", cwd=alfolio)
    assert diff.returncode == 0, diff.stderr
    assert "_bibliography/papers.bib" in diff.stdout          # formatting is normalised once, and the diff says so
    assert "note: _bibliography/papers.bib: formatting only (every entry and value as before" in diff.stdout
    assert run("export", "--format", "bibtex", cwd=alfolio).returncode == 0
    assert _entries(alfolio / "_bibliography" / "papers.bib") == original


def test_multi_file_site_keeps_its_files_and_new_works_go_by_type(realdata, alfolio):
    """confs.bib and journal.bib, rendered each under its own heading: each entry goes back to its file; a work
    only a source knows goes to the file its type maps to."""
    bib = alfolio / "_bibliography"
    text = (bib / "papers.bib").read_text()
    acl = text.index("@inproceedings{hwang-etal-2022-event")
    (bib / "confs.bib").write_text(text[:acl])                 # Raccoon and GMorph (after the --- front matter)
    (bib / "acl.bib").write_text(text[acl:])                   # the ACL 2022 short paper
    (bib / "papers.bib").unlink()
    (alfolio / "config.toml").write_text(CONFIG + '\n[[people]]\nname = "Jeroen Van Goey"\n'
                                         '\n[export.bibtex]\nfiles = { journal-article = "journal.bib" }\n')
    adopted = run("adopt", cwd=alfolio)
    assert adopted.returncode == 0, adopted.stderr
    assert "adopted 2 entries from _bibliography/confs.bib" in adopted.stdout
    assert "adopted 1 entries from _bibliography/acl.bib" in adopted.stdout
    # a lab member's journal articles the site does not have (BioGeek's list, a plain BibTeX import)
    imported = run("import", "bibtex", str(realdata / "sites/BioGeek__biogeek.github.io/publications.bib"),
                   "--profile", "jeroen-van-goey", cwd=alfolio)
    assert imported.returncode == 0, imported.stderr
    assert run("export", "--format", "bibtex", cwd=alfolio).returncode == 0
    assert set(_entries(bib / "confs.bib")) == {"wang-etal-2024-raccoon", "10.1145/3627703.3650074"}
    assert set(_entries(bib / "acl.bib")) == {"hwang-etal-2022-event"}
    journal = {fields["title"] for _, fields, _, _ in _entries(bib / "journal.bib").values()}
    # BioGeek's @article entries, read by hand: Journal of Proteome Research, Nature Machine Intelligence, bioRxiv…
    assert "Open-source and FAIR research software for proteomics" in journal
    assert "InstaNovo enables diffusion-powered de novo peptide sequencing in large-scale proteomics experiments" \
        in journal


def test_bad_path_is_one_line_usage_error(alfolio):
    missing = run("adopt", "nowhere.bib", cwd=alfolio)
    assert missing.returncode == 2 and "nowhere.bib: no such file or folder" in missing.stderr
    (alfolio / "broken.bib").write_text("@article{x, title = {unclosed\n")
    broken = run("adopt", "broken.bib", cwd=alfolio)
    assert broken.returncode == 2, broken.stderr
    assert "broken.bib: cannot adopt" in broken.stderr and "Traceback" not in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1


def test_jekyll_free_bibtex_check_of_the_adopted_file(alfolio):
    """The exported file still runs through real `bibtex` with the plain style, every entry cited."""
    bibtex = shutil.which("bibtex")
    if not bibtex:
        pytest.skip("bibtex is not installed")
    _adopt_and_export(alfolio)
    work = alfolio / "tex"
    work.mkdir()
    body = (alfolio / "_bibliography" / "papers.bib").read_text().split("---\n---\n", 1)[1]
    (work / "refs.bib").write_text(body)
    (work / "doc.aux").write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    done = subprocess.run([bibtex, "doc"], cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert (work / "doc.bbl").read_text().count("\\bibitem") == 3


# Titles written in TeX math in Limaye's list (read by hand): their export spells the math as text.
MATH_TITLES = {"DBLP:journals/siamcomp/LimayeSSTV21", "DBLP:conf/stoc/LimayeS0TV19", "DBLP:journals/eccc/BalajiLS16",
               "DBLP:journals/mst/LimayeMR10", "DBLP:conf/cocoon/KrebsLM10", "DBLP:journals/eccc/KrebsLM10",
               "DBLP:conf/stacs/LimayeMR07"}


def test_a_whole_dblp_export_site_comes_back_value_for_value(realdata, tmp_path):
    """Nutan Limaye's site keeps DBLP's standard export as its bibliography: 118 entries, 1,261 fields (counted with
    pybtex). After adopt and export, every entry, type, author, editor and field value is back, DOIs compared
    case-insensitively (a DOI is), month macros by month; only TeX math in seven titles is written as text."""
    site = tmp_path / "site"
    (site / "_bibliography").mkdir(parents=True)
    original = realdata / "api/dblp/bib/limaye_standard.bib"
    shutil.copy(original, site / "_bibliography" / "papers.bib")
    (site / "config.toml").write_text('[site]\nkind = "al-folio"\n\n[[people]]\nname = "Nutan Limaye"\n')
    adopted = _adopt_and_export(site)
    assert "site: 118 new" in adopted.stdout and "118 works keep the site's citation key" in adopted.stdout
    before = parse_file(str(original), "bibtex").entries
    after = parse_file(str(site / "_bibliography" / "papers.bib"), "bibtex").entries
    assert len(before) == 118 and set(after) == set(before)
    assert sum(len(e.fields) for e in before.values()) == 1261
    for key, old in before.items():
        new = after[key]
        assert new.type == old.type, key
        for role in ("author", "editor"):
            assert [_plain(str(p)) for p in new.persons.get(role, [])] == \
                   [_plain(str(p)) for p in old.persons.get(role, [])], (key, role)
        assert {f.lower() for f in new.fields} == {f.lower() for f in old.fields}, key
        for name, value in old.fields.items():
            if name.lower() == "title" and key in MATH_TITLES:
                continue
            got = new.fields[name]
            if name.lower() in ("doi", "url"):
                assert got.lower() == _plain(value).replace("\\_", "_").lower(), (key, name)
            elif name.lower() == "month":
                assert got[:3].lower() == value[:3].lower(), key
            else:
                assert _plain(got) == _plain(value), (key, name, got, value)
    assert _plain(after["DBLP:conf/stoc/LimayeS0TV19"].fields["title"].replace("\\textasciicircum{}", "^")) == \
        "A fixed-depth size-hierarchy theorem for AC^0[⊕] via the coin problem"


def test_one_broken_entry_does_not_hide_the_others(alfolio):
    bib = alfolio / "_bibliography" / "papers.bib"
    bib.write_text(bib.read_text().replace("@inproceedings{10.1145/3627703.3650074,",
                                           "@inproceedings{10.1145/3627703.3650074,\n  title = {twice},", 1))
    adopted = run("adopt", cwd=alfolio)
    assert adopted.returncode == 0, adopted.stderr
    assert "adopted 2 entries from _bibliography/papers.bib (bibtex)" in adopted.stdout
    warning = [line for line in adopted.stderr.splitlines() if "10.1145/3627703.3650074" in line]
    assert len(warning) == 1 and "duplicate title field" in warning[0] and "fix it and adopt again" in warning[0]


def test_the_owners_spelling_of_their_own_name_is_kept(realdata, tmp_path):
    """al-folio's template list (alshedivat/al-folio): the owner writes themselves "Einstein, A."; the config names
    them "Albert Einstein". The adopted entries keep "Einstein, A." (read by hand), and the diff is formatting only."""
    site = tmp_path / "site"
    (site / "_bibliography").mkdir(parents=True)
    shutil.copy(realdata / "sites/alshedivat__al-folio/_bibliography/papers.bib", site / "_bibliography")
    (site / "config.toml").write_text('[site]\nkind = "al-folio"\n\n[[people]]\nname = "Albert Einstein"\n')
    assert run("adopt", cwd=site).returncode == 0
    diff = run("diff", "--format", "bibtex", cwd=site)
    assert "note: _bibliography/papers.bib: formatting only" in diff.stdout, diff.stdout
    assert run("export", "--format", "bibtex", cwd=site).returncode == 0
    entries = _entries(site / "_bibliography" / "papers.bib")
    assert entries["PhysRev.47.777"][2] == ["Einstein, A.", "Podolsky, B.", "Rosen, N."]
    assert entries["einstein1905movement"][2] == ["Einstein, A."]
    assert len(entries) == 7


def test_the_readme_adopt_examples_load(tmp_path):
    from pubsync.config import load_config
    from tests.conftest import REPO
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## An existing site", 1)[1].split("\n## ", 1)[0]
    blocks = [part.split("```", 1)[0] for part in section.split("```toml")[1:]]
    assert len(blocks) == 2
    for block in blocks:
        path = tmp_path / "config.toml"
        path.write_text('[[people]]\nname = "Josiah Carberry"\n\n' + block)
        cfg = load_config(path, env={})
        assert cfg.export_options.get("bibtex", {}).get("files", {}).get("conference-paper") == "confs.bib" \
            or cfg.formats == ["site-data"]
    path.write_text('[export.bibtex]\nfiles = { preprint = "../up.bib" }\n')
    bad = run("adopt", "--help", cwd=tmp_path)                        # help never reads the config
    assert bad.returncode == 0
    broken = run("diff", cwd=tmp_path)
    assert broken.returncode == 2 and "files.preprint" in broken.stderr and "Traceback" not in broken.stderr
