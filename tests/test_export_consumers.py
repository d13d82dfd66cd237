"""The real consumers read what pubsync writes: pybtex and bibtex, Jekyll (Liquid), Hugo.

Each test skips with the apt-get line when its tool is missing; with PUBSYNC_REQUIRE_TOOLS=1 (CI) it fails instead.
"""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pubsync.export import ExportContext, render, write
from pubsync.records import Author, Work
from pubsync.settings import Person
from tests.conftest import need_tool

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
SITES = HERE / "sites"
APT = "apt-get install -y --no-install-recommends jekyll hugo texlive-binaries texlive-base"


def need(tool: str) -> str:
    return need_tool(tool, install=APT)


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def all_works() -> tuple[list[Person], list[Work]]:
    profile = json.loads((GOLDEN / "profile.json").read_text(encoding="utf-8"))
    hostile = json.loads((GOLDEN / "hostile.json").read_text(encoding="utf-8"))
    works = [Work.from_dict(w) for w in profile["works"] + hostile["works"]]
    works.append(Work(key="long2018", title="Long " + "word " * 399 + "end", authors=[Author("Al Long")],
                      year=2018, type="journal-article", venue="J"))
    return [Person(**p) for p in profile["people"]], works


def ctx(site_kind: str) -> ExportContext:
    people, _ = all_works()
    return ExportContext(people=people, site_kind=site_kind, data_date="2026-03-01", scholar_users=["U"])


# ---- BibTeX ------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "latex"])
def test_pybtex_parses_every_entry_with_unique_keys(encoding):
    import pybtex.database
    import pybtex.errors
    pybtex.errors.set_strict_mode(True)         # a duplicate key or a syntax error raises
    _, works = all_works()
    c = ctx("al-folio")
    c.options = {"encoding": encoding}
    text = render("bibtex", works, c)[""].decode("utf-8")
    data = pybtex.database.parse_string(text, "bibtex")
    assert sorted(data.entries) == sorted(w.key for w in works)
    assert data.entries["carberry2021psychoceramics"].fields["doi"] == "10.5555/12345678"
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("encoding", ["utf-8", "latex"])
def test_real_bibtex_runs_plain_style_without_warnings(tmp_path, encoding):
    bibtex = need("bibtex")
    _, works = all_works()
    c = ctx("plain")
    c.options = {"encoding": encoding}
    (tmp_path / "papers.bib").write_bytes(render("bibtex", works, c)[""])
    (tmp_path / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{papers}\n")
    result = run([bibtex, "doc"], tmp_path)
    log = (tmp_path / "doc.blg").read_text(errors="replace")
    assert result.returncode == 0, log
    assert "Warning" not in log and "error" not in log.lower().replace("error messages", ""), log
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert bbl.count("\\bibitem") == len(works)


# ---- papers.yml through Jekyll and Hugo --------------------------------------------------------

def _titles_shown(html: str) -> list[str]:
    import re
    return re.findall(r'<span class="title">(.*?)</span>', html)


def _escaped(text: str) -> str:
    import html
    return html.escape(" ".join(text.split()), quote=True)


# papers.yml's titles are HTML: the sanitized inline markup, the text escaped. The two hostile titles that hold
# markup are written out by hand; every other title shows as its text, escaped.
SANITIZED_TITLES = {
    "script2023": "&amp; &quot;quotes&quot; &#x27;single&#x27;",
    "shortcode2019": "Hugo {{&lt; youtube id &gt;}} and {{% notice %}} shortcodes",
}


def _expected_titles(works: list[Work]) -> list[str]:
    return sorted(SANITIZED_TITLES.get(w.key) or _escaped(w.title) for w in works)


def test_jekyll_builds_papers_yml_and_shows_every_title_escaped(tmp_path):
    """The template prints `{{ p.title }}` without `| escape`, as al-folio's layouts and most hand-made loops do."""
    jekyll = need("jekyll")
    site = tmp_path / "site"
    shutil.copytree(SITES / "jekyll-papers", site)
    _, works = all_works()
    write("papers-yml", render("papers-yml", works, ctx("al-folio")), site / "_data" / "papers.yml")
    result = run([jekyll, "build", "--quiet", "--safe", "-s", str(site), "-d", str(tmp_path / "out")], tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    shown = _titles_shown(page)
    assert len(shown) == len(works)
    assert sorted(shown) == _expected_titles(works)
    assert "<script" not in page and "<img" not in page and "SITE-TITLE-MARKER" not in page
    assert "javascript:" not in page


def test_hugo_builds_papers_yaml_and_shows_every_title_escaped(tmp_path):
    hugo = need("hugo")
    site = tmp_path / "site"
    shutil.copytree(SITES / "hugo-papers", site)
    _, works = all_works()
    write("papers-yml", render("papers-yml", works, ctx("hugo")), site / "data" / "papers.yaml")
    result = run([hugo, "--quiet", "--source", str(site), "--destination", str(tmp_path / "out")], tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    shown = _titles_shown(page)
    assert len(shown) == len(works)
    import html
    assert sorted(html.unescape(t) for t in shown) == sorted(html.unescape(t) for t in _expected_titles(works))
    assert "<script" not in page and "<img" not in page and "SITE-TITLE-MARKER" not in page


# ---- academicpages through Jekyll ---------------------------------------------------------------

def test_jekyll_builds_academicpages_collection_with_a_page_per_work(tmp_path):
    jekyll = need("jekyll")
    site = tmp_path / "site"
    shutil.copytree(SITES / "jekyll-academicpages", site)
    (site / "_publications").mkdir()
    hand_written = site / "_publications" / "2009-10-01-paper-title-number-1.md"
    hand_written.write_text("---\ntitle: \"Hand written\"\ncollection: publications\ndate: 2009-10-01\n---\nMine.\n")
    _, works = all_works()
    write("academicpages", render("academicpages", works, ctx("academicpages")), site / "_publications")
    result = run([jekyll, "build", "--quiet", "--safe", "-s", str(site), "-d", str(tmp_path / "out")], tmp_path)
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert index.count('<li class="pub">') == len(works) + 1
    pages = sorted((tmp_path / "out" / "publication").glob("*.html"))
    assert len(pages) == len(works)
    pages.append(tmp_path / "out" / "publications" / "2009-10-01-paper-title-number-1" / "index.html")
    for path in [tmp_path / "out" / "index.html", *pages]:
        html = path.read_text(encoding="utf-8")
        assert "<script" not in html and "<img" not in html and "SITE-TITLE-MARKER" not in html, path
        assert "onmouseover=\"" not in html and "javascript:" not in html, path
    assert "Hand written" in index
    assert "Psychoceramics of BERT: A Study of Cracked Pots" in index
