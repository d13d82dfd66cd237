import json
import random
from pathlib import Path

import yaml

from pubsync.curation import Decision
from pubsync.merge import build_works
from pubsync.settings import MergeSettings
from pubsync.records import Author, Record

FIXTURES = Path(__file__).parent / "fixtures" / "versions"


def rec(source, sid, title, authors=(), year=None, **kw):
    return Record(source=source, source_id=sid, title=title, authors=[Author(name=a) for a in authors], year=year, **kw)


def published_and_preprint():
    return [
        rec("arxiv", "2101.00001", "Widgets at scale", ["J Carberry", "A Lima"], 2021, type="preprint",
            ids={"arxiv": "2101.00001"}, published_doi="10.1000/widgets", venue="arXiv"),
        rec("crossref", "10.1000/widgets", "Widgets at Scale", ["Josiah Carberry", "Ana Lima", "Bo Chen"], 2022,
            date="2022-03-01", ids={"doi": "10.1000/widgets"}, venue="Journal of Widgets", type="journal-article",
            citations=7),
        rec("openalex", "W9", "Widgets at scale", ["Josiah Carberry", "Ana Lima", "Bo Chen"], 2022,
            ids={"doi": "10.1000/widgets", "openalex": "W9"}, venue="J. Widgets", type="journal-article",
            citations=12, counts_by_year={2023: 5, 2022: 7}),
        rec("scholar", "abc", "Widgets at scale", ["J Carberry", "A Lima"], 2022, authors_complete=False,
            citations=30, venue="Journal of Widgets 3 (1)"),
        rec("scholar", "abd", "Widgets at scale", ["J Carberry", "A Lima"], 2022, citations=4),
    ]


def test_preprint_and_published_become_one_work_with_published_metadata():
    result = build_works(published_and_preprint(), [], MergeSettings(), owners={"crossref:10.1000/widgets": ["me"]})
    assert len(result.works) == 1
    w = result.works[0]
    assert w.key == ""
    assert w.venue == "Journal of Widgets" and w.provenance["venue"] == "crossref:10.1000/widgets"
    assert w.ids["doi"] == "10.1000/widgets" and w.ids["arxiv"] == "2101.00001"
    assert w.links["arxiv"] == "https://arxiv.org/abs/2101.00001"
    assert w.year == 2022 and w.type == "journal-article"
    assert [a.name for a in w.authors] == ["Josiah Carberry", "Ana Lima", "Bo Chen"]
    assert w.citations == {"crossref": 7, "openalex": 12, "scholar": 30}       # max per source, never summed
    assert w.counts_by_year == {2022: 7, 2023: 5}
    assert sorted(v.kind for v in w.versions) == ["preprint", "published"]
    preprint = next(v for v in w.versions if v.kind == "preprint")
    assert preprint.records == ["arxiv:2101.00001"]
    assert w.people == ["me"]
    assert any(e["reason"] == "published-doi:10.1000/widgets" for e in w.evidence)


def test_separate_preprint_display_keeps_two_linked_works():
    result = build_works(published_and_preprint(), [], MergeSettings(preprint_display="separate"))
    assert len(result.works) == 2
    pre = next(w for w in result.works if w.type == "preprint")
    assert "arxiv:2101.00001" in pre.records and "crossref:10.1000/widgets" in pre.extra["version_of"]


def test_same_input_in_any_order_gives_identical_output():
    recs = published_and_preprint() + [rec("scholar", "zzz", "A different paper on gadgets", ["J Carberry"], 2019)]
    first = build_works(recs, [])
    for seed in range(5):
        shuffled = recs[:]
        random.Random(seed).shuffle(shuffled)
        again = build_works(shuffled, [])
        assert [w.to_dict() for w in again.works] == [w.to_dict() for w in first.works]
        assert again.review == first.review


def test_decision_different_splits_records_that_share_a_doi():
    recs = published_and_preprint()
    result = build_works(recs, [Decision("different", "openalex:W9", "crossref:10.1000/widgets")])
    holders = [w for w in result.works if "openalex:W9" in w.records or "crossref:10.1000/widgets" in w.records]
    assert len(holders) == 2


