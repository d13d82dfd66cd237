"""Format rules the golden files do not pin down: owner marking, options, types, schema, real-data shapes."""
import json
import re
from pathlib import Path

import pytest
import yaml

from pubsync.export import FORMATS, OPTIONS, ExportContext, ExportError, default_path, render, validate_options
from pubsync.export.view import links, sort_key
from pubsync.names import owners
from pubsync.records import Author, Work
from pubsync.settings import Person

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"
ME = Person(name="Tianyi Yang", orcid="0009-0009-6777-2025", openalex="A5000000042")


def load(name):
    return [Work.from_dict(w) for w in json.loads((GOLDEN / name).read_text(encoding="utf-8"))["works"]]


# ---- owner marking ---------------------------------------------------------------------------

def test_owner_found_by_orcid_even_under_another_spelling():
    w = Work(key="k", authors=[Author("T. Yang", orcid="0009-0009-6777-2025"), Author("Qizheng Yang")])
    assert owners(w, [ME]) == [ME, None]


def test_same_name_coauthor_with_a_different_id_is_never_the_owner():
    w = Work(key="k", authors=[Author("Tianyi Yang", orcid="0000-0001-5109-3700"), Author("Tianyi Yang")],
             people=[ME.key])
    assert owners(w, [ME]) == [None, ME]


def test_name_fallback_skipped_once_the_owner_was_found_by_id():
    w = Work(key="k", authors=[Author("Tianyi Yang", openalex="A5000000042"), Author("Tianyi Yang")])
    assert owners(w, [ME]) == [ME, None]


def test_name_fallback_only_for_people_the_work_belongs_to():
    other = Person(name="Junlin Wang")
    w = Work(key="k", authors=[Author("Junlin Wang"), Author("Tianyi Yang")], people=[ME.key])
    assert owners(w, [ME, other]) == [None, ME]


def test_bibtex_writes_the_owner_as_person_name_for_alfolio_highlighting():
    w = Work(key="k", title="T", authors=[Author("T. Yang*", orcid="0009-0009-6777-2025")], year=2024,
             type="journal-article", venue="J")
    text = render("bibtex", [w], ExportContext(people=[ME]))[""].decode()
    assert "author = {Yang*, Tianyi}," in text


# ---- BibTeX rules ---------------------------------------------------------------------------

def bib(work, **options):
    return render("bibtex", [work], ExportContext(options=options))[""].decode()


def test_entry_type_falls_back_to_misc_when_plain_would_warn():
    base = dict(key="k", title="T", authors=[Author("A B")], year=2020)
    assert bib(Work(**base, type="journal-article", venue="J")).startswith("@article{k,")
    assert bib(Work(**base, type="journal-article")).startswith("@misc{k,")         # no journal
    assert bib(Work(**base, type="book-chapter", venue="Book")).startswith("@misc{k,")   # no publisher
    assert bib(Work(**base, type="book-chapter", venue="Book", extra={"publisher": "P"})).startswith("@incollection{k,")
    assert bib(Work(**base, type="thesis", venue="MIT")).startswith("@phdthesis{k,\n  title = {T},\n  author = {B, A},\n  school = {MIT},")
    assert bib(Work(**base, type="report", venue="Lab")).startswith("@techreport{k,")
    assert bib(Work(**base, type="preprint", ids={"arxiv": "2101.00001"}), preprint_type="article") \
        .startswith("@article{k,\n  title = {T},\n  author = {B, A},\n  journal = {arXiv preprint arXiv:2101.00001},")


def test_every_custom_field_sits_on_one_line_as_key_equals_braced_value():
    w = Work(key="k", title="T", year=2020, type="other", abstract="line one\nline two",
             extra={"selected": True, "abbr": "ICML", "preview": "p.png", "pdf": "p.pdf", "code": "https://c",
                    "html": "https://h", "award": "Best\npaper", "bibtex_show": True,
                    "additional_info": "*More* {x}", "annotation": "* equal\n† me"},
             ids={"arxiv": "2101.00001", "scholar": "USER:qyhmnyLat1gC"})
    text = bib(w)
    hidden = ["abbr", "abstract", "additional_info", "annotation", "arxiv", "award", "bibtex_show", "code",
              "google_scholar_id", "html", "pdf", "preview", "selected"]
    for name in hidden:
        assert re.search(rf"^  {name} = \{{.*\}},?$", text, re.M), name
    # al-folio's hideCustomBibtex: removing those lines must leave a valid entry with nothing of them.
    stripped = "".join(line for line in text.splitlines(True)
                       if not any(re.match(rf"^.*\b{k}\b *= *\{{.*$", line) for k in hidden))
    assert "{true}" not in stripped and "qyhmnyLat1gC" not in stripped
    assert "  google_scholar_id = {qyhmnyLat1gC}," in text


