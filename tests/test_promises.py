"""Promises the README makes that no other test held the product to, checked where a user sees them: the `pubsync`
command line, the files it writes, and (where a unit test is the right level) `pubsync.merge.build_works`.

Every expected value below is written by hand from the inputs (citation keys by the documented rule
`lastnameYEARfirstword`, texts copied from the payloads), never computed by the code under test.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_string

from pubsync.merge import MergeSettings, build_works
from pubsync.records import Author, Record
from tests.clihelp import run
from tests.faultworld import FaultWorld, cli_env, write_config

# ---- payload builders, shaped like the real recordings (see tests/faultworld.py, tests/test_lab.py) ----------

ME = ("Josiah Carberry", "0000-0002-1825-0097", "A5099999999")
SCHOLAR_USER = "Xq8kZ2cAAAAJ"


def openalex_work(wid: str, title: str, year: int, authors: list[str], *, doi: str = "", abstract: str = "",
                  cited: int = 0, counts: dict[int, int] | None = None, venue: str = "Journal of Open Data",
                  updated: str = "2025-11-01T03:46:38.306776") -> dict:
    words = abstract.split()
    index: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        index.setdefault(word, []).append(i)
    work = {
        "id": f"https://openalex.org/{wid}", "title": title, "display_name": title,
        "publication_year": year, "publication_date": f"{year}-03-01", "type": "article",
        "ids": {"openalex": f"https://openalex.org/{wid}"},
        "primary_location": {"landing_page_url": f"https://doi.org/{doi}" if doi else None,
                             "source": {"display_name": venue, "type": "journal"}},
        "authorships": [{"author_position": "first" if i == 0 else "middle",
                         "author": {"id": f"https://openalex.org/A50000000{i:02d}", "display_name": name,
                                    "orcid": f"https://orcid.org/{ME[1]}" if name == ME[0] else None},
                         "raw_author_name": name} for i, name in enumerate(authors)],
        "cited_by_count": cited,
        "counts_by_year": [{"year": y, "cited_by_count": n} for y, n in sorted((counts or {}).items(), reverse=True)],
        "abstract_inverted_index": index or None, "updated_date": updated,
    }
    if doi:
        work["doi"] = f"https://doi.org/{doi}"
        work["ids"]["doi"] = f"https://doi.org/{doi}"
    return work


def crossref_item(doi: str, title: str, year: int, authors: list[tuple[str, str]], *, abstract: str = "",
                  venue: str = "Journal of Open Data", cited: int = 0) -> dict:
    item = {"DOI": doi, "title": [title], "type": "journal-article", "container-title": [venue],
            "issued": {"date-parts": [[year, 3, 1]]},
            "author": [{"given": g, "family": f, "sequence": "first" if i == 0 else "additional"}
                       for i, (g, f) in enumerate(authors)],
            "is-referenced-by-count": cited, "indexed": {"date-time": "2025-10-01T00:00:00Z"}}
    if abstract:
        item["abstract"] = f"<jats:title>Abstract</jats:title><jats:p>{abstract}</jats:p>"
    return {"status": "ok", "message-type": "work", "message": item}


def scholarly_pub(paper: str, title: str, authors: list[str], year: int, *, abstract: str = "",
                  venue: str = "Journal of Open Data 4 (1), 1-20", cited: int = 0) -> dict:
    """A publication as the `scholarly` package saves it (what `pubsync import scholar file.json` reads)."""
    return {"container_type": "Publication", "source": "PUBLICATION_SEARCH_SNIPPET",
            "author_pub_id": f"{SCHOLAR_USER}:{paper}", "num_citations": cited, "filled": True,
            "bib": {"title": title, "author": " and ".join(authors), "pub_year": str(year), "citation": venue,
                    "abstract": abstract}}


def scholar_row(paper: str, title: str, authors: str, venue: str, year: int, cited: int = 0) -> str:
    link = (f"/citations?view_op=view_citation&amp;hl=en&amp;user={SCHOLAR_USER}"
            f"&amp;citation_for_view={SCHOLAR_USER}:{paper}")
    return (f"<tr class=\"gsc_a_tr\"><td class=\"gsc_a_t\"><a href=\"{link}\" class=\"gsc_a_at\">{title}</a>"
            f"<div class=\"gs_gray\">{authors}</div><div class=\"gs_gray\">{venue}<span class=\"gs_oph\">, {year}"
            f"</span></div></td><td class=\"gsc_a_c\"><a href=\"#\" class=\"gsc_a_ac gs_ibl\">{cited or ''}</a></td>"
            f"<td class=\"gsc_a_y\"><span class=\"gsc_a_h gsc_a_hc gs_ibl\">{year}</span></td></tr>")


def scholar_page(rows: list[str]) -> str:
    return ("<!doctype html><html><head><title>Josiah Carberry - Google Scholar</title></head><body>"
            "<div id=\"gsc_prf_w\"><div id=\"gsc_prf_in\">Josiah Carberry</div></div>"
            "<table id=\"gsc_a_t\"><tbody id=\"gsc_a_b\">" + "".join(rows) + "</tbody></table>"
            "<button type=\"button\" id=\"gsc_bpf_more\" class=\"gs_btnPD\" disabled><span>Show more</span>"
            "</button></body></html>")


def import_payload(root: Path, source: str, name: str, payload) -> None:
    path = root / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    proc = run("import", source, str(path), cwd=root)
    assert proc.returncode == 0, proc.stderr


def bib_entries(path: Path):
    text = path.read_text(encoding="utf-8")
    return parse_string(text.removeprefix("---\n---\n"), "bibtex").entries


def plain(value: str) -> str:
    """A BibTeX field without the braces that protect capitals."""
    return value.replace("{", "").replace("}", "")


def explain_json(root: Path, ref: str, env: dict | None = None) -> dict:
    proc = run("explain", ref, "--json", cwd=root, env=env if env is not None else cli_env())
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# ==== 1. Curation reaches the exported files ====================================================================

# FaultWorld's default profile (tests/faultworld.py default_papers), keys by lastnameYEARfirstword.
WORLD_KEYS = {
    "carberry2008unified": "Toward a Unified Theory of High-Energy Metaphysics: Silly String Theory",
    "carberry2013effect": "The Effect of Cracked Pots on Crossed Wires",
    "carberry2016fragility": "On the Fragility of Clay Vessels under Load",
    "carberry2019survey": "A Survey of Broken Teapots",
    "carberry2020fractures": "Fractures in Glazed Earthenware: A Dataset",
    "carberry2021psychoceramic": "Psychoceramic Methods for Large Language Models",
}
BY_DOI = ("carberry2013effect", "doi:10.5555/cracked.2013")      # curated by "doi:…"
BY_KEY = ("carberry2016fragility", "carberry2016fragility")       # curated by its work key


def site_exports(site: Path) -> dict[str, object]:
    bib = bib_entries(site / "_bibliography/papers.bib")
    yml = yaml.safe_load((site / "_data/papers.yml").read_text(encoding="utf-8"))
    pages = {}
    for page in sorted((site / "_publications").glob("*.md")):
        front = yaml.safe_load(page.read_text(encoding="utf-8").split("---\n")[1])
        pages[page.name] = front["title"]
    return {"bib": {k: plain(e.fields["title"]) for k, e in bib.items()},
            "yml": {i["id"]: i["title"] for i in yml}, "pages": pages}


def all_export_text(site: Path) -> str:
    files = [site / "_bibliography/papers.bib", site / "_data/papers.yml", *sorted((site / "_publications").glob("*"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


@pytest.mark.parametrize("doi_flag, key_flag", [("hide", "not_mine"), ("not_mine", "hide")],
                         ids=["hide-by-doi,not_mine-by-key", "not_mine-by-doi,hide-by-key"])
def test_hidden_and_not_mine_works_leave_every_export_but_stay_in_the_database(tmp_path, doi_flag, key_flag):
    """curation.toml's `hide` and `not_mine`, naming a work by "doi:…" and by its key, take it off papers.bib,
    papers.yml and the academicpages pages (a page written before is removed), after a sync and after
    `merge` + `export`; `explain` still shows it, marked hidden, and `status` counts it as hidden."""
    write_config(tmp_path, formats=["bibtex", "papers-yml", "academicpages"], scholar=False)
    site = tmp_path / "site"
    with FaultWorld() as world:
        env = cli_env(world)
        proc = run("sync", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        before = site_exports(site)
        assert before["bib"] == WORLD_KEYS and before["yml"] == WORLD_KEYS       # the baseline: all six shown
        assert sorted(before["pages"].values()) == sorted(WORLD_KEYS.values())
        old_pages = {name for name, title in before["pages"].items()
                     if title in (WORLD_KEYS[BY_DOI[0]], WORLD_KEYS[BY_KEY[0]])}
        assert len(old_pages) == 2

        (tmp_path / "curation.toml").write_text(
            f'[works."{BY_DOI[1]}"]\n{doi_flag} = true\n\n[works."{BY_KEY[1]}"]\n{key_flag} = true\n', encoding="utf-8")
        proc = run("sync", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr

    shown = {k: t for k, t in WORLD_KEYS.items() if k not in (BY_DOI[0], BY_KEY[0])}
    after = site_exports(site)
    assert after["bib"] == shown
    assert after["yml"] == shown
    assert sorted(after["pages"].values()) == sorted(shown.values())
    assert not any((site / "_publications" / name).exists() for name in old_pages)   # stale pages removed
    text = all_export_text(site)
    for key in (BY_DOI[0], BY_KEY[0]):
        assert key not in text and WORLD_KEYS[key] not in text
    assert "10.5555/cracked.2013" not in text and "10.5555/clay.2016" not in text

    # Still in the database, and said to be hidden.
    offline = cli_env()                              # the test config's fast arXiv interval, no network needed
    for (key, ref), flag in ((BY_DOI, doi_flag), (BY_KEY, key_flag)):
        proc = run("explain", key, cwd=tmp_path, env=offline)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines()[0] == f"{key}  (ok, hidden)"
        assert WORLD_KEYS[key] in proc.stdout
        data = explain_json(tmp_path, key, offline)
        assert data["hidden"] is True and data["title"] == WORLD_KEYS[key]
        assert data["curation"]["ref"] == ref and data["curation"][flag] is True
    visible = explain_json(tmp_path, "carberry2021psychoceramic", offline)
    assert visible["hidden"] is False and visible["curation"] is None
    status = json.loads(run("status", "--json", cwd=tmp_path, env=offline).stdout)
    assert (status["works"], status["hidden"]) == (4, 2)

    # merge + export without the network obey it too (a fresh file, and standard output).
    assert run("merge", cwd=tmp_path, env=offline).returncode == 0
    proc = run("export", "--format", "bibtex", "--out", "fresh.bib", cwd=tmp_path, env=offline)
    assert proc.returncode == 0, proc.stderr
    assert {k: plain(e.fields["title"]) for k, e in bib_entries(tmp_path / "fresh.bib").items()} == shown
    proc = run("export", "--format", "papers-yml", "--out", "-", cwd=tmp_path, env=offline)
    assert proc.returncode == 0, proc.stderr
    assert {i["id"] for i in yaml.safe_load(proc.stdout)} == set(shown)


def test_unhiding_brings_the_work_back_under_its_old_key(tmp_path):
    """Taking `hide` out of curation.toml puts the work back in the exports under the key it had."""
    write_config(tmp_path, formats=["bibtex"], scholar=False)
    curation = tmp_path / "curation.toml"
    curation.write_text('[works."doi:10.5555/cracked.2013"]\nhide = true\n', encoding="utf-8")
    with FaultWorld() as world:
        env = cli_env(world)
        assert run("sync", cwd=tmp_path, env=env).returncode == 0
        bib = tmp_path / "site/_bibliography/papers.bib"
        assert set(bib_entries(bib)) == set(WORLD_KEYS) - {"carberry2013effect"}
        curation.write_text('[works."doi:10.5555/cracked.2013"]\nhide = false\n', encoding="utf-8")
        assert run("sync", cwd=tmp_path, env=env).returncode == 0
    assert set(bib_entries(bib)) == set(WORLD_KEYS)


# ==== 2. Stored citation keys across runs =====================================================================

def test_a_corrected_title_keeps_the_citation_key_through_import_and_export(tmp_path):
    """A record imported with a typo in its title's first word gets a key from that word; re-imported (same
    OpenAlex id) with the title corrected, the work keeps its key and the files show the new title."""
    typo = "Widgts at Scale: Lessons from Ten Deployments"
    fixed = "Widgets at Scale: Lessons from Ten Deployments"
    authors = [ME[0], "Ana Lima"]
    import_payload(tmp_path, "openalex", "w1.json",
                   openalex_work("W4200000001", typo, 2022, authors, doi="10.5555/widgets.2022"))
    assert run("export", "--format", "bibtex", "--out", "papers.bib", cwd=tmp_path).returncode == 0
    entries = bib_entries(tmp_path / "papers.bib")
    assert list(entries) == ["carberry2022widgts"]
    assert plain(entries["carberry2022widgts"].fields["title"]) == typo

    import_payload(tmp_path, "openalex", "w1-fixed.json",
                   openalex_work("W4200000001", fixed, 2022, authors, doi="10.5555/widgets.2022",
                                 updated="2025-12-01T03:46:38.306776"))
    for fmt, out in (("bibtex", "papers.bib"), ("papers-yml", "papers.yml")):
        proc = run("export", "--format", fmt, "--out", out, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    entries = bib_entries(tmp_path / "papers.bib")
    assert list(entries) == ["carberry2022widgts"]
    assert plain(entries["carberry2022widgts"].fields["title"]) == fixed
    assert "Widgts" not in (tmp_path / "papers.bib").read_text(encoding="utf-8")
    items = yaml.safe_load((tmp_path / "papers.yml").read_text(encoding="utf-8"))
    assert [(i["id"], i["title"]) for i in items] == [("carberry2022widgts", fixed)]

    # A database rebuilt from scratch has no memory of the old key: the fresh key comes from the fixed title.
    (tmp_path / "data/pubsync.db").unlink()
    import_payload(tmp_path, "openalex", "w1-fixed.json",
                   openalex_work("W4200000001", fixed, 2022, authors, doi="10.5555/widgets.2022"))
    proc = run("export", "--format", "bibtex", "--out", "-", cwd=tmp_path)
    assert list(parse_string(proc.stdout.removeprefix("---\n---\n"), "bibtex").entries) == ["carberry2022widgets"]


def test_a_corrected_title_keeps_the_citation_key_through_sync(tmp_path):
    """The same through `pubsync sync`: every source reports the corrected title on the second night."""
    write_config(tmp_path, formats=["bibtex", "papers-yml"], scholar=False)
    bib = tmp_path / "site/_bibliography/papers.bib"
    with FaultWorld() as world:
        llm = next(p for p in world.papers if p.doi == "10.5555/llm.2021")
        llm.title = "Psychoceramc Methods for Large Language Models"
        env = cli_env(world)
        proc = run("sync", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "carberry2021psychoceramc" in bib_entries(bib)

        llm.title = "Psychoceramic Methods for Large Language Models"
        for source in world.generation:           # every source says the work changed
            world.generation[source] += 1
        proc = run("sync", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
    entries = bib_entries(bib)
    assert "carberry2021psychoceramic" not in entries
    assert plain(entries["carberry2021psychoceramc"].fields["title"]) == "Psychoceramic Methods for Large Language Models"
    items = yaml.safe_load((tmp_path / "site/_data/papers.yml").read_text(encoding="utf-8"))
    item = next(i for i in items if i.get("DOI") == "10.5555/llm.2021")
    assert (item["id"], item["title"]) == ("carberry2021psychoceramc", "Psychoceramic Methods for Large Language Models")
    assert len(entries) == 6                       # nothing else gained or lost a work


# ==== 3. Field precedence: abstract, URL, citations per year ===================================================

DOI = "10.1000/widgets"
ABSTRACT = {
    "crossref": "Crossref abstract: we measure widgets at scale across ten deployments and report what breaks first.",
    "openalex": "OpenAlex abstract: widgets at scale were measured across ten deployments; what breaks first is reported.",
    "arxiv": "arXiv abstract: we measure widgets at scale across ten deployments (preprint version).",
    "orcid": "ORCID abstract: a study of widgets at scale across ten deployments.",
    "scholar": "We measure widgets at scale across ten deployments and report what …",     # Scholar cuts it
}
URL = {
    "crossref": f"https://doi.org/{DOI}",
    "openalex": "https://widgets-journal.example.org/article/2022/17",
    "orcid": "https://widgets-journal.example.org/abs/17",
    "arxiv": "https://arxiv.org/abs/2101.00001v2",
    "scholar": (f"https://scholar.google.com/citations?view_op=view_citation&hl=en&user={SCHOLAR_USER}"
                f"&citation_for_view={SCHOLAR_USER}:abc"),
}
REF = {"crossref": f"crossref:{DOI}", "openalex": "openalex:W9", "orcid": "orcid:77", "arxiv": "arxiv:2101.00001",
       "scholar": "scholar:abc"}


def rec(source, sid, title, authors=(), year=None, **kw) -> Record:
    return Record(source=source, source_id=sid, title=title, authors=[Author(name=a) for a in authors], year=year, **kw)


def widgets(abstracts=tuple(ABSTRACT), urls=tuple(URL), claimed_by: str = "Crossref") -> list[Record]:
    """One paper seen by five sources: its journal version (Crossref, OpenAlex, an ORCID entry), its arXiv preprint
    and a Scholar row. `abstracts` / `urls`: the sources that give one."""
    def a(source):
        return ABSTRACT[source] if source in abstracts else ""

    def u(source):
        return URL[source] if source in urls else ""
    return [
        rec("crossref", DOI, "Widgets at Scale", ["Josiah Carberry", "Ana Lima", "Bo Chen"], 2022, date="2022-03-01",
            ids={"doi": DOI}, venue="Journal of Widgets", type="journal-article", citations=7,
            abstract=a("crossref"), url=u("crossref")),
        rec("openalex", "W9", "Widgets at scale", ["Josiah Carberry", "Ana Lima", "Bo Chen"], 2022,
            ids={"doi": DOI, "openalex": "W9"}, venue="J. Widgets", type="journal-article", citations=12,
            counts_by_year={2022: 5, 2023: 7}, abstract=a("openalex"), url=u("openalex")),
        rec("orcid", "77", "Widgets at Scale", ["Josiah Carberry"], 2022, ids={"doi": DOI}, type="journal-article",
            claimed_by=claimed_by, abstract=a("orcid"), url=u("orcid")),
        rec("arxiv", "2101.00001", "Widgets at scale", ["J Carberry", "A Lima"], 2021, type="preprint",
            ids={"arxiv": "2101.00001"}, published_doi=DOI, venue="arXiv", abstract=a("arxiv"), url=u("arxiv")),
        rec("scholar", "abc", "Widgets at scale", ["J Carberry", "A Lima"], 2022, authors_complete=False,
            citations=30, venue="Journal of Widgets 3 (1)", abstract=a("scholar"), url=u("scholar")),
    ]


def one_work(records, settings: MergeSettings = MergeSettings(), owners=None):
    result = build_works(records, [], settings, owners or {})
    assert len(result.works) == 1, [w.records for w in result.works]       # the five records are one paper
    return result.works[0]


@pytest.mark.parametrize("given, winner", [
    (("crossref", "openalex", "arxiv", "orcid", "scholar"), "crossref"),
    (("openalex", "arxiv", "orcid", "scholar"), "openalex"),       # Crossref often has none
    (("arxiv", "orcid", "scholar"), "arxiv"),
    (("orcid", "scholar"), "orcid"),
    (("scholar",), "scholar"),                                     # the cut one only when it is all there is
])
def test_the_abstract_comes_from_the_first_source_in_order_that_has_one(given, winner):
    w = one_work(widgets(abstracts=given))
    assert w.abstract == ABSTRACT[winner] and w.provenance["abstract"] == REF[winner]
    if winner != "scholar":
        assert "…" not in w.abstract


@pytest.mark.parametrize("given, winner", [
    (("crossref", "openalex", "orcid", "arxiv", "scholar"), "crossref"),
    (("openalex", "orcid", "arxiv", "scholar"), "openalex"),
    (("orcid", "arxiv", "scholar"), "orcid"),
])
def test_the_url_follows_its_source_order(given, winner):
    w = one_work(widgets(urls=given))
    assert w.url == URL[winner] and w.provenance["url"] == REF[winner]


def test_the_persons_own_orcid_entry_wins_the_url():
    """"orcid-self" heads the url order: the link the person entered on ORCID beats Crossref's DOI link."""
    w = one_work(widgets(claimed_by=ME[1]), owners={REF["orcid"]: [ME[1]]})
    assert w.url == URL["orcid"] and w.provenance["url"] == REF["orcid"]