def test_decision_same_merges_what_the_matcher_keeps_apart():
    a = rec("scholar", "s1", "Open innovation in the public sector", ["CD Dos Santos"], 2018)
    b = rec("scholar", "s2", "Crowdfunding for entrepreneurial education", ["CD Dos Santos"], 2022)
    assert len(build_works([a, b], []).works) == 2
    result = build_works([a, b], [Decision("same", "scholar:s1", "scholar:s2")])
    assert len(result.works) == 1
    assert result.works[0].evidence == [{"a": "scholar:s1", "b": "scholar:s2", "reason": "decision"}]


def test_decisions_may_name_records_by_canonical_id():
    recs = published_and_preprint()
    result = build_works(recs, [Decision("different", "arxiv:2101.00001", "doi:10.1000/widgets")])
    pre = [w for w in result.works if "arxiv:2101.00001" in w.records]
    assert len(pre) == 1 and "crossref:10.1000/widgets" not in pre[0].records


def test_orcid_summaries_from_several_claiming_sources_merge():
    recs = [
        rec("orcid", "1", "Como promover a colaboração em plataformas de dados abertos?", year=2024,
            ids={"doi": "10.5007/2175-8077.2024.e76382"}, claimed_by="Crossref"),
        rec("orcid", "2", "Como Promover a Colaboração em Plataformas de Dados Abertos?", year=2024,
            ids={"doi": "10.5007/2175-8077.2024.E76382"}, claimed_by="Scopus - Elsevier"),
        rec("orcid", "3", "Como promover a colaboração em plataformas de dados abertos ; How to promote collaboration",
            year=2024, claimed_by="BASE - Bielefeld Academic Search Engine", type="journal-article"),
    ]
    result = build_works(recs, [])
    assert len(result.works) == 1 and result.works[0].records == ["orcid:1", "orcid:2", "orcid:3"]


def test_the_persons_own_orcid_entry_wins_the_title():
    recs = [
        rec("crossref", "10.1000/x", "Widgets at scale (corrected proof)", ["J Carberry"], 2020, ids={"doi": "10.1000/x"}),
        rec("orcid", "9", "Widgets at Scale", year=2020, ids={"doi": "10.1000/x"},
            claimed_by="0000-0002-1825-0097"),
    ]
    w = build_works(recs, [], owners={"orcid:9": ["0000-0002-1825-0097"]}).works[0]
    assert w.title == "Widgets at Scale" and w.provenance["title"] == "orcid:9"
    w2 = build_works(recs, []).works[0]                      # not the owner's iD: Crossref's title wins
    assert w2.provenance["title"] == "crossref:10.1000/x"


def test_deposit_versions_from_fixtures():
    data = json.loads((FIXTURES / "deposits.json").read_text())
    figshare = [Record.from_dict(d) for d in data["figshare"]]
    works = build_works(figshare, []).works
    versions = next(w for w in works if "orcid:1001" in w.records)
    assert versions.records == ["orcid:1001", "orcid:1002"]
    assert versions.ids["doi"] == "10.6084/m9.figshare.12345678.v2"
    assert [v.kind for v in versions.versions] == ["version", "version"]
    assert len(works) == 3                                  # the two Table_1.XLSX supplements stay apart
    f1000 = build_works([Record.from_dict(d) for d in data["f1000"]], []).works
    assert len(f1000) == 1 and f1000[0].ids["doi"] == "10.12688/f1000research.7035.2"
    assert f1000[0].citations == {"crossref": 9}
    zenodo = build_works([Record.from_dict(d) for d in data["zenodo"]], []).works
    assert sorted(len(w.records) for w in zenodo) == [1, 1, 2]
    tool = next(w for w in zenodo if len(w.records) == 2)
    assert tool.ids["doi"] == "10.5281/zenodo.7000000"