def test_escaping_and_capital_protection():
    w = Work(key="k", title="BERT & GPT: 50% of $x_1$ #1 ~ ^ \\ {LaTeX}", authors=[Author("A B")], year=2020,
             type="other")
    title = re.search(r"^  title = (.*),$", bib(w), re.M).group(1)
    assert title == (r"{ {BERT} \& {GPT}: 50\% of \$x\_1\$ \#1 \textasciitilde{} \textasciicircum{} "
                     r"\textbackslash{} {\{LaTeX\}}}")


def test_latex_encoding_option_uses_pylatexenc():
    w = Work(key="k", title="Müller", authors=[Author("Łukasz Gödel")], year=2020, type="other")
    assert "title = {M{\\\"u}ller}" in bib(w, encoding="latex")
    assert "author = {G{\\\"o}del, {\\L}ukasz}" in bib(w, encoding="latex")
    assert "title = {Müller}" in bib(w)


def test_front_matter_follows_site_kind_and_option():
    w = Work(key="k", title="T", type="other")
    assert render("bibtex", [w], ExportContext(site_kind="al-folio"))[""].startswith(b"---\n---\n\n@misc{k,")
    assert render("bibtex", [w], ExportContext(site_kind="hugo"))[""].startswith(b"@misc{k,")
    assert render("bibtex", [w], ExportContext(site_kind="plain", options={"front_matter": True}))[""] \
        .startswith(b"---\n---\n")


def test_duplicate_keys_are_refused_with_a_clear_error():
    with pytest.raises(ExportError, match="citation key 'k'"):
        render("bibtex", [Work(key="k", title="a"), Work(key="k", title="b")], ExportContext())


def test_bibtex_fields_agree_with_a_real_alfolio_entry(realdata):
    """The Raccoon paper as m0gician's site has it (ACL Anthology BibTeX), rebuilt from a Work: pybtex must read
    the same title, authors, venue, year, month, DOI and URL from ours."""
    import pybtex.database
    real = pybtex.database.parse_file(
        str(realdata / "sites" / "M0gician__m0gician.github.io" / "_bibliography" / "papers.bib"))
    ref = real.entries["wang-etal-2024-raccoon"]
    w = Work(key="wang-etal-2024-raccoon", type="conference-paper", year=2024, date="2024-08",
             title="Raccoon: Prompt Extraction Benchmark of LLM-Integrated Applications",
             authors=[Author("Junlin Wang"), Author("Tianyi Yang", orcid="0009-0009-6777-2025"),
                      Author("Roy Xie"), Author("Bhuwan Dhingra")],
             venue="Findings of the Association for Computational Linguistics: ACL 2024",
             ids={"doi": "10.18653/v1/2024.findings-acl.791"}, url="https://aclanthology.org/2024.findings-acl.791",
             extra={"selected": True, "preview": "raccoon.png"})
    ours = pybtex.database.parse_string(render("bibtex", [w], ExportContext(people=[ME], site_kind="al-folio"))[""]
                                        .decode(), "bibtex").entries[w.key]
    assert ours.type == ref.type == "inproceedings"
    for name in ("booktitle", "year", "month", "doi", "url", "selected", "preview"):
        assert ours.fields[name].lower() == ref.fields[name].lower(), name
    plain = lambda s: re.sub(r"[{}]", "", s)
    assert plain(ours.fields["title"]) == plain(ref.fields["title"])
    assert [str(p) for p in ours.persons["author"]] == [str(p) for p in ref.persons["author"]]


# ---- papers.yml -------------------------------------------------------------------------------

def _schema():
    return json.loads((ROOT / "docs" / "papers-yml.schema.json").read_text())


@pytest.mark.parametrize("options", [{}, {"group_by": "year"}, {"root_key": "papers"}, {"authors_format": "html"},
                                     {"group_by": "year", "root_key": "publications", "abstract": False}])
def test_papers_yml_validates_against_its_schema(options):
    import jsonschema
    works = load("profile.json") + load("hostile.json")
    ctx = ExportContext(people=[Person(name="Josiah Carberry", orcid="0000-0002-1825-0097")], options=options)
    data = yaml.safe_load(render("papers-yml", works, ctx)[""])
    jsonschema.validate(data, _schema())
    items = data if not options.get("root_key") else data[options["root_key"]]
    if options.get("group_by") == "year":
        assert [g["year"] for g in items] == [2024, 2023, 2022, 2021, 2020, 2019, None]
        items = [p for g in items for p in g["papers"]]
    assert len(items) == len(works)