def test_a_preprint_only_work_takes_the_arxiv_url_over_scholars():
    """A Scholar row with no venue line names no version: it joins the preprint's pool, never replaces it."""
    records = [r for r in widgets() if r.source in ("arxiv", "scholar")]
    records[1].year, records[1].venue = 2021, ""                 # Scholar lists the preprint with no venue line
    w = one_work(records)
    assert w.type == "preprint"
    assert w.url == URL["arxiv"] and w.provenance["url"] == REF["arxiv"]


TEAPOT_FEED = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"><entry>
<id>http://arxiv.org/abs/2402.01234v1</id><title>Teapot Fracture Mechanics under Thermal Shock</title>
<updated>2024-02-02T17:59:46Z</updated><published>2024-02-02T17:59:46Z</published>
<summary>We heat teapots and count the cracks.</summary>
<author><name>Josiah Carberry</name></author><author><name>Ana Lima</name></author>
<link href="https://arxiv.org/abs/2402.01234v1" rel="alternate" type="text/html"/>
<link href="https://arxiv.org/pdf/2402.01234v1" rel="related" type="application/pdf" title="pdf"/>
<arxiv:primary_category term="physics.app-ph"/></entry></feed>
"""


def test_a_preprint_only_work_exports_the_arxiv_url_not_the_scholar_page(tmp_path):
    """The same as a user meets it: an arXiv preprint and its Scholar row (no venue line) in papers.yml."""
    import_payload(tmp_path, "arxiv", "feed.xml", TEAPOT_FEED)
    import_payload(tmp_path, "scholar", "profile.html", scholar_page([scholar_row(
        "TeapotAAAAJ", "Teapot fracture mechanics under thermal shock", "J Carberry, A Lima", "", 2024, 2)]))
    proc = run("export", "--format", "papers-yml", "--out", "-", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    items = yaml.safe_load(proc.stdout)
    assert [i["id"] for i in items] == ["carberry2024teapot"]          # one work
    assert items[0]["URL"] == "https://arxiv.org/abs/2402.01234"


def test_the_order_given_in_merge_settings_changes_the_winners():
    settings = MergeSettings.from_config({"abstract": ["openalex", "crossref"], "url": ["orcid", "openalex"]})
    w = one_work(widgets(), settings)
    assert w.abstract == ABSTRACT["openalex"] and w.url == URL["orcid"]


def test_citations_per_year_come_from_the_most_complete_openalex_record():
    """OpenAlex sometimes holds one paper twice; the series comes from the fuller record (neither the first nor
    the last by id), never from Scholar's, and never summed."""
    records = widgets()
    openalex = records[1]
    partial_a = rec("openalex", "W10", "Widgets at scale", ["Josiah Carberry", "Ana Lima", "Bo Chen"], 2022,
                    ids={"doi": DOI, "openalex": "W10"}, citations=3, counts_by_year={2023: 3})
    fuller = rec("openalex", "W11", "Widgets at scale", ["Josiah Carberry", "Ana Lima", "Bo Chen"], 2022,
                 ids={"doi": DOI, "openalex": "W11"}, citations=21, counts_by_year={2022: 5, 2023: 9, 2024: 7})
    scholar = records[4]
    scholar.counts_by_year = {2022: 6, 2023: 20, 2024: 14, 2025: 2}     # bigger, but Scholar's
    w = one_work([partial_a, records[0], fuller, openalex, scholar])
    assert w.counts_by_year == {2022: 5, 2023: 9, 2024: 7}
    assert w.provenance["counts_by_year"] == "openalex:W11"
    assert w.citations == {"crossref": 7, "openalex": 21, "scholar": 30}


