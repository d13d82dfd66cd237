"""Is it theirs, and is it a publication? Checked on the real Denner recordings (expectations read off the
OpenAlex authorships by hand: printed names, affiliations, co-authors) and on small worlds built for one rule each,
through the command line and the exported files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pubsync.names import name_agreement
from tests.clihelp import run

DENNER = "0000-0002-4481-0115"
NOT_HIS = {"W4406250764": "Ralstonia syzygii",          # printed "Carlos Carneiro dos Santos", a forestry company
           "W4415273425": "Unlocking New Frontiers"}     # printed "Santos, Carlos G. S.", reactor physics
ASK = {"W4416012761": "Levers of Control",              # a bare "Carlos Santos", nothing else shared
       "W4287645140": "No data? No problem"}             # "Santos, Carlos D." with a marketing co-author only
NOT_PUBLICATIONS = {"W4386100584": "peer-review",       # "Review of: …", a review he wrote of another's article
                    "W4398467194": "supplementary"}     # "Supplementary Data - …" of one of his articles


def denner_site(tmp_path: Path, realdata: Path, extra_config: str = "") -> Path:
    (tmp_path / "config.toml").write_text(f'[site]\nkind = "al-folio"\n\n[[people]]\nname = "Carlos Denner dos Santos"\n'
                                          f'orcid = "{DENNER}"\n{extra_config}', encoding="utf-8")
    api = realdata / "api"
    for source, path in (("orcid", "orcid/denner_2025-03_v3.0_works_0000-0002-4481-0115.utf8.json"),
                         ("openalex", "openalex/denner_2025-11_works_list_author.id_A5003721947_results_only.json"),
                         ("crossref", "crossref/denner_2025-11_crossref_works_by_doi_52.json")):
        proc = run("import", source, str(api / path), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    return tmp_path


def explain_json(root: Path, ref: str) -> dict:
    proc = run("explain", "--json", ref, cwd=root)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def denner(tmp_path_factory, realdata) -> Path:
    return denner_site(tmp_path_factory.mktemp("denner"), realdata)


def test_openalex_only_works_are_published_asked_or_rejected_as_a_careful_reader_would(denner, realdata):
    listing = json.loads((realdata / "api/openalex/denner_2025-11_works_list_author.id_A5003721947_results_only.json")
                         .read_text(encoding="utf-8"))
    outcomes = {}
    for work in listing:
        wid = work["id"].rsplit("/", 1)[-1]
        data = explain_json(denner, f"openalex:{wid}")
        outcomes[wid] = (data["attribution"][DENNER]["outcome"], data["attribution"][DENNER]["by"], data["left_out"])
    rejected = {wid for wid, (outcome, _, _) in outcomes.items() if outcome == "not-mine"}
    asked = {wid for wid, (outcome, _, _) in outcomes.items() if outcome == "ask"}
    assert rejected == set(NOT_HIS) and asked == set(ASK)
    assert all(left == "not mine" for wid, (_, _, left) in outcomes.items() if wid in NOT_HIS)
    assert all(left == "unconfirmed" for wid, (_, _, left) in outcomes.items() if wid in ASK)
    scored_mine = [wid for wid, (outcome, by, _) in outcomes.items() if by == "score" and outcome == "mine"]
    assert len(scored_mine) >= 25                   # the rest of what only OpenAlex knows is his, by evidence


def test_the_namesakes_are_rejected_for_their_printed_names(denner):
    for wid in NOT_HIS:
        found = explain_json(denner, f"openalex:{wid}")["attribution"][DENNER]
        assert found["components"]["name"] < 0 and found["score"] <= -2
        assert abs(sum(found["components"].values()) - found["score"]) < 1e-6      # the explanation is the score
        assert any("conflict" in reason for reason in found["evidence"])


def test_what_is_not_a_publication_stays_in_the_database_but_off_the_site(denner):
    for wid, kind in NOT_PUBLICATIONS.items():
        data = explain_json(denner, f"openalex:{wid}")
        assert data["type"] == kind and data["left_out"] == f"type {kind}"
    # The deposit is the dataset link of its article ("…Technology-Based Companies after Incubation…").
    article = explain_json(denner, "doi:10.7819/rbgn.v25i4.4247")
    assert article["links"]["dataset"] == "https://doi.org/10.7910/dvn/ls9kzz"
    bib = run("export", "--format", "bibtex", "--out", "-", cwd=denner).stdout
    for title in [*NOT_HIS.values(), *ASK.values(), "Review of:", "Supplementary Data"]:
        assert title not in bib
    assert "Organizational Survival of" in bib


def test_status_and_review_show_what_is_held_back_and_how_to_settle_it(denner):
    status = json.loads(run("status", "--json", cwd=denner).stdout)
    assert status["held_back"] == {"not mine": 2, "type peer-review": 1, "type supplementary": 1, "unconfirmed": 2}
    items = json.loads(run("review", "--json", cwd=denner).stdout)
    asked = [i for i in items if i["kind"] == "attribution"]
    assert sorted(i["works"][0]["ids"]["openalex"] for i in asked) == sorted(ASK)
    assert all(i["settle"] == [f"pubsync mine {i['works'][0]['key']}", f"pubsync not-mine {i['works'][0]['key']}"]
               for i in asked)
    assert all(i["kind"] == "pair" and len(i["works"]) == 2 for i in items if i not in asked)
    text = run("review", cwd=denner).stdout
    assert "Levers of Control" in text and "printed name 'Carlos Santos': compatible" in text


def test_a_decision_wins_over_the_score_and_survives_a_rebuilt_database(tmp_path, realdata):
    site = denner_site(tmp_path, realdata)
    assert run("mine", "openalex:W4406250764", cwd=site).returncode == 0        # he says the plant paper is his
    assert run("not-mine", "openalex:W3004388154", cwd=site).returncode == 0    # and a scored-mine one is not
    curation = (site / "curation.toml").read_text(encoding="utf-8")
    assert '[works."openalex:W4406250764"]\nmine = true' in curation
    assert '[works."openalex:W3004388154"]\nnot_mine = true' in curation

    def bib() -> str:
        return run("export", "--format", "bibtex", "--out", "-", cwd=site).stdout
    assert "Ralstonia syzygii" in bib() and "The Day after Adoption" not in bib()
    for path in (site / "data").iterdir():
        path.unlink()
    site = denner_site(site, realdata)                  # a rebuilt database reads the decisions again
    assert "Ralstonia syzygii" in bib() and "The Day after Adoption" not in bib()
    assert explain_json(site, "openalex:W4406250764")["attribution"][DENNER]["by"] == "decision"


def test_unconfirmed_works_can_be_published_by_the_config(tmp_path, realdata):
    site = denner_site(tmp_path, realdata, '\n[attribution]\nunconfirmed = "publish"\n')
    bib = run("export", "--format", "bibtex", "--out", "-", cwd=site).stdout
    assert "Levers of Control" in bib and "Ralstonia" not in bib


# ---- one rule at a time -------------------------------------------------------------------------------------

ME = ("Josiah Carberry", "0000-0002-1825-0097", "A5012345678")


def author(name: str, *, aid: str = "", orcid: str = "", printed: str = "", affiliation: str = "") -> dict:
    return {"author": {"id": f"https://openalex.org/{aid}" if aid else None, "display_name": name,
                       "orcid": f"https://orcid.org/{orcid}" if orcid else None},
            "raw_author_name": printed or name,
            "raw_affiliation_strings": [affiliation] if affiliation else [], "institutions": []}


def me(printed: str, affiliation: str = "Brown University, Providence, USA") -> dict:
    # OpenAlex puts the cluster's ORCID on every authorship of the cluster, a namesake's too.
    return author(ME[0], aid=ME[2], orcid=ME[1], printed=printed, affiliation=affiliation)


def oa_work(wid: str, title: str, year: int, authorships: list[dict], *, doi: str = "", kind: str = "article",
            retracted: bool = False, field: str = "Psychology") -> dict:
    return {"id": f"https://openalex.org/{wid}", "doi": f"https://doi.org/{doi}" if doi else None, "title": title,
            "display_name": title, "publication_year": year, "publication_date": f"{year}-05-01", "type": kind,
            "ids": {"openalex": f"https://openalex.org/{wid}"}, "is_retracted": retracted,
            "primary_location": {"source": {"display_name": "Journal of Psychoceramics", "type": "journal"}},
            "primary_topic": {"field": {"display_name": field}}, "authorships": authorships,
            "cited_by_count": 0, "counts_by_year": [], "updated_date": "2025-01-01"}


def orcid_listing(works: list[tuple[int, str, int, str]]) -> dict:
    """An ORCID v3.0 works listing whose summaries carry (put-code, title, year, doi)."""
    return {"group": [{"work-summary": [{
        "put-code": code, "title": {"title": {"value": title}}, "type": "journal-article",
        "publication-date": {"year": {"value": str(year)}},
        "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": doi,
                                          "external-id-relationship": "self"}]},
        "source": {"source-name": {"value": ME[0]}}, "last-modified-date": {"value": 1700000000000}}]}
        for code, title, year, doi in works]}


def small_site(tmp_path: Path, openalex: list[dict], orcid: list[tuple[int, str, int, str]] = (),
               crossref: list[dict] = ()) -> Path:
    (tmp_path / "config.toml").write_text(f'[site]\nkind = "al-folio"\n\n[[people]]\nname = "{ME[0]}"\n'
                                          f'orcid = "{ME[1]}"\nopenalex = "{ME[2]}"\naliases = ["Josiah S. Carberry"]\n',
                                          encoding="utf-8")
    for source, payload in (("orcid", orcid_listing(list(orcid)) if orcid else None), ("openalex", openalex),
                            ("crossref", list(crossref) or None)):
        if payload:
            (tmp_path / f"{source}.json").write_text(json.dumps(payload), encoding="utf-8")
            proc = run("import", source, f"{source}.json", cwd=tmp_path)
            assert proc.returncode == 0, proc.stderr
    return tmp_path


CONFIRMED = [oa_work("W1", "Cracked Pots and Their Makers", 2015,
                     [me("Josiah S. Carberry"), author("Ann Lee", aid="A51"), author("Jane Carberry", aid="A52")],
                     doi="10.5555/pots"),
             oa_work("W2", "The Psychoceramics of Teapots", 2018, [me("Josiah Carberry"), author("Ann Lee", aid="A51")],
                     doi="10.5555/teapots")]
ORCID_WORKS = [(1, "Cracked Pots and Their Makers", 2015, "10.5555/pots"),
               (2, "The Psychoceramics of Teapots", 2018, "10.5555/teapots")]


def outcome(root: Path, ref: str) -> dict:
    return explain_json(root, ref)["attribution"][ME[1]]


def test_a_namesake_with_another_middle_name_is_not_theirs(tmp_path):
    namesake = oa_work("W3", "Crystal Growth in Cold Clay", 2019, [me("Josiah Q. Carberry", "Clay Labs, Ohio, USA")],
                       field="Materials Science")
    site = small_site(tmp_path, CONFIRMED + [namesake], ORCID_WORKS)
    found = outcome(site, "openalex:W3")
    assert found["outcome"] == "not-mine" and found["components"]["name"] < 0
    assert name_agreement("Josiah Q. Carberry", ["Josiah Carberry", "Josiah S. Carberry"]) == "conflict"
    assert name_agreement("Josiah Q. Carberry", ["Josiah Carberry"]) == "compatible"     # no middle name known


def test_a_co_author_with_the_persons_surname_is_not_taken_for_the_person(tmp_path):
    """On a work from the person's cluster, their authorship is the one the cluster id names: Jane Carberry's
    full name says nothing about Josiah."""
    work = oa_work("W4", "Kilns of the Ancients", 2017,
                   [author("Jane Carberry", aid="A52"), me("J. S. Carberry"), author("Ann Lee", aid="A51")])
    site = small_site(tmp_path, CONFIRMED + [work], ORCID_WORKS)
    found = outcome(site, "openalex:W4")
    assert found["outcome"] == "mine"
    assert any("'J. S. Carberry': compatible" in reason for reason in found["evidence"])
    # Jane's initials are the person's own ('j carberry'): she counts as no evidence either way.
    assert any(reason == "co-authors also on confirmed works: a lee" for reason in found["evidence"])


def test_an_orcid_the_publisher_deposited_confirms_whatever_the_printed_name(tmp_path):
    item = {"DOI": "10.5555/glaze", "title": ["Glazes"], "type": "journal-article", "container-title": ["J"],
            "issued": {"date-parts": [[2020]]}, "indexed": {"date-time": "2025-01-01T00:00:00Z"},
            "author": [{"given": "J.", "family": "Karberri", "ORCID": f"https://orcid.org/{ME[1]}"}]}
    work = oa_work("W5", "Glazes", 2020, [me("J. Karberri")], doi="10.5555/glaze")
    site = small_site(tmp_path, CONFIRMED + [work], ORCID_WORKS, [item])
    found = outcome(site, "doi:10.5555/glaze")
    assert found == {"outcome": "mine", "by": "identifier",
                     "evidence": ["an authorship carries their ORCID iD (crossref:10.5555/glaze)"]}


def test_a_retracted_work_waits_for_the_persons_decision(tmp_path):
    work = oa_work("W6", "Pots That Never Cracked", 2016, [me("Josiah Carberry")], doi="10.5555/never",
                   retracted=True)
    site = small_site(tmp_path, CONFIRMED + [work], ORCID_WORKS + [(3, "Pots That Never Cracked", 2016, "10.5555/never")])
    assert explain_json(site, "doi:10.5555/never")["left_out"] == "retracted"
    [item] = [i for i in json.loads(run("review", "--json", cwd=site).stdout) if i["kind"] == "attribution"]
    assert item["why"] == "retracted" and item["works"][0]["ids"]["doi"] == "10.5555/never"
    assert run("mine", "doi:10.5555/never", cwd=site).returncode == 0
    assert explain_json(site, "doi:10.5555/never")["left_out"] == ""


def test_corrections_and_scholar_page_labels_are_not_publications(tmp_path):
    correction = oa_work("W7", "Correction to: Cracked Pots and Their Makers", 2016, [me("Josiah Carberry")])
    site = small_site(tmp_path, CONFIRMED + [correction], ORCID_WORKS)
    data = explain_json(site, "openalex:W7")
    assert data["type"] == "erratum" and data["left_out"] == "type erratum"
    row = ('<tr class="gsc_a_tr"><td class="gsc_a_t"><a href="/citations?view_op=view_citation&amp;hl=en&amp;'
           'user=Xq8kZ2cAAAAJ&amp;citation_for_view=Xq8kZ2cAAAAJ:{id}" class="gsc_a_at">{title}</a>'
           '<div class="gs_gray">{authors}</div><div class="gs_gray">{venue}</div></td>'
           '<td class="gsc_a_c"><a class="gsc_a_ac gs_ibl"></a></td><td class="gsc_a_y"><span class="gsc_a_h gsc_a_hc gs_ibl">'
           '{year}</span></td></tr>')
    page = "<table><tbody>" + row.format(id="aaaaaaaaaaaa", title="Publication period", authors="", venue="", year="") + \
        row.format(id="bbbbbbbbbbbb", title="Teapots", authors="J Carberry", venue="J", year="2018") + "</tbody></table>"
    (site / "profile.html").write_text(page, encoding="utf-8")
    assert run("import", "scholar", "profile.html", cwd=site).returncode == 0
    papers = yaml.safe_load(run("export", "--format", "papers-yml", "--out", "-", cwd=site).stdout)
    titles = [p["title"] for p in papers]
    assert "Publication period" not in titles and "Correction to: Cracked Pots and Their Makers" not in titles
    assert "Cracked Pots and Their Makers" in titles


def test_nature_and_pnas_correction_notices_stay_off_the_list_and_out_of_the_paper(tmp_path):
    """Semantic Scholar and Scholar give such notices no DOI and no erratum type: the title tells. Before, the four
    notices were listed on the site as four more papers."""
    people = [me("Josiah Carberry"), author("Ann Lee", aid="A51")]
    notices = [oa_work("W7", "Author Correction: The Psychoceramics of Teapots", 2019, people),
               oa_work("W8", "Publisher Correction: The Psychoceramics of Teapots", 2019, people),
               oa_work("W9", "Correction for Carberry et al., The psychoceramics of teapots", 2019, people),
               oa_work("W10", "Editorial Note to: The Psychoceramics of Teapots", 2020, people)]
    site = small_site(tmp_path, CONFIRMED + notices, ORCID_WORKS)
    for wid in ("W7", "W8", "W9", "W10"):
        data = explain_json(site, f"openalex:{wid}")
        assert data["type"] in ("erratum", "retraction") and data["left_out"].startswith("type ")
        assert "openalex:W2" not in explain_json(site, f"openalex:{wid}")["records"]
    papers = yaml.safe_load(run("export", "--format", "papers-yml", "--out", "-", cwd=site).stdout)
    assert sorted(p["title"] for p in papers) == ["Cracked Pots and Their Makers", "The Psychoceramics of Teapots"]


def test_figures_and_tables_listed_as_items_of_their_own_stay_off_the_list(tmp_path):
    """Semantic Scholar lists the figures and tables of NCBI probe reports as works of their own (17 in Cantley's
    list, type 'other', no DOI). Before, each was one more paper on the site."""
    people = [me("Josiah Carberry"), author("Ann Lee", aid="A51")]
    parts = [oa_work("W7", "Figure 2, PBS Buffer Stability of the Teapot Glaze", 2019, people, kind="other"),
             oa_work("W8", "Table 4: SAR of selected teapot glazes", 2019, people, kind="other"),
             oa_work("W9", "Fig. 3. Crack growth in teapots", 2019, people, kind="other")]
    site = small_site(tmp_path, CONFIRMED + parts, ORCID_WORKS)
    for wid in ("W7", "W8", "W9"):
        data = explain_json(site, f"openalex:{wid}")
        assert data["type"] == "supplementary" and data["left_out"] == "type supplementary"
    papers = yaml.safe_load(run("export", "--format", "papers-yml", "--out", "-", cwd=site).stdout)
    assert sorted(p["title"] for p in papers) == ["Cracked Pots and Their Makers", "The Psychoceramics of Teapots"]


def test_a_work_without_contributors_lists_the_person_and_gets_a_named_key(tmp_path):
    site = small_site(tmp_path, [], [(9, "A Lone Pot", 2012, "10.5555/lone")])
    papers = yaml.safe_load(run("export", "--format", "papers-yml", "--out", "-", cwd=site).stdout)
    [paper] = papers
    assert paper["id"] == "carberry2012lone" and paper["author"][0] == {"family": "Carberry", "given": "Josiah",
                                                                        "x-self": True}