def test_uncertain_pairs_go_to_review_not_into_one_work():
    # BASE (through ORCID) joins the title with its translation; OpenAlex has the English title, the same year, but
    # no author in common: neither clearly one work nor clearly two (default thresholds: same 0, maybe -2.5).
    recs = [rec("orcid", "57499604", "Motivations of crowdsourcing contributors,Motivações dos contribuidores de "
                "crowdsourcing", ["Carlos Denner dos Santos"], 2015),
            rec("openalex", "W1", "Motivations of crowdsourcing contributors", ["Ana Lima"], 2015)]
    result = build_works(recs, [])
    assert sorted(w.records for w in result.works) == [["openalex:W1"], ["orcid:57499604"]]
    assert len(result.review) == 1
    item = result.review[0]
    assert (item.a, item.b) == ("openalex:W1", "orcid:57499604")
    assert -2.5 < item.score <= 0.0            # log-odds between maybe (-2.5) and same (0)
    assert abs(sum(item.components.values()) - item.score) < 1e-6
    assert item.components["authors.disjoint"] < 0 and item.reason
    assert all(w.status == "review" for w in result.works)


def test_merge_settings_from_config_validates_keys():
    s = MergeSettings.from_config({"venue": ["openalex", "crossref"], "same_threshold": 1.0})
    assert s.order("venue") == ("openalex", "crossref") and s.same_threshold == 1.0
    for bad in ({"venu": []}, {"venue": ["mendeley"]}, {"same_threshold": "high"}, {"preprint_display": "both"}):
        try:
            MergeSettings.from_config(bad)
        except ValueError as e:
            assert "[merge]" in str(e)
        else:
            raise AssertionError(f"accepted {bad}")


def test_no_records_merge_into_no_works():
    result = build_works([], [], MergeSettings(), [])
    assert result.works == [] and result.review == []


def test_an_erratum_stays_a_work_of_its_own_and_the_paper_stays_a_paper():
    # the ACM and DBLP records of a VLDB Journal paper and of its erratum: same title, people, venue and year
    people = ["Mike P. Papazoglou", "Bernd J. Krämer"]
    paper = rec("dblp", "p", "A Database Model for Object Dynamics", people, 1997, venue="VLDB J.")
    paper_acm = rec("crossref", "q", "A database model for object dynamics", people, 1997,
                    venue="The VLDB Journal", ids={"doi": "10.1007/s007780050030"})
    erratum = rec("crossref", "e", "Erratum: A Database Model for Object Dynamics", people, 1997,
                  venue="The VLDB Journal")
    result = build_works([paper, paper_acm, erratum], [], MergeSettings())
    groups = sorted(sorted(w.records) for w in result.works)
    assert groups == [["crossref:e"], ["crossref:q", "dblp:p"]]
    assert not result.review