# -- the same through the command line: an order in config.toml changes what papers.yml says -----------------------

CROSSREF_ABSTRACT = "Crossref: we follow open data portals in five cities for three years and count reuses."
OPENALEX_ABSTRACT = "OpenAlex: five cities, three years of open data portals, and how often their data is reused."
SCHOLAR_ABSTRACT = "We follow open data portals in five cities for three years and …"
PORTALS_DOI = "10.5555/portals.2020"
PORTALS_TITLE = "Reuse of Open Data Portals in Five Cities"
SCHOLAR_URL = (f"https://scholar.google.com/citations?view_op=view_citation&hl=en&user={SCHOLAR_USER}"
               f"&citation_for_view={SCHOLAR_USER}:PortalsAAAAJ")


def portals_site(root: Path, merge_table: str = "") -> None:
    (root / "config.toml").write_text(f'[site]\nkind = "yaml"\n\n{merge_table}', encoding="utf-8")
    import_payload(root, "crossref", "crossref.json",
                   crossref_item(PORTALS_DOI, PORTALS_TITLE, 2020, [("Josiah", "Carberry"), ("Ana", "Lima")],
                                 abstract=CROSSREF_ABSTRACT, cited=4))
    import_payload(root, "openalex", "openalex.json",
                   openalex_work("W3000000001", PORTALS_TITLE, 2020, [ME[0], "Ana Lima"], doi=PORTALS_DOI,
                                 abstract=OPENALEX_ABSTRACT, cited=6, counts={2021: 2, 2022: 4}))
    import_payload(root, "scholar", "scholar.json",
                   [scholarly_pub("PortalsAAAAJ", PORTALS_TITLE, ["J Carberry", "A Lima"], 2020,
                                  abstract=SCHOLAR_ABSTRACT, cited=9)])


