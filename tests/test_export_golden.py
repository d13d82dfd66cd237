"""Every format against hand-written expected files (tests/golden/), byte for byte, for a hand-written profile."""
import json
import shutil
from pathlib import Path

import pytest

from pubsync.export import ExportContext, render, write
from pubsync.records import Work
from pubsync.settings import Person

GOLDEN = Path(__file__).parent / "golden"


def load_profile():
    data = json.loads((GOLDEN / "profile.json").read_text(encoding="utf-8"))
    people = [Person(**p) for p in data["people"]]
    works = [Work.from_dict(w) for w in data["works"]]
    return people, works, data


def context(site_kind, **options):
    people, _, data = load_profile()
    return ExportContext(people=people, site_kind=site_kind, options=options, data_date=data["data_date"],
                         scholar_users=data["scholar_users"])


@pytest.mark.parametrize("fmt, site_kind, golden", [
    ("bibtex", "al-folio", "papers.bib"),
    ("papers-yml", "al-folio", "papers.yml"),
    ("citations-yml", "al-folio", "citations.yml"),
    ("csl-json", "plain", "papers.json"),
])
def test_single_file_formats_match_golden(fmt, site_kind, golden):
    _, works, _ = load_profile()
    files = render(fmt, works, context(site_kind))
    assert list(files) == [""]
    assert files[""].decode("utf-8") == (GOLDEN / golden).read_text(encoding="utf-8")


def test_output_does_not_depend_on_input_order():
    _, works, _ = load_profile()
    for fmt in ("bibtex", "papers-yml", "citations-yml", "csl-json", "academicpages", "markdown", "html"):
        ctx = context("al-folio")
        assert render(fmt, works, ctx) == render(fmt, list(reversed(works)), ctx)


def test_academicpages_pages_match_golden():
    _, works, _ = load_profile()
    files = render("academicpages", works, context("academicpages"))
    expected = {p.name: p.read_text(encoding="utf-8") for p in (GOLDEN / "_publications").iterdir()}
    assert sorted(files) == sorted(expected)
    for name, data in files.items():
        assert data.decode("utf-8") == expected[name], name


def test_markdown_list_is_spliced_between_markers(tmp_path):
    _, works, _ = load_profile()
    page = tmp_path / "publications.md"
    shutil.copy(GOLDEN / "publications.before.md", page)
    files = render("markdown", works, context("academicpages"))
    assert write("markdown", files, page) == [(str(page), "written")]
    assert page.read_text(encoding="utf-8") == (GOLDEN / "publications.after.md").read_text(encoding="utf-8")


def test_html_fragment_grouped_by_year_is_spliced_between_markers(tmp_path):
    _, works, _ = load_profile()
    page = tmp_path / "index.html"
    shutil.copy(GOLDEN / "index.before.html", page)
    files = render("html", works, context("plain", group_by="year"))
    write("html", files, page)
    assert page.read_text(encoding="utf-8") == (GOLDEN / "index.after.html").read_text(encoding="utf-8")