def test_papers_yml_keeps_hostile_strings_as_strings():
    works = load("hostile.json")
    data = yaml.safe_load(render("papers-yml", works, ExportContext())[""])
    titles = {i["id"]: i["title"] for i in data}
    assert titles["liquid2024"] == "{% include evil.html %} and {{ site.title }} and {% raw %}"
    assert titles["newline2021"] == "Title with newlines and tabs and a line separator"
    script = next(i for i in data if i["id"] == "script2023")
    assert "<" not in script["authors"]
    assert all(not l["url"].startswith("javascript") and '"' not in l["url"] for l in script["links"])


# ---- citations.yml ---------------------------------------------------------------------------

def test_citations_yml_has_the_shape_of_alfolios_own_file(realdata):
    real = yaml.safe_load((realdata / "sites" / "alshedivat__al-folio" / "_data" / "citations.yml").read_text())
    w = Work(key="k", title="Short: term", year=2021, ids={"scholar": "2osOgNQ5qMEC"}, citations={"scholar": 25})
    ours = yaml.safe_load(render("citations-yml", [w], ExportContext(data_date="2026-05-13",
                                                                      scholar_users=["0QI92MsAAAAJ"]))[""])
    assert set(ours) == set(real) == {"metadata", "papers"}
    assert ours["metadata"] == real["metadata"] == {"last_updated": "2026-05-13"}
    real_key, real_paper = next(iter(real["papers"].items()))
    assert re.fullmatch(r"[\w-]+:[\w-]+", real_key) and "0QI92MsAAAAJ:2osOgNQ5qMEC" in ours["papers"]
    paper = ours["papers"]["0QI92MsAAAAJ:2osOgNQ5qMEC"]
    assert set(paper) == set(real_paper) == {"citations", "title", "year"}
    assert {k: type(v) for k, v in paper.items()} == {k: type(v) for k, v in real_paper.items()}


def test_citations_yml_needs_the_data_date():
    with pytest.raises(ExportError, match="YYYY-MM-DD"):
        render("citations-yml", [], ExportContext())


# ---- markdown / academicpages hostile --------------------------------------------------------

def test_markdown_list_has_no_liquid_shortcode_html_or_marker_from_metadata():
    works = load("hostile.json")
    text = render("markdown", works, ExportContext())[""].decode()
    assert not re.search(r"\{\{|\{%|%\}|\}\}|<(?!br>)", text.replace("<br>", "")), text
    assert "<!--" not in text          # a title holding "<!-- pubsync:end -->" cannot close the markers
    assert text.count("\n* ") == len(works)


def test_html_fragment_escapes_everything():
    works = load("hostile.json")
    text = render("html", works, ExportContext(options={"group_by": "year"}))[""].decode()
    assert "<script" not in text and "{{" not in text and "{%" not in text and "<!--" not in text
    assert "javascript:" not in text and 'href="" onmouseover' not in text


def test_academicpages_file_names_are_safe_for_any_title():
    works = load("hostile.json") + [Work(key="long", title="x" * 2000, year=2020)]
    files = render("academicpages", works, ExportContext(site_kind="academicpages"))
    for name, data in files.items():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]{1,70}\.md", name), name
        fm = yaml.safe_load(data.decode().split("---\n")[1])
        assert fm["generated_by"] == "pubsync" and fm["permalink"] == f"/publication/{name[:-3]}"
    assert "1900-01-01-etc-passwd.md" in files


def test_grouping_and_selected_only():
    works = load("profile.json")
    md = render("markdown", works, ExportContext(options={"group_by": "selected"}))[""].decode()
    assert md.index("### Selected publications") < md.index("Psychoceramics") < md.index("### Other publications")
    only = render("markdown", works, ExportContext(options={"selected_only": True}))[""].decode()
    assert only.count("\n* ") == 1


# ---- registry ---------------------------------------------------------------------------------

def test_options_are_validated_with_clear_messages():
    with pytest.raises(ExportError, match=r"\[export.bibtex\]: unknown option 'frontmatter'"):
        validate_options("bibtex", {"frontmatter": True})
    with pytest.raises(ExportError, match="must be a bool"):
        validate_options("bibtex", {"abstract": "yes"})
    with pytest.raises(ExportError, match="choose one of: utf-8, latex"):
        validate_options("bibtex", {"encoding": "ascii"})
    with pytest.raises(ExportError, match="link_order"):
        validate_options("markdown", {"link_order": ["nope"]})
    with pytest.raises(ExportError, match="unknown export format"):
        render("docx", [], ExportContext())
    assert set(OPTIONS) == set(FORMATS)


def test_default_paths():
    assert default_path("bibtex", "al-folio") == "_bibliography/papers.bib"
    assert default_path("academicpages", "academicpages") == "_publications"
    assert default_path("papers-yml", "hugo") == "data/papers.yaml"
    assert default_path("citations-yml", "al-folio") == "_data/citations.yml"
    with pytest.raises(ExportError, match="unknown site kind"):
        default_path("bibtex", "wordpress")