def exported_item(root: Path) -> dict:
    proc = run("export", "--format", "papers-yml", "--out", "-", cwd=root)
    assert proc.returncode == 0, proc.stderr
    items = yaml.safe_load(proc.stdout)
    assert [i["title"] for i in items] == [PORTALS_TITLE]       # the three records are one work
    return items[0]


def test_default_precedence_reaches_papers_yml(tmp_path):
    portals_site(tmp_path)
    item = exported_item(tmp_path)
    assert item["abstract"] == CROSSREF_ABSTRACT
    assert item["URL"] == f"https://doi.org/{PORTALS_DOI}"
    data = explain_json(tmp_path, f"doi:{PORTALS_DOI}")
    assert data["provenance"]["abstract"] == f"crossref:{PORTALS_DOI}"
    assert data["counts_by_year"] == {"2021": 2, "2022": 4} and data["provenance"]["counts_by_year"] == "openalex:W3000000001"


def test_a_merge_order_in_config_changes_the_exported_abstract_and_url(tmp_path):
    portals_site(tmp_path, '[merge]\nabstract = ["openalex", "crossref", "scholar"]\nurl = ["scholar", "crossref", "openalex"]\n')
    item = exported_item(tmp_path)
    assert item["abstract"] == OPENALEX_ABSTRACT
    assert item["URL"] == SCHOLAR_URL
    data = explain_json(tmp_path, f"doi:{PORTALS_DOI}")
    assert data["provenance"]["abstract"] == "openalex:W3000000001"
    assert data["provenance"]["url"] == "scholar:PortalsAAAAJ"

    # Back to the default order: `pubsync merge` (no network) and the file follows.
    (tmp_path / "config.toml").write_text('[site]\nkind = "yaml"\n', encoding="utf-8")
    assert run("merge", cwd=tmp_path).returncode == 0
    item = exported_item(tmp_path)
    assert item["abstract"] == CROSSREF_ABSTRACT and item["URL"] == f"https://doi.org/{PORTALS_DOI}"