def test_a_nature_author_correction_stays_apart_from_the_paper_it_corrects():
    # as in Cantley's Semantic Scholar list, where neither record carries a DOI: before, the notice joined the paper
    people = ["Gino B. Ferraro", "Ahmed Ali", "Lewis C. Cantley", "Rakesh K. Jain"]
    title = "Fatty acid synthesis is required for breast cancer brain metastasis"
    paper = rec("semanticscholar", "paper", title, people, 2021, venue="Nature Cancer")
    notice = rec("semanticscholar", "notice", f"Author Correction: {title}", people, 2021, venue="Nature Cancer")
    result = build_works([paper, notice], [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [["semanticscholar:notice"], ["semanticscholar:paper"]]
    assert not result.review


def test_numbered_figures_and_tables_of_one_report_stay_apart():
    """Semantic Scholar lists the figures and tables of NCBI probe reports as papers of their own, with the report's
    authors and year and no DOI (Cantley's list has 17). Before, 'Figure 2, …', 'Figure 3, …' and 'Figure 4, …' were
    one work, and so were Tables 3, 4 and 5."""
    people = ["Matthew B. Boxer", "Jian-Kang Jiang", "Matthew G. Vander Heiden", "Lewis C. Cantley"]
    titles = {"f2": "Figure 2, PBS Buffer Stability of NCGC00185916/CID-44543605",
              "f3": "Figure 3, PBS Buffer Stability of NCGC00186527/CID-44246498",
              "f4": "Figure 4, PBS Buffer Stability of NCGC00185939/CID-4547230",
              "t3": "Table 3, SAR of selected N,N-bisarylsulfonamides",
              "t4": "Table 4, SAR of selected thieno[3,2-b]pyrrole[3,2-d]pyridazinones",
              "t5": "Table 5, SAR of selected tetrahydroquinoline-sulfonamides"}
    records = [rec("semanticscholar", sid, title, people, 2011, type="other") for sid, title in titles.items()]
    # the same figure from two sources is still one work
    records.append(rec("scholar", "f2", "Figure 2, PBS buffer stability of NCGC00185916/CID-44543605", people, 2011))
    result = build_works(records, [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [
        ["scholar:f2", "semanticscholar:f2"], *([f"semanticscholar:{sid}"] for sid in ("f3", "f4", "t3", "t4", "t5"))]
    assert not result.review


def test_the_numbered_papers_of_a_series_stay_apart_without_the_word_part():
    """A journal series numbers its papers after the common title: '… from turkey erythrocytes. I. Purification and
    properties.' and '… II. P2Y-purinergic receptor …' (two Scholar rows of Morris's profile, no authors). Before,
    the two were one work."""
    stem = "A receptor and G-protein-regulated polyphosphoinositide-specific phospholipase C from turkey erythrocytes."
    first = rec("scholar", "one", f"{stem} I. Purification and properties.", (), 1990)
    second = rec("scholar", "two", f"{stem} II. P2Y-purinergic receptor and G-protein-mediated regulation of the "
                 "purified enzyme reconstituted with turkey erythrocyte ghosts.", (), 1990)
    again = rec("openalex", "one", f"{stem} I. Purification and properties", ["Andrew J. Morris"], 1990)
    initials = [rec(source, source, "On a Possibility of Artificial Reason: J. McCarthy, I. Kant, and A. Turing",
                    ["Edsger W. Dijkstra"], 1990) for source in ("scholar", "semanticscholar")]
    result = build_works([first, second, again, *initials], [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [
        ["openalex:one", "scholar:one"], ["scholar:scholar", "semanticscholar:semanticscholar"], ["scholar:two"]]


def test_two_long_titles_of_one_team_and_year_are_not_one_paper_for_their_length():
    """Two systematic reviews by the same seven people in 2021 (Scholar rows of Morris's profile): the titles share
    'in Cardiac Implantable Electronic Device (CIED) … Lead …: A Systematic Review' and nothing else. Before, the
    length of the titles alone (title.min_words +2.66 at 16 words) made them one work. Now the pair waits in
    review."""
    team = ["Josh E Herman", "Deborah Somanader", "Laith Ishaq", "Ahmed Abdelaal", "Vrati Mehra", "Rayoun Ramendra",
            "Andrew J Morris"]
    mortality = rec("scholar", "mortality", "Comparing All-Cause to Procedure-Related Mortality in Cardiac Implantable "
                    "Electronic Device (CIED) Lead Removals: A Systematic Review", team, 2021)
    laser = rec("scholar", "laser", "Success and Complication Rates in Cardiac Implantable Electronic Device (CIED) "
                "Laser Lead Extractions: A Systematic Review", team, 2021)
    # a long title run after a journal section, cut, is still its paper
    sectioned = rec("scholar", "sectioned", "MECHANISMS OF SIGNAL TRANSDUCTION-Involvement of Phospholipase D2 in "
                    "Lysophosphatidate-induced Transactivation of Platelet-deirived Growth Factor Receptor-b in Human "
                    "Bronchial …", (), 2003)
    plain = rec("scholar", "plain", "Involvement of phospholipase D2 in lysophosphatidate-induced transactivation of "
                "platelet-derived growth factor receptor-β in human bronchial epithelial cells", (), 2003)
    result = build_works([mortality, laser, sectioned, plain], [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [
        ["scholar:laser"], ["scholar:mortality"], ["scholar:plain", "scholar:sectioned"]]
    assert {frozenset((item.a, item.b)) for item in result.review} == {frozenset(("scholar:laser", "scholar:mortality"))}


def test_a_sequel_numbered_at_the_end_of_its_title_stays_apart_from_the_first_paper():
    """Einstein's Scholar rows: 'Bivector fields' (with Bargmann, Annals of Mathematics 45, pp. 1-14) and 'Bivector
    fields II' (pp. 15-23), 'A generalization of the relativistic theory of gravitation' (1945) and '…, II' (with
    Straus, 1946). The first paper carries no number; before, each pair was one work."""
    records = [rec("scholar", "b1", "Bivector fields", ["A Einstein", "V Bargmann"], 1944,
                   venue="The Annals of Mathematics 45 (1), 1-14"),
               rec("scholar", "b2", "Bivector fields II", ["A Einstein"], 1944,
                   venue="The Annals of Mathematics 45 (1), 15-23"),
               rec("scholar", "g1", "A generalization of the relativistic theory of gravitation", ["A Einstein"], 1945,
                   venue="The Annals of Mathematics 46 (4), 578-584"),
               rec("scholar", "g2", "A generalization of the relativistic theory of gravitation, II",
                   ["A Einstein", "EG Straus"], 1946, venue="The Annals of Mathematics 47 (4), 731-741"),
               # the same sequel from two sources is one work; so is a book whose every record carries its volume
               rec("openalex", "b2", "Bivector Fields II", ["Albert Einstein"], 1944, venue="Annals of Mathematics"),
               rec("scholar", "v1", "GTPases in Biology II", ["AJ Morris"], 1993),
               rec("scholar", "v2", "Gtpases in Biology Ii", ["AJ Morris"], 1993)]
    result = build_works(records, [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [
        ["openalex:b2", "scholar:b2"], ["scholar:b1"], ["scholar:g1"], ["scholar:g2"], ["scholar:v1", "scholar:v2"]]
    assert not result.review


def test_a_response_to_a_comment_stays_apart_from_the_paper_it_defends():
    """Science's 'Response to Comment on "X"' is a publication of its own by X's authors, a year later. Scholar rows
    carry no DOI, and before, the response joined the paper (it was shown once, as the paper)."""
    people = ["John M. Asara", "Mary H. Schweitzer", "Lewis C. Cantley"]
    title = "Protein Sequences from Mastodon and Tyrannosaurus rex Revealed by Mass Spectrometry"
    paper = rec("scholar", "paper", title, people, 2007, venue="Science")
    response = rec("scholar", "response", f'Response to Comment on "{title}"', people, 2008, venue="Science")
    comment = rec("scholar", "comment", f'Comment on "{title}"', ["Mike Buckley", "Angela Walker"], 2008,
                  venue="Science")
    # a paper whose title opens with the same words is no reply, and its records are still one work
    parnas = [rec(source, source, "Response to detected errors in well-structured programs", ["David L. Parnas"],
                  1972, venue="Carnegie Mellon University") for source in ("scholar", "semanticscholar")]
    result = build_works([paper, response, comment, *parnas], [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [
        ["scholar:comment"], ["scholar:paper"], ["scholar:response"], ["scholar:scholar", "semanticscholar:semanticscholar"]]
    assert not [item for item in result.review if "scholar:paper" in (item.a, item.b)]


def test_german_corrections_addenda_and_notes_stay_apart_from_the_paper_they_are_about():
    """Einstein's Scholar rows: 'Berichtigung zur Abhandlung …' (a correction), 'Nachtrag zu meiner Arbeit …' (an
    addendum) and 'Notiz zu unserer Arbeit …' (a note on the paper). Before, each had joined its paper."""
    laub = ["A Einstein", "J Laub"]
    paper = rec("scholar", "paper", "Über die elektromagnetischen Grundgleichungen für bewegte Körper", laub, 1908,
                venue="Annalen der Physik 331 (8), 532-540")
    correction = rec("scholar", "correction", "Berichtigung zur Abhandlung:„Über die elektromagnetischen "
                     "Grundgleichungen für bewegte Körper” ︁", laub, 1908, venue="Annalen der Physik 332 (11), 232-232")
    correction_again = rec("scholar", "correction2", 'Berichtigung zur Abhandlung:" Über die elektromagnetischen '
                           'Grundgleichungen für bewegte Körper", 24 Aug 1908', laub)
    law = rec("scholar", "law", "Thermodynamische Begründung des photochemischen Äquivalentgesetzes", ["A Einstein"],
              1912, venue="Annalen der Physik 342 (4), 832-838")
    addendum = rec("scholar", "addendum", "Nachtrag zu meiner Arbeit:„Thermodynamische Begründung des "
                   "photochemischen Aquivalentgesetzes” ︁", ["A Einstein"], 1912, venue="Annalen der Physik 343 (9), 881-884")
    experiment = rec("scholar", "experiment", "Experimenteller Nachweis der Ampèreschen Molekularströme", ["A Einstein"],
                     1915, venue="Naturwissenschaften 3 (19), 237-238")
    note = rec("scholar", "note", 'Notiz zu unserer Arbeit" Experimenteller Nachweis der Ampèreschen '
               'Molekularströme", 15 Nov 1915', ["A Einstein", "WJ De Haas"])
    result = build_works([paper, correction, correction_again, law, addendum, experiment, note], [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [
        ["scholar:addendum"], ["scholar:correction", "scholar:correction2"], ["scholar:experiment"], ["scholar:law"],
        ["scholar:note"], ["scholar:paper"]]


def test_a_meeting_abstract_stays_apart_from_its_paper_and_links_to_it():
    """AACR's 'Abstract B45: …' is the abstract of a talk, the Nature article the paper: two publications (the
    README's definition). Without DOIs, as in Cantley's Semantic Scholar list, the two were one work shown under the
    abstract's title; with DOIs they link as short and full version."""
    people = ["Jaekyoung Son", "Costas A. Lyssiotis", "Alec C. Kimmelman", "Lewis C. Cantley"]
    title = "Pancreatic cancers depend on a non-canonical glutamine metabolic pathway"
    paper = rec("semanticscholar", "paper", title, people, 2013, venue="Nature")
    abstract = rec("semanticscholar", "abstract", f"Abstract B45: {title}", people, 2012, venue="Cancer Research")
    result = build_works([paper, abstract], [], MergeSettings())
    assert sorted((w.records, w.title) for w in result.works) == [
        (["semanticscholar:abstract"], f"Abstract B45: {title}"), (["semanticscholar:paper"], title)]
    paper.ids, abstract.ids = {"doi": "10.1038/nature12040"}, {"doi": "10.1158/1538-7445.panca2012-b45"}
    works = {w.records[0]: w for w in build_works([paper, abstract], [], MergeSettings()).works}
    assert works["semanticscholar:abstract"].links["full_version"] == "https://doi.org/10.1038/nature12040"
    assert works["semanticscholar:paper"].links["short_version"] == "https://doi.org/10.1158/1538-7445.panca2012-b45"


def test_a_demo_abstract_links_to_its_paper_as_the_short_version_not_an_earlier_version():
    people = ["Pengfei Zhou", "Yuanqing Zheng", "Mo Li"]
    demo = rec("dblp", "d", "Demo: how long to wait?: predicting bus arrival time with mobile phone based "
               "participatory sensing", people, 2012, venue="MobiSys 2012", type="conference-paper",
               ids={"doi": "10.1145/2307636.2307691"})
    paper = rec("dblp", "p", "How Long to Wait? Predicting Bus Arrival Time With Mobile Phone Based Participatory "
                "Sensing", people, 2014, venue="IEEE Trans. Mob. Comput.", type="journal-article",
                ids={"doi": "10.1109/tmc.2013.136"})
    poster = rec("dblp", "x", "POSTER: Blockchain-Based Differential Privacy Cost Management System", ["Mo Li"], 2020,
                 venue="AsiaCCS 2020", type="conference-paper", ids={"doi": "10.1145/3320269.3405438"})
    works = {w.records[0]: w for w in build_works([demo, paper, poster], [], MergeSettings()).works}
    assert sorted(works) == ["dblp:d", "dblp:p", "dblp:x"]
    assert works["dblp:d"].links["full_version"] == "https://doi.org/10.1109/tmc.2013.136"
    assert works["dblp:p"].links["short_version"] == "https://doi.org/10.1145/2307636.2307691"
    assert not any(k.endswith("_version") and k not in ("full_version", "short_version")
                   for w in works.values() for k in w.links)
    assert not any(k.endswith("_version") for k in works["dblp:x"].links)      # a poster with no paper: alone
    from pubsync.export import ExportContext, render, validate_options
    listed = next(iter(render("markdown", [works["dblp:p"]], ExportContext(options=validate_options("markdown", {})))
                       .values())).decode()
    assert "[short version](https://doi.org/10.1145/2307636.2307691)" in listed


def test_a_conference_paper_and_its_journal_extension_stay_two_works_that_link_to_each_other():
    people = ["Yuanchao Shu", "Yu Jason Gu", "Jiming Chen"]
    conference = rec("dblp", "c", "Travi-Navi: self-deployable indoor navigation system", people, 2014,
                     venue="MobiCom 2014", type="conference-paper", ids={"doi": "10.1145/2639108.2639124"})
    journal = rec("dblp", "j", "Travi-Navi: Self-Deployable Indoor Navigation System", people, 2017,
                  venue="IEEE/ACM Trans. Netw.", type="journal-article", ids={"doi": "10.1109/tnet.2017.2707101"})
    column_2017 = rec("dblp", "s1", "CIS Publication Spotlight", ["Jiming Chen"], 2017,
                      venue="IEEE Comput. Intell. Mag.", type="journal-article", ids={"doi": "10.1109/mci.2017.1"})
    column_2021 = rec("dblp", "s2", "CIS Publication Spotlight", ["Jiming Chen"], 2021,
                      venue="IEEE Comput. Intell. Mag.", type="journal-article", ids={"doi": "10.1109/mci.2021.1"})
    works = {w.records[0]: w for w in build_works([conference, journal, column_2017, column_2021], [],
                                                   MergeSettings()).works}
    assert sorted(works) == ["dblp:c", "dblp:j", "dblp:s1", "dblp:s2"]
    assert works["dblp:c"].links["extended_version"] == "https://doi.org/10.1109/tnet.2017.2707101"
    assert works["dblp:j"].links["earlier_version"] == "https://doi.org/10.1145/2639108.2639124"
    # the site shows them: papers.yml lists the other version among the work's links
    from pubsync.export import ExportContext, render, validate_options
    ctx = ExportContext(options=validate_options("papers-yml", {}))
    papers = yaml.safe_load(next(iter(render("papers-yml", [works["dblp:c"]], ctx).values())))
    assert {"type": "extended_version", "url": "https://doi.org/10.1109/tnet.2017.2707101"} in papers[0]["links"]
    listed = next(iter(render("markdown", [works["dblp:j"]], ExportContext(options=validate_options("markdown", {})))
                       .values())).decode()
    assert "[earlier version](https://doi.org/10.1145/2639108.2639124)" in listed
    bib = next(iter(render("bibtex", [works["dblp:c"]], ExportContext(options=validate_options("bibtex", {})))
                    .values())).decode()
    assert "additional_info = {. [Extended version](https://doi.org/10.1109/tnet.2017.2707101)}" in bib
    pages = render("hugoblox", [works["dblp:c"]], ExportContext(site_kind="hugo", options={}))
    (page,) = [data.decode() for name, data in pages.items() if name.endswith("index.md")]
    assert 'name: "Extended version"' in page and 'url: "https://doi.org/10.1109/tnet.2017.2707101"' in page
    # a column a venue runs every year is not a version of itself
    assert not {"extended_version", "earlier_version"} & (set(works["dblp:s1"].links) | set(works["dblp:s2"].links))


def test_misfiled_citation_records_join_their_paper_and_a_venue_title_joins_nothing():
    """What the matcher reads back shows in the merge: a reference string, a swapped row and a row with the title in
    the venue field become one work with the clean record, which keeps its own title; rows whose 'title' is only a
    venue's name stay apart from each other and from the paper."""
    recs = [
        rec("dblp", "d", "Query Optimization in Parallel Databases", ["John Smith", "Barbara Jones"], 1998,
            venue="VLDB"),
        rec("scholar", "ref", "Smith, J., Jones, B.: Query optimization in parallel databases. In: Proc. VLDB (1998)"),
        rec("scholar", "swap", "J Smith, B Jones", ["Query optimization in parallel databases"], 1998),
        rec("scholar", "venue", "Proceedings of the 24th VLDB Conference", ["J Smith", "B Jones"],
            venue="Query optimization in parallel databases"),
        rec("scholar", "cut", "the VLDB journal the international journal on very large …", ["J Smith", "B Jones"],
            venue="Query optimization in parallel databases"),
        rec("scholar", "v1", "SIGMOD Conference", ["K Lee"], 1999),
        rec("scholar", "v2", "SIGMOD Conference", ["M Chen"], 1999),
    ]
    works = build_works(recs, [], MergeSettings()).works
    paper = [w for w in works if "dblp:d" in w.records]
    assert len(paper) == 1 and set(paper[0].records) == {"dblp:d", "scholar:ref", "scholar:swap", "scholar:venue",
                                                         "scholar:cut"}
    assert paper[0].title == "Query Optimization in Parallel Databases"
    assert len(works) == 3


def test_a_cut_title_joins_the_paper_it_opens_not_another_that_opens_alike():
    recs = [rec("dblp", "remy", "An introduction to Remy's fast polymorphic record projection", ["Limsoon Wong"], 1995,
                venue="SIGMOD Record"),
            rec("dblp", "deductive", "An introduction to deductive database languages and systems",
                ["Kotagiri Ramamohanarao", "James Harland"], 1994, venue="VLDB J."),
            rec("scholar", "cut", "An introduction to deductive …", ["R Kotagiri", "J Harland"])]
    result = build_works(recs, [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [["dblp:deductive", "scholar:cut"], ["dblp:remy"]]
    # nor is the other paper put to the person as a maybe (it was, while a cut title's last word was left out)
    assert result.review == [] and all(w.status != "review" for w in result.works)


def test_a_label_one_source_writes_into_the_title_does_not_split_the_work():
    """'Editorial: …', 'Tutorial: …', '… (panel abstract)' name the kind of item, not the paper: the record that
    carries the label and the one that does not become one work. An erratum and a conference's '(Extended
    Abstract)' of an earlier journal paper are items of their own and stay apart."""
    recs = [
        rec("dblp", "charter", "Charter and scope", ["Won Kim"], 1994, venue="ACM Trans. Database Syst."),
        rec("scholar", "editorial", "Editorial: Charter and scope", ["W Kim"], 1995,
            venue="ACM Transactions on Database Systems (TODS)"),
        rec("dblp", "panel", "Index research: forest or trees? (panel abstract)", ["Joseph M. Hellerstein"], 2000,
            venue="SIGMOD Conference"),
        rec("scholar", "indexing", "Indexing research: forest or trees?", ["JM Hellerstein"], 2000,
            venue="SIGMOD Record"),
        rec("dblp", "icde", "Core Decomposition on Uncertain Graphs Revisited (Extended Abstract).",
            ["Qiangqiang Dai", "Rong-Hua Li", "Guoren Wang", "Rui Mao", "Zhiwei Zhang", "Ye Yuan"], 2022,
            venue="ICDE", type="conference-paper", ids={"doi": "10.1109/icde53745.2022.00134"}),
        rec("scholar", "tkde", "Core decomposition on uncertain graphs revisited",
            ["Q Dai", "RH Li", "G Wang", "R Mao", "Z Zhang", "Y Yuan"], 2021,
            venue="IEEE Transactions on Knowledge and Data Engineering"),
        rec("crossref", "erratum", "Erratum: Index research: forest or trees?", ["Joseph M. Hellerstein"], 2000,
            venue="SIGMOD Record"),
    ]
    result = build_works(recs, [], MergeSettings())
    assert sorted(sorted(w.records) for w in result.works) == [
        ["crossref:erratum"], ["dblp:charter", "scholar:editorial"], ["dblp:icde"],
        ["dblp:panel", "scholar:indexing"], ["scholar:tkde"]]
    # the labelled pairs no longer wait in `pubsync review`
    assert {(item.a, item.b) for item in result.review} <= {("dblp:icde", "scholar:tkde")}
