"""Markup from the sources: the allowed inline markup kept in each format's own syntax, every attack removed —
in the exported files and in a real Jekyll build that prints `{{ p.title }}` unescaped."""
import json
import shutil
from pathlib import Path

import pytest
import yaml

from pubsync.export import FORMATS, ExportContext, render, write
from pubsync.merge import build_works
from pubsync.records import Author, Work
from pubsync.sources import crossref
from tests.conftest import need_tool

SITES = Path(__file__).parent / "sites"

ALLOWED = ('<i>Pinus radiata</i> and <em>em</em>, <b>bold</b> <strong>strong</strong> H<sub>2</sub>O '
           'x<sup>2</sup> <span style="font-variant: small-caps;">Sc</span> <scp>Jats</scp>')
MATHML = ('Water <mml:math><mml:msub><mml:mi>H</mml:mi><mml:mn>2</mml:mn></mml:msub></mml:math>O and '
          '<math><msup><mi>e</mi><mn>3</mn></msup><annotation encoding="application/x-tex">e^3</annotation></math>')
ATTACKS = {
    "script": "Safe <script>alert('a')</script>title",
    "nested": "Safe <scr<script>ipt>alert('b')</script>title",
    "obfuscated": "Safe <ScRiPt >alert('c')</sCrIpT >title",
    "entity-script": "Safe &lt;script&gt;alert('d')&lt;/script&gt;title",
    "handler": 'Safe <b onmouseover="alert(1)">title</b>',
    "javascript-link": 'Safe <a href="javascript:alert(1)">title</a>',
    "img": "Safe <img src=x onerror=alert(1)>title",
    "iframe": 'Safe <iframe src="https://evil.example/">framed</iframe>title',
    "style": "Safe <style>body{display:none}</style>title",
    "svg": "Safe <svg onload=alert(1)>title</svg>",
}
LIVE = ("<script", "<img", "<iframe", "<style", "<svg", "<a ", "onerror", "onload", "onmouseover", "javascript:")


def work(key: str, title: str, venue: str = "Journal of <i>Trees</i>") -> Work:
    return Work(key=key, title=title, authors=[Author("Ann Lee")], year=2024, date="2024-01-02",
                type="journal-article", venue=venue, abstract=title)


def ctx(site_kind: str = "al-folio") -> ExportContext:
    return ExportContext(site_kind=site_kind, data_date="2026-03-01")


def test_allowed_markup_in_every_format():
    w = work("allowed2024", ALLOWED)
    item = yaml.safe_load(render("papers-yml", [w], ctx())[""])[0]
    html_title = ('<i>Pinus radiata</i> and <i>em</i>, <b>bold</b> <b>strong</b> H<sub>2</sub>O x<sup>2</sup> '
                  '<span style="font-variant:small-caps">Sc</span> <span style="font-variant:small-caps">Jats</span>')
    assert item["title"] == html_title and item["container-title"] == "Journal of <i>Trees</i>"
    csl = json.loads(render("csl-json", [w], ctx())[""])[0]
    assert csl["title"] == html_title.replace("small-caps", "small-caps;")
    bib = render("bibtex", [w], ctx())[""].decode()
    assert ("title = {\\textit{Pinus radiata} and \\textit{em}, \\textbf{bold} \\textbf{strong} "
            "{H}\\textsubscript{2}{O} x\\textsuperscript{2} \\textsc{Sc} \\textsc{Jats}}") in bib
    assert "journal = {Journal of \\textit{Trees}}" in bib
    md = render("markdown", [w], ctx())[""].decode()
    assert f"* {html_title}" in md and "*Journal of <i>Trees</i> 2024*" in md
    fragment = render("html", [w], ctx())[""].decode()
    assert f'<span class="pub-title">{html_title}</span>' in fragment
    pages = render("academicpages", [w], ctx("academicpages"))
    assert list(pages) == ["2024-01-02-pinus-radiata-and-em-bold-strong-h2o-x2-sc-jats.md"]
    page = pages["2024-01-02-pinus-radiata-and-em-bold-strong-h2o-x2-sc-jats.md"].decode()
    assert f"title: {json.dumps(html_title)}" in page
    cites = yaml.safe_load(render("citations-yml", [Work(**{**w.__dict__, "ids": {"scholar": "U:P"},
                                                              "citations": {"scholar": 3}})], ctx())[""])
    assert cites["papers"]["U:P"]["title"] == "Pinus radiata and em, bold strong H2O x2 Sc Jats"