# ==== 4. The review-queue band ================================================================================

# Same title, one year, disjoint author lists: a question for a person (match total ≈ -1.2 in log-odds).
def uncertain_pair() -> list[Record]:
    return [rec("orcid", "57499604", "Motivations of crowdsourcing contributors,Motivações dos contribuidores de "
                "crowdsourcing", ["Carlos Denner dos Santos"], 2015),
            rec("openalex", "W1", "Motivations of crowdsourcing contributors", ["Ana Lima"], 2015)]


@pytest.mark.parametrize("same, maybe, band", [
    (-3.0, -6.0, "same"),          # the pair scores above same_threshold
    (1.0, -4.0, "review"),         # between maybe_threshold and same_threshold
    (4.0, 1.0, "different"),       # below maybe_threshold
])
def test_one_pair_moves_through_the_three_bands_with_the_thresholds(same, maybe, band):
    result = build_works(uncertain_pair(), [], MergeSettings(same_threshold=same, maybe_threshold=maybe))
    if band == "same":
        assert [w.records for w in result.works] == [["openalex:W1", "orcid:57499604"]]
        assert result.review == [] and result.works[0].status == "ok"
    elif band == "review":
        assert sorted(w.records for w in result.works) == [["openalex:W1"], ["orcid:57499604"]]
        assert [(r.a, r.b) for r in result.review] == [("openalex:W1", "orcid:57499604")]
        assert [w.status for w in result.works] == ["review", "review"]
    else:
        assert sorted(w.records for w in result.works) == [["openalex:W1"], ["orcid:57499604"]]
        assert result.review == [] and [w.status for w in result.works] == ["ok", "ok"]