@pytest.mark.parametrize("options", [{}, {"group_by": "year", "root_key": "papers"}, {"authors_format": "html"}])
def test_papers_yml_text_holds_exactly_the_items(options):
    """What a YAML reader gets back from papers.yml is item() of every work, hostile strings included."""
    from pubsync.export.papers_yml import item
    works = load("hostile.json") + load("profile.json")
    ctx = ExportContext(people=[ME], site_kind="al-folio", options=options)
    loaded = yaml.safe_load(render("papers-yml", works, ctx)[""].decode("utf-8"))
    full = ExportContext(people=[ME], site_kind="al-folio", options=validate_options("papers-yml", options))
    items = [item(w, full) for w in sorted(works, key=sort_key)]
    if options.get("group_by") == "year":
        loaded = [paper for group in loaded["papers"] for paper in group["papers"]]
    assert loaded == items


def test_owner_found_by_initials_only_when_unambiguous():
    albert = Person(name="Albert Einstein", key="ae")
    scholar_row = Work(key="k", people=["ae"], authors=[Author("A Einstein"), Author("B Podolsky"), Author("N Rosen")])
    assert owners(scholar_row, [albert]) == [albert, None, None]
    # a sibling with the same surname and initial on the same paper: nobody is marked rather than the wrong one
    siblings = Work(key="s", people=["ae"], authors=[Author("A Einstein"), Author("A Einstein")])
    assert owners(siblings, [albert]) == [None, None]
    # another initial is another person; and a work that is not Albert's never marks him by initials
    assert owners(Work(key="e", people=["ae"], authors=[Author("E Einstein")]), [albert]) == [None]
    assert owners(Work(key="o", people=["other"], authors=[Author("A Einstein")]), [albert]) == [None]


def test_a_landing_page_that_is_the_doi_or_arxiv_link_is_not_a_second_button():
    w = Work(key="k", ids={"doi": "10.1/x", "arxiv": "2510.10657"},
             links={"html": "http://dx.doi.org/10.1/X"})
    assert "html" not in links(w) and links(w)["doi"] == "https://doi.org/10.1/x"
    w.links = {"html": "http://arxiv.org/abs/2510.10657v2"}
    assert "html" not in links(w)
    w.links = {"html": "https://publisher.example/paper/1"}
    assert links(w)["html"] == "https://publisher.example/paper/1"
    w.links, w.extra = {}, {"html": "https://doi.org/10.1/x"}      # the user's own choice stays
    assert links(w)["html"] == "https://doi.org/10.1/x"


# ---- long texts ----------------------------------------------------------------------------------

LONG_TAIL = 'Tail: 100% of $x_1$ & 1 < {y} > 2 "q" \\ *m* [l](u) ~^#|` end\x9f\ufeff'


def test_special_characters_deep_in_a_long_abstract_are_escaped_in_every_format():
    """What sits far into a long text is escaped like the rest, and each consumer reads the text back."""
    abstract = "word " * 200 + LONG_TAIL
    title = "A title " * 20 + 'with "quotes" and a \\ backslash'
    work = Work(key="long2024", title=title, year=2024, authors=[Author(ME.name, orcid=ME.orcid)],
                venue="Venue " * 30 + "& Co", abstract=abstract)
    ctx = ExportContext(people=[ME], site_kind="al-folio", data_date="2026-03-01")
    assert json.loads(render("csl-json", [work], ctx)[""])[0]["abstract"] == \
        abstract.replace("<", "&lt;").replace(">", "&gt;")      # CSL rich text: no text may read as a tag
    item = yaml.safe_load(render("papers-yml", [work], ctx)[""])[0]
    # papers.yml's text fields are HTML (sanitized inline markup, text escaped): safe to print unescaped
    assert (item["abstract"], item["title"], item["container-title"]) == \
        (abstract.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"),
         title.replace('"', "&quot;"), "Venue " * 30 + "&amp; Co")
    assert json.loads(render("csl-json", [work], ctx)[""])[0]["title"] == title
    bib = render("bibtex", [work], ctx)[""].decode("utf-8")
    abstract_line = next(line for line in bib.splitlines() if line.startswith("  abstract = "))
    for escaped in ("100\\%", "\\$x\\_1\\$", "\\&", "1 \\textless{} \\{y\\} \\textgreater{} 2", "\\textbackslash{}",
                    "\\textasciitilde{}\\textasciicircum{}\\#"):
        assert escaped in abstract_line
    page = next(iter(render("academicpages", [work], ctx).values())).decode("utf-8")
    body = page.split("---\n", 2)[2]
    assert "1 &lt; &#123;y&#125; &gt; 2" in body and "\\*m\\*" in body and "\\[l\\](u)" in body
    assert "<b>" not in body