def test_mathml_becomes_its_text_with_sub_and_superscripts():
    w = work("math2024", MATHML)
    assert yaml.safe_load(render("papers-yml", [w], ctx())[""])[0]["title"] == \
        "Water H<sub>2</sub>O and e<sup>3</sup>"
    assert "title = {Water {H}\\textsubscript{2}{O} and e\\textsuperscript{3}}" in render("bibtex", [w], ctx())[""].decode()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_attack_survives_any_format(fmt, attack):
    w = work(f"{attack}2024", ATTACKS[attack], venue=ATTACKS[attack])
    site_kind = "academicpages" if fmt == "academicpages" else "al-folio"
    w = Work(**{**w.__dict__, "ids": {"scholar": "U:P"}, "citations": {"scholar": 1}})
    text = "".join(b.decode() for b in render(fmt, [w], ctx(site_kind)).values())
    if fmt == "citations-yml" and attack == "entity-script":
        # Plain text: the title's own words, which spell a tag; al-folio reads only the counts from this file.
        assert "title: \"Safe <script>alert('d')</script>title\"" in text
        return
    low = text.lower()
    for live in LIVE:
        assert live not in low, (live, text)
    assert "alert" not in low or attack in ("nested", "entity-script")   # left as visible text, not as code
    assert "title" in text


def test_the_real_crossref_italics_reach_html_and_bibtex(realdata):
    """Denner's Crossref recording: 'First Report of <i>Ralstonia syzygii</i> Causing Bacteria Wilt …'."""
    path = realdata / "api/crossref/denner_2025-11_crossref_works_by_doi_52.json"
    records = [r for raw in crossref.load(path.read_bytes(), path.name) for r in crossref.parse(raw)
               if r.source_id == "10.1094/pdis-10-24-2229-pdn"]
    works = build_works(records, []).works
    for i, w in enumerate(works):
        w.key = f"rezende{i}"
    item = yaml.safe_load(render("papers-yml", works, ctx())[""])[0]
    assert item["title"] == "First Report of <i>Ralstonia syzygii</i> Causing Bacteria Wilt on Eucalyptus in Brazil"
    bib = render("bibtex", works, ctx())[""].decode()
    assert "title = {First Report of \\textit{Ralstonia syzygii} Causing Bacteria Wilt on Eucalyptus in Brazil}" \
        in bib


def test_jekyll_unescaped_title_loop_shows_markup_and_runs_no_script(tmp_path):
    """The loop prints `{{ p.title }}` as it is, as al-folio's layouts and most hand-made templates do."""
    jekyll = need_tool("jekyll", install="apt-get install -y --no-install-recommends jekyll")
    site = tmp_path / "site"
    shutil.copytree(SITES / "jekyll-papers", site)
    assert "{{ p.title }}" in (site / "index.html").read_text()
    works = [work("allowed2024", ALLOWED), work("math2023", MATHML)]
    works += [work(f"{name}2020", title, venue=title) for name, title in sorted(ATTACKS.items())]
    write("papers-yml", render("papers-yml", works, ctx()), site / "_data" / "papers.yml")
    import subprocess
    result = subprocess.run([jekyll, "build", "--quiet", "--safe", "-s", str(site), "-d", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count('<li class="paper"') == len(works)
    low = page.lower()
    for live in LIVE:
        assert live not in low, live
    assert "<i>Pinus radiata</i>" in page and "H<sub>2</sub>O" in page
    assert '<span class="title">Safe &lt;script&gt;alert(&#x27;d&#x27;)&lt;/script&gt;title</span>' in page
    assert '<span class="title">Safe title</span>' in page          # the script went with its content


def test_citation_keys_and_slugs_take_the_words_not_the_markup():
    from pubsync.citekeys import base_key
    w = work("x", "<i>Pinus radiata</i> growth <script>alert(1)</script>")
    assert base_key(w) == "lee2024pinus"
    assert list(render("academicpages", [w], ctx("academicpages"))) == ["2024-01-02-pinus-radiata-growth.md"]
    assert sorted(render("hugoblox", [w], ctx("hugo"))) == ["pinus-radiata-growth/cite.bib", "pinus-radiata-growth/index.md"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_mathml_leaves_no_math_markup_in_any_format(fmt):
    w = Work(**{**work("math2024", MATHML).__dict__, "ids": {"scholar": "U:P"}, "citations": {"scholar": 1}})
    site_kind = "academicpages" if fmt == "academicpages" else "al-folio"
    text = "".join(b.decode() for b in render(fmt, [w], ctx(site_kind)).values())
    assert "Water H" in text and "mml" not in text and "<math" not in text and "<mi>" not in text
    assert "e^3" not in text and "x-tex" not in text          # the TeX annotation is not shown twice


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_identifier_cannot_break_out_of_an_attribute(fmt):
    """Any ORCID user can type a DOI; DOIs may hold quotes and angle brackets. Written percent-encoded."""
    doi = '10.1000/x"onmouseover="alert(1)<script>alert(2)</script>'
    w = Work(**{**work("doi2024", "A title").__dict__, "ids": {"doi": doi, "scholar": "U:P"},
                "citations": {"scholar": 1}})
    site_kind = "academicpages" if fmt == "academicpages" else "al-folio"
    text = "".join(b.decode() for b in render(fmt, [w], ctx(site_kind)).values())
    assert "<script" not in text and 'x"onmouseover' not in text and 'x\\"onmouseover' not in text
    if fmt in ("papers-yml", "csl-json", "bibtex", "hugoblox"):
        assert "10.1000/x%22onmouseover=%22alert(1)%3Cscript%3Ealert(2)%3C/script%3E" in text