BAND_WORKS = [
    # P1 (Scholar's row of the same paper): merges
    openalex_work("W3100000001", "Open Data Platforms and Citizen Collaboration in Brazilian Cities", 2020,
                  ["Ana Lima", ME[0]]),
    # P2 (same title and year, nobody in common): uncertain
    openalex_work("W3100000002", "Motivations of Crowdsourcing Contributors", 2015, ["Ana Lima"]),
    # P3 (the same authors' study of another region, five years later): different
    openalex_work("W3100000003", "Open Government Data Portals in Latin America", 2016, [ME[0], "Ana Lima"]),
]
BAND_ROWS = [
    scholar_row("OpenDataAAAJ", "Open data platforms and citizen collaboration in Brazilian cities",
                "A Lima, J Carberry", "Government Information Quarterly 37 (4)", 2020, 12),
    scholar_row("MotivAAAAAAJ", "Motivations of crowdsourcing contributors", "CD Dos Santos",
                "Revista de Administração 50 (2)", 2015, 30),
    scholar_row("PortalsAfrJ", "Open government data portals in Sub-Saharan Africa", "J Carberry, K Mensah",
                "Information Polity 26 (3)", 2021, 3),
]
P1 = ("openalex:W3100000001", "scholar:OpenDataAAAJ")
P2 = ("openalex:W3100000002", "scholar:MotivAAAAAAJ")
P3 = ("openalex:W3100000003", "scholar:PortalsAfrJ")


def queued_record_pairs(root: Path) -> set[tuple[str, str]]:
    proc = run("review", "--json", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return {tuple(sorted(pair)) for item in json.loads(proc.stdout) for pair in item["records"]}


def test_same_review_and_different_bands_through_the_cli(tmp_path):
    """[merge] same_threshold / maybe_threshold in config.toml: the pair above the first is one work, the pair
    between them waits in `pubsync review` as two works, the pair below the second is two works and no question."""
    config = tmp_path / "config.toml"
    config.write_text('[site]\nkind = "yaml"\n\n[merge]\nsame_threshold = 3.0\nmaybe_threshold = -4.5\n',
                      encoding="utf-8")
    import_payload(tmp_path, "openalex", "openalex.json", BAND_WORKS)
    import_payload(tmp_path, "scholar", "scholar.html", scholar_page(BAND_ROWS))

    assert queued_record_pairs(tmp_path) == {P2}
    text = run("review", cwd=tmp_path).stdout
    a, b = explain_json(tmp_path, P2[0])["key"], explain_json(tmp_path, P2[1])["key"]
    assert f"pubsync same {min(a, b)} {max(a, b)}" in text

    merged = explain_json(tmp_path, P1[0])
    assert merged["records"] == list(P1) and merged["status"] == "ok"
    for ref in P2:
        w = explain_json(tmp_path, ref)
        assert w["records"] == [ref] and w["status"] == "review"
    for ref in P3:
        w = explain_json(tmp_path, ref)
        assert w["records"] == [ref] and w["status"] == "ok"
    status = json.loads(run("status", "--json", cwd=tmp_path).stdout)
    assert (status["works"], status["review"]) == (5, 1)
    proc = run("export", "--format", "papers-yml", "--out", "-", cwd=tmp_path)
    assert len(yaml.safe_load(proc.stdout)) == 5

    # P3 was scored and left out only by the band: with a lower maybe_threshold it is asked about too.
    config.write_text('[site]\nkind = "yaml"\n\n[merge]\nsame_threshold = 3.0\nmaybe_threshold = -12.0\n',
                      encoding="utf-8")
    assert run("merge", cwd=tmp_path).returncode == 0
    assert {P2, P3} <= queued_record_pairs(tmp_path)
    assert explain_json(tmp_path, P3[0])["records"] == [P3[0]]
