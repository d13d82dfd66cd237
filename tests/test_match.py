import json
from pathlib import Path

from pubsync.match import BlockingSettings, block, compare, doi_family, features, read_fields
from pubsync.merge import build_works
from pubsync.records import Author, Record

FIXTURES = Path(__file__).parent / "fixtures" / "versions"


def rec(source, sid, title, authors=(), year=None, **kw):
    return Record(source=source, source_id=sid, title=title, authors=[Author(name=a) for a in authors], year=year, **kw)


def deposits(name):
    data = json.loads((FIXTURES / "deposits.json").read_text())[name]
    return [Record.from_dict(d) for d in data]


def test_doi_families_of_deposit_versions():
    assert doi_family("10.6084/m9.figshare.12345678.v2") == "10.6084/m9.figshare.12345678"
    assert doi_family("10.12688/f1000research.7035.2") == "10.12688/f1000research.7035"
    assert doi_family("10.7287/peerj.preprints.1234v3") == "10.7287/peerj.preprints.1234"
    assert doi_family("10.1007/s10676-021-09593-z") == "10.1007/s10676-021-09593-z"


def test_same_doi_in_any_spelling_is_one_work():
    a = rec("orcid", "1", "AI regulation", ids={"doi": "https://doi.org/10.1007/S10676-021-09593-Z"})
    b = rec("crossref", "x", "Something else entirely", ids={"doi": "10.1007/s10676-021-09593-z"})
    d = compare(a, b)
    assert d.outcome == "same" and d.reason == "doi:10.1007/s10676-021-09593-z"


def test_arxiv_versions_and_arxiv_dois_are_one_id():
    a = rec("arxiv", "1707.08567v2", "Heat-bath walks", ids={"arxiv": "1707.08567v2"})
    b = rec("openalex", "W1", "Heat bath random walks", ids={"doi": "10.48550/arXiv.1707.08567"})
    assert compare(a, b).reason == "arxiv:1707.08567"


def test_two_arxiv_submissions_are_two_works_unless_they_share_their_title():
    people = ["Annamalai Narayanan", "Mahinthan Chandramohan", "Lihui Chen", "Yang Liu", "Santhoshkumar Saminathan"]
    graph2vec = rec("arxiv", "1707.05005", "graph2vec: Learning Distributed Representations of Graphs", people, 2017,
                    ids={"arxiv": "1707.05005"})
    subgraph2vec = rec("arxiv", "1606.08928", "subgraph2vec: Learning Distributed Representations of Rooted "
                       "Sub-graphs from Large Graphs", people[:3] + people[4:], 2016, ids={"arxiv": "1606.08928"})
    d = compare(graph2vec, subgraph2vec)
    assert d.outcome == "different" and d.reason == "arxiv-conflict:1707.05005|1606.08928"
    assert d.components["ids"] == -30.0 and abs(sum(d.components.values()) - d.total) < 1e-6
    # one paper posted twice (RAPPER, 1802.03909 and 2004.01712): the title decides as for any two records
    first = rec("dblp", "a", "RAPPER: Ransomware Prevention via Performance Counters", ["Manaar Alam"], 2018,
                ids={"arxiv": "1802.03909"})
    again = rec("dblp", "b", "RAPPER: Ransomware Prevention via Performance Counters", ["Manaar Alam"], 2020,
                ids={"arxiv": "2004.01712"})
    assert compare(first, again).reason == "" and "ids" not in compare(first, again).components


def test_cold_spring_harbor_journals_are_not_biorxiv_preprints():
    """Both publish under 10.1101: bioRxiv's DOIs open with a digit, the Press's journals with a name (gad., sqb.).
    The Semantic Scholar records of Cantley's 1994 BioEssays review and a 1992 CSH Symposium paper were one work."""
    review = rec("semanticscholar", "6886cf24", "Phosphatidylinositol 3‐kinase", ["R. Kapeller", "L. Cantley"],
                 1994, venue="Bioessays", ids={"doi": "10.1002/bies.950160810", "pmid": "8086005"})
    symposium = rec("semanticscholar", "ab4903ec", "Phosphatidylinositol-3 kinase and growth regulation.",
                    ["S. Soltoff", "C. Carpenter", "K. Auger", "R. Kapeller", "L. Cantley"], 1992,
                    venue="Cold Spring Harbor Symposia on Quantitative Biology",
                    ids={"doi": "10.1101/sqb.1992.057.01.010", "pmid": "1339706"})
    d = compare(review, symposium)
    assert d.outcome == "different" and d.reason == "doi-conflict:10.1002/bies.950160810|10.1101/sqb.1992.057.01.010"
    preprint = rec("semanticscholar", "b", "Age-induced methylmalonic acid accumulation promotes tumor progression",
                   ["Ana P. Gomes", "John Blenis"], 2020, ids={"doi": "10.1101/2020.06.04.135186"})
    paper = rec("semanticscholar", "n", "Age-induced accumulation of methylmalonic acid promotes tumour progression",
                ["Ana P. Gomes", "John Blenis"], 2020, venue="Nature", ids={"doi": "10.1038/s41586-020-2630-0"})
    assert compare(preprint, paper).outcome == "same"


def test_figshare_versions_merge_but_lookalike_supplements_stay_apart():
    v1, v2, table_a, table_b = deposits("figshare")
    assert compare(v1, v2).outcome == "same"
    d = compare(table_a, table_b)          # same title, same year, different items
    assert d.outcome == "different" and d.reason.startswith("doi-conflict")


def test_zenodo_records_with_same_title_and_people_are_versions_unless_people_differ():
    c1, c2, slides_a, slides_b = deposits("zenodo")
    assert compare(c1, c2).reason.startswith("zenodo-versions")
    assert compare(slides_a, slides_b).outcome == "different"


def test_f1000_versions_merge():
    v1, v2, orcid = deposits("f1000")
    assert compare(v1, v2).outcome == "same"
    assert compare(v2, orcid).reason == "doi:10.12688/f1000research.7035.2"


def test_preprint_naming_its_published_doi_is_the_same_work():
    pre = rec("arxiv", "1601.00001", "Permutational symmetries", ["M Kilgour", "D Segal"], 2016, type="preprint",
              ids={"arxiv": "1601.00001"}, published_doi="10.1063/1.4944470")
    pub = rec("crossref", "10.1063/1.4944470", "Charge transport in molecular junctions", ["M Kilgour", "D Segal"], 2016,
              ids={"doi": "10.1063/1.4944470"})
    assert compare(pre, pub).reason == "published-doi:10.1063/1.4944470"


def test_different_journal_dois_never_merge_even_with_equal_titles():
    a = rec("crossref", "a", "Editorial", ["J Carberry"], 2014, ids={"doi": "10.21529/resi.2014.1302000"})
    b = rec("crossref", "b", "Editorial", ["J Carberry"], 2014, ids={"doi": "10.5329/resi.2014.1302000"})
    assert compare(a, b).outcome == "different"


def test_preprint_server_doi_is_no_conflict():
    pre = rec("openalex", "W2", "Changes in use of a leisure app for children", ["A Lima", "J Carberry"], 2021,
              type="preprint", ids={"doi": "10.2196/preprints.32274"})
    pub = rec("openalex", "W3", "Changes in Use of a Leisure App for Children", ["A Lima", "J Carberry"], 2022,
              ids={"doi": "10.2196/32274"})
    d = compare(pre, pub)
    assert "ids" not in d.components and d.outcome == "same"


def test_scholar_row_matches_journal_record_by_title_authors_year():
    scholar = rec("scholar", "5ugPr518TE4C", "Artificial intelligence regulation: a framework for governance",
                  ["PGR De Almeida", "CD Dos Santos", "JS Farias"], 2021, venue="Ethics and Information Technology 23 (3)")
    journal = rec("openalex", "W3154266813", "Artificial Intelligence Regulation: a framework for governance",
                  ["Patricia Gomes Rêgo de Almeida", "Carlos Denner dos Santos", "Josivania Silva Farias"], 2021,
                  venue="Ethics and Information Technology", ids={"doi": "10.1007/s10676-021-09593-z"})
    d = compare(scholar, journal)
    assert d.outcome == "same"
    # the prior and the model's terms, named by the features they read (pairwise terms joined by '×')
    assert {part.split(".")[0] for name in d.components for part in name.split(" × ")} == \
        {"prior", "title", "authors", "year", "venue"}
    assert d.components["title.squashed"] > 0 and d.components["authors.overlap"] > 0
    assert str(d).startswith("same ")


def test_unrelated_papers_are_different_and_near_misses_wait_for_review():
    a = rec("scholar", "a", "Open innovation in the public sector", ["CD Dos Santos"], 2018)
    b = rec("scholar", "b", "Crowdfunding for entrepreneurial education", ["CD Dos Santos"], 2022)
    assert compare(a, b).outcome == "different"
    c = rec("orcid", "c", "Motivations of crowdsourcing contributors", year=2015)
    d = rec("openalex", "d", "Motivações dos contribuidores de crowdsourcing", year=2015)
    assert compare(c, d).outcome in ("maybe", "different")


def test_citation_strings_read_into_the_wrong_fields_still_find_their_paper():
    clean = rec("openalex", "w", "Eager aggregation and lazy aggregation", ["Weipeng P. Yan", "Per-Åke Larson"], 1995,
                venue="Very Large Data Bases")
    misread = [
        rec("site", "whole", "WP Yan, PA Larson. Eager aggregation and lazy aggregation. VLDB, 1995."),
        rec("scholar", "swapped", "WP Yan, PA Larson", ["Eager aggregation and lazy aggregation"], 1995),
        rec("site", "run-in", "WP Yan, PA Larson Eager aggregation and lazy aggregation", year=1995),
        rec("scholar", "year", "Eager aggregation and lazy aggregation (1995)", ["WP Yan", "PA Larson"]),
        rec("scholar", "venue", "Eager aggregation and lazy aggregation proc . of the 21st VLDB conference ,",
            ["WP Yan", "PA Larson"], 1995),
        rec("site", "venue-in", "Eager aggregation and lazy aggregation. In: Proceedings of the 21st VLDB",
            ["WP Yan", "PA Larson"], 1995),
    ]
    for record in misread:
        assert compare(clean, record).outcome == "same", record.source_id
        assert features(record).year == 1995 and features(record).surnames == ("yan", "larson"), record.source_id
    # a title is left alone when the fields it would fill are there, or when it does not start with a name list
    assert features(rec("scholar", "s", "A survey of deep learning", year=2015)).title == "a survey of deep learning"
    assert features(rec("scholar", "s", "J Smith, B Jones", ["J Smith"])).title == "j smith b jones"
    venue_read = features(misread[4])
    assert venue_read.title == "eager aggregation and lazy aggregation" and venue_read.venue_kind == "conference"
    # a venue is read off a title's end only when the words plainly open one
    for title in ("Synchronization in nested transactions",                  # a title's own 'transactions'
                  "How to publish: journal selection for early-career researchers",
                  "A survey of ACM SIGMOD papers published over the years",  # the title goes on after 'of'
                  "Report on the second IEEE metadata conference"):          # IEEE, but no venue pubsync knows
        assert read_fields(title, ["J Smith"], "", 2001) == (title, ["J Smith"], "", 2001)
    title = "Deep nets for graphs. Journal of Machine Learning Research"
    assert read_fields(title, [], "", None)[1:3] == ([], "Journal of Machine Learning Research")
    assert read_fields(title, [], "JMLR", None)[0] == title                   # the venue field is there already


def test_clean_records_and_scholar_rows_with_co_authors_in_the_title_are_read_right():
    # a clean record whose title opens with a word that looks like an initial keeps its fields
    clean = rec("dblp", "d", "A Generic Approach to Bulk Loading Multidimensional Index Structures",
                ["Jochen Van den Bercken", "Bernhard Seeger", "Peter Widmayer"], 1997, venue="VLDB")
    f = features(clean)
    assert f.title.startswith("a generic approach") and f.surnames[0] == "bercken" and f.venue
    # Scholar gives the first author and runs the others into the title
    row = rec("scholar", "s", "C Pu. A practical and modular implementation of extended transaction models",
              ["RS Barga"])
    assert features(row).title == "a practical and modular implementation of extended transaction models"
    assert features(row).surnames == ("barga", "pu")


def test_the_end_of_an_author_list_cut_into_the_title_is_read_back_as_authors():
    # Scholar rows of DBLP-Scholar: a citation string cut inside its author list, the rest run into the title
    dblp = rec("dblp", "d", "Weaving Relations for Cache Performance",
               ["Anastassia Ailamaki", "David J. DeWitt", "Mark D. Hill", "Marios Skounakis"], 2001, venue="VLDB")
    row = rec("scholar", "s", "Hill, and M. Skounakis. Weaving relations for cache performance",
              ["AG Adhs", "DJ Ailamaki", "MD DeWitt"],
              venue="Proceedings of the International Conference on Very Large")
    assert features(row).title == "weaving relations for cache performance"
    assert {"hill", "skounakis", "ailamaki"} <= set(features(row).surnames)
    assert compare(dblp, row).outcome == "same"
    quoted = rec("scholar", "q", "Thomas II and EL Wimmers: “The Garlic project”", ["J Schwarz"])
    assert features(quoted).title == "the garlic project" and "wimmers" in features(quoted).surnames
    # titles that open with words and a full stop or a colon keep them: no comma or initial among the words, one
    # word, a title word among them, or what follows is a venue
    for title in ("Research and products. Are they relevant to each other?",
                  "MiniCon. A scalable algorithm for answering queries using views",
                  "Probe, count, and classify: categorizing hidden web databases",
                  "Replication, consistency, and practicality: are these mutually exclusive?",
                  "Indexing the web, a survey. Part II",
                  "Designing and mining multi-terabyte astronomy archives. ACM SIGMOD Conference"):
        assert read_fields(title, ["J Smith"], "VLDB", 2001) == (title, ["J Smith"], "VLDB", 2001), title


def test_a_swapped_row_whose_names_are_not_initials_and_a_citation_cut_after_one_name_are_read_back():
    dblp = rec("dblp", "d", "Maintaining Coherency of Dynamic Data in Cooperating Repositories",
               ["Shetal Shah", "Krithi Ramamritham", "Prashant J. Shenoy"], 2002, venue="VLDB")
    swapped = rec("scholar", "s", "SSKRP Shenoy", ["Maintaining coherency of dynamic data in cooperating repositories"])
    assert features(swapped).title == "maintaining coherency of dynamic data in cooperating repositories"
    assert compare(dblp, swapped).outcome == "same"
    # the same with several such names, as a tokenizer leaves them ('Scholar row , comma spaced')
    for names, n in (("YSADN Roussopoulos , Y Kotidis", 2),
                     ("WO ` Connell , IT Ieong , D Schrader , C Watson , G Au ,", 5)):
        title, people, _, _ = read_fields(names, ["Dwarf : shrinking the PetaCube"], "", 2002)
        assert title == "Dwarf : shrinking the PetaCube" and len(people) == n, names
    assert read_fields("Graphs, maps, trees", ["Franco Moretti"], "", 2005)[0] == "Graphs, maps, trees"
    # a swapped row whose title is short: the initials in the title field tell it
    row = rec("scholar", "p", "JM Hellerstein", ["Practical predicate placement"])
    assert features(row).title == "practical predicate placement" and features(row).surnames == ("hellerstein",)
    assert read_fields("An overview", ["John Smith"], "", None) == ("An overview", ["John Smith"], "", None)
    # a consortium's name, or a long personal name, is not a title, and a short title beside it stays where it is
    assert read_fields("Editorial", ["María José García Pérez"], "", 2012) == \
        ("Editorial", ["María José García Pérez"], "", 2012)
    assert read_fields("Higgs boson discovery", ["The ATLAS Collaboration"], "", 2012) == \
        ("Higgs boson discovery", ["The ATLAS Collaboration"], "", 2012)
    # a citation string cut short after its one author's name and a few words of title
    assert read_fields("DB Lomet High speed on-line …", [], "", 2000) == \
        ("High speed on-line …", ["DB Lomet"], "", 2000)
    assert read_fields("NSH Garcia-Molina Computing iceberg …", [], "", 2000)[:2] == \
        ("Computing iceberg …", ["NSH Garcia-Molina"])
    assert read_fields("Hot topics in mobile …", [], "", 2000)[0] == "Hot topics in mobile …"
    assert read_fields("Why teams fail …", [], "", 2000)[0] == "Why teams fail …"
    assert read_fields("DB Lomet high speed on-line backup", [], "", 2000)[0] == "DB Lomet high speed on-line backup"


def test_reference_list_strings_with_the_surname_first_find_their_paper():
    clean = rec("dblp", "d", "Query Optimization in Parallel Databases", ["John Smith", "Barbara Jones"], 1998,
                venue="VLDB")
    for style in ("Smith, J., Jones, B.: Query optimization in parallel databases. In: Proc. VLDB, pp. 1–10 (1998)",
                  "Smith J, Jones B (1998) Query optimization in parallel databases. VLDB J 7:1-10",
                  "SMITH, J. AND JONES, B. 1998. Query optimization in parallel databases. In Proceedings of VLDB.",
                  "Smith J, Jones B. Query optimization in parallel databases. VLDB J. 1998;7(1):1-10.",
                  "[12] J. Smith, B. Jones, Query optimization in parallel databases, in: Proc. VLDB, 1998."):
        f = features(rec("site", "r", style))
        assert (f.title, f.surnames) == ("query optimization in parallel databases", ("smith", "jones")), style
        assert compare(clean, rec("site", "r", style)).outcome == "same", style
    # a year in parentheses or brackets, after the names, opening or closing the title
    for style in ("J Smith, B Jones (1998) Query optimization in parallel databases. VLDB",
                  "(1998) Query optimization in parallel databases", "Query optimization in parallel databases [1998]",
                  "Query optimization in parallel databases, 1998."):
        assert features(rec("site", "y", style)).year == 1998, style
        assert features(rec("site", "y", style)).title == "query optimization in parallel databases", style
    assert read_fields("Findings of the WMT 2019", [], "", None) == ("Findings of the WMT 2019", [], "", None)
    # the authors after the title, the venue after them, nothing else given
    f = features(rec("site", "t", "Query optimization in parallel databases J Smith, B Jones SIGMOD Conference"))
    assert (f.title, f.surnames, f.known_venue) == ("query optimization in parallel databases", ("smith", "jones"),
                                                    "sigmod")
    # also after a title whose article reads like an initial ('An orthogonally …')
    assert read_fields("An orthogonally persistent Java MP Atkinson, MJ Jordan, T Printezis SIGMOD Record", [], "",
                       None) == ("An orthogonally persistent Java", ["MP Atkinson", "MJ Jordan", "T Printezis"],
                                 "SIGMOD Record", None)
    for title in ("On a possibility of artificial reason: J. McCarthy, I. Kant, and A. Turing",   # whom it is about
                  "Scaling DB systems, ML pipelines and AI agents"):                              # its own words
        assert read_fields(title, [], "", None) == (title, [], "", None), title
    # a title with a comma and a capital letter after it is not a name
    assert read_fields("Graph, A new approach to clustering", [], "", None)[0] == "Graph, A new approach to clustering"


def test_a_title_in_the_venue_field_is_read_back_and_a_venue_for_a_title_says_nothing():
    clean = rec("dblp", "d", "Query Optimization in Parallel Databases", ["John Smith", "Barbara Jones"], 1998,
                venue="VLDB")
    for title, venue in (("Proceedings of the 24th VLDB Conference", "Query optimization in parallel databases"),
                         ("", "Query optimization in parallel databases")):
        shifted = rec("scholar", "s", title, ["J Smith", "B Jones"], venue=venue)
        assert features(shifted).title == "query optimization in parallel databases", title
        assert compare(clean, shifted).outcome == "same", title
    # a venue field that names a venue stays a venue, whatever the title
    assert read_fields("Proceedings of the 24th VLDB Conference", ["J Smith"], "Journal of Data Systems", None)[0] \
        == "Proceedings of the 24th VLDB Conference"
    # names in the title and the venue in the authors field: the record has no title to compare
    assert read_fields("J Smith, B Jones", ["SIGMOD Conference"], "", None)[:2] == ("", ["J Smith", "B Jones"])
    # a venue the title field holds the way citation strings write one: cut short, abbreviated, a report
    for venue in ("the VLDB journal the international journal on very large & hellip ; ,",
                  "ACM Trans. Database Systems,", "Technical report MSR-TR-2000-53, Microsoft Research,",
                  "… of the very large data bases (VLDB) conference, Cairo, Egypt,"):
        assert read_fields(venue, ["J Smith"], "Query optimization in parallel databases", None)[0] \
            == "Query optimization in parallel databases", venue
    # a title with a venue's words ('transactions', 'journal') in it is still a title; an empty title field
    # takes a short title from the venue field
    assert read_fields("Proceedings of ACM SIGMOD Conference, Philadelphia,", ["J Gray"],
                       "The need for asynchronous distributed transactions", None)[0] \
        == "The need for asynchronous distributed transactions"
    assert read_fields("", ["J Hellerstein"], "Online aggregation", None)[0] == "Online aggregation"
    # DBLP's own records stay as they are: a volume of a series, a title of venue words beside an abbreviation
    for title, venue in (("Transactions on Computational Science XXXVI - Special Issue on Cyberworlds and "
                          "Cybersecurity", "Trans. Comput. Sci."),
                         ("Artificial-Intelligence-Enabled Intelligent 6G Networks", "IEEE Netw."),
                         ("Proceedings P2P 2009, Ninth International Conference on Peer-to-Peer Computing",
                          "Peer-to-Peer Computing")):
        assert read_fields(title, ["A Smith"], venue, 2009)[0] == title, title
    # a 'title' that only names a venue is as generic as 'Editorial'; one that mentions a venue is not
    assert features(rec("scholar", "v", "SIGMOD Conference", ["J Smith"])).generic
    assert not features(rec("dblp", "t", "TODS reviewers", ["R Snodgrass"])).generic


def test_titles_cut_at_the_end_are_compared_by_their_openings_and_titles_cut_at_the_front_by_their_ends():
    full = rec("dblp", "d", "Panel: future directions of database research - the VLDB broadening strategy, part 1",
               ["HJ Schek"], 2000)
    front = rec("scholar", "f", "… database research - the VLDB broadening strategy, part 1", ["HJ Schek"], 2000)
    assert features(front).cut_front and compare(full, front).outcome == "same"
    # cut where no three words of its opening can be found again: only its last words tell
    full = rec("dblp", "d2", "Future directions of the VLDB broadening strategy", ["HJ Schek"], 2000)
    front = rec("scholar", "f2", "… of the VLDB broadening strategy", ["HJ Schek"], 2000)
    assert compare(full, front).outcome == "same"
    # two titles cut at the end that only end alike are two papers
    a = rec("scholar", "a", "Extracting structured data from …", ["A Arasu", "H Garcia-Molina"])
    b = rec("scholar", "b", "Expiring data from …", ["W Labio", "H Garcia-Molina"])
    assert not features(a).cut_front and compare(a, b).components["title.squashed"] < 1.0
    # a cut title's last word is left out only where it may be a word cut short: two papers that open alike
    cut = rec("scholar", "c", "An introduction to deductive …", ["R Kotagiri", "J Harland"])
    other = rec("dblp", "o", "An introduction to Remy's fast polymorphic record projection", ["Limsoon Wong"], 1995)
    whole = rec("dblp", "w", "An introduction to deductive database languages and systems",
                ["Kotagiri Ramamohanarao", "James Harland"], 1994)
    assert compare(cut, other).outcome == "different" and compare(cut, whole).outcome == "same"
    assert compare(rec("scholar", "h", "An introduction to deduct …", ["R Kotagiri", "J Harland"]),
                   whole).outcome == "same"


def test_a_title_ending_in_a_colon_or_comma_was_cut_where_its_subtitle_or_list_went_on():
    cut = rec("scholar", "b", "XML and information retrieval:", ["D Carmel", "Y Maarek", "A Softer"], 2001,
              venue="SIGMOD Record")
    whole = rec("dblp", "a", "XML and information retrieval: a SIGIR 2000 workshop", [], 2001)
    assert features(cut).truncated and compare(cut, whole).outcome == "same"
    assert len(build_works([cut, whole], []).works) == 1                   # what the site lists: one work
    assert features(rec("scholar", "c", "Scheme, algorithms, and visualization,")).truncated
    assert features(rec("scholar", "f", "Mining the World Wide Web -")).truncated
    assert not features(rec("dblp", "d", "XML and information retrieval")).truncated
    assert not features(rec("dblp", "e", "Mining the World Wide Web - a survey")).truncated


def test_a_cut_title_with_a_journal_section_run_into_it_is_compared_from_where_both_titles_open():
    # two Scholar rows of Morris's profile, no authors: the section heading before the cut title made the openings
    # compared two different texts (title.squashed -0.33, title.lcs_short -0.48)
    sectioned = rec("scholar", "s", "MECHANISMS OF SIGNAL TRANSDUCTION-Involvement of Phospholipase D2 in "
                    "Lysophosphatidate-induced Transactivation of Platelet-deirived Growth Factor Receptor-b in Human "
                    "Bronchial …", (), 2003)
    plain = rec("scholar", "p", "Involvement of phospholipase D2 in lysophosphatidate-induced transactivation of "
                "platelet-derived growth factor receptor-β in human bronchial epithelial cells", (), 2003)
    terms = compare(sectioned, plain).components
    assert terms["title.squashed"] > 1.5 and terms["title.lcs_short"] > 1.5
    # an opening of common words ('a study of') found inside the other title does not count
    a = rec("scholar", "a", "An analysis of the …", ["J Smith"])
    b = rec("dblp", "b", "Fault tolerance: an analysis of the replication protocols", ["J Smith"], 2001)
    assert compare(a, b).components["title.squashed"] < 1.0


def test_a_double_surname_written_in_full_or_cut_to_its_first_part_is_one_author():
    # Spanish and Portuguese names: one source gives both surnames, another the first only
    for full, short in (("Fernando Berzal Galiano", "Fernando Berzal"),
                        ("José Luis García Pérez", "José Luis García")):
        a = rec("orcid", "a", "On the use of fuzzy association rules in data mining", [full], 2019,
                venue="Information Sciences")
        b = rec("openalex", "b", "On the use of fuzzy association rules in data mining", [short], 2019,
                venue="Information Sciences")
        d = compare(a, b)
        assert d.outcome == "same" and "authors.disjoint" not in d.components, (full, short)
    # two people who share no name still count as disjoint
    a = rec("orcid", "a", "On the use of fuzzy association rules in data mining", ["John Smith"], 2019)
    b = rec("openalex", "b", "On the use of fuzzy association rules in data mining", ["Mary Jones"], 2019)
    assert compare(a, b).components["authors.disjoint"] < 0


def test_a_missing_venue_counts_for_nothing_and_never_more_than_an_agreeing_one():
    nature = rec("openalex", "a", "Quantum supremacy using a programmable superconducting processor",
                 ["Frank Arute", "Kunal Arya"], 2019, venue="Nature")
    no_venue = rec("scholar", "b", "Quantum supremacy using a programmable superconducting processor",
                   ["F Arute", "K Arya"], 2019)
    also_nature = rec("scholar", "c", "Quantum supremacy using a programmable superconducting processor",
                      ["F Arute", "K Arya"], 2019, venue="Nature")
    missing, agreeing = compare(nature, no_venue), compare(nature, also_nature)
    assert not [name for name in missing.components if name.startswith("venue.") and " × " not in name]
    assert agreeing.components["venue.words"] > 0
    assert agreeing.total > missing.total


def test_conference_and_journal_versions_a_year_apart_are_not_merged_on_title_alone():
    conf = rec("openalex", "c", "Optimization of queries with user-defined predicates", ["S Chaudhuri", "K Shim"], 1996)
    jour = rec("openalex", "j", "Optimization of queries with user-defined predicates", ["S Chaudhuri", "K Shim"], 1999)
    assert compare(conf, jour).outcome != "same"


def test_blocking_finds_pairs_by_rare_words_and_ids_without_all_pairs():
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    recs = [rec("openalex", f"W{i}", f"{words[i // 10]}{words[i % 10]} methods for {words[i % 10]}{words[i // 5]} data",
                year=2020) for i in range(50)]
    recs.append(rec("scholar", "s1", "Alphahotel methods for hotelbravo data", year=2020))
    recs.append(rec("crossref", "c1", "Unrelated words", ids={"doi": "10.1/x"}))
    recs.append(rec("orcid", "o1", "Other unrelated words", ids={"doi": "10.1/X"}))
    feats = [features(r) for r in recs]
    pairs = block(feats, BlockingSettings(max_block=10))   # "methods", "data" are in every title
    assert (7, 50) in pairs
    assert (6, 50) not in pairs
    assert (51, 52) in pairs
    assert len(pairs) < len(recs) * (len(recs) - 1) // 2 // 5


# ---- the batch path equals the one-pair path ---------------------------------------------------------

def _varied_records():
    return [
        rec("openalex", "W1", "Query optimization for XML", ["Ana Silva", "B. Jones"], 2004, venue="VLDB",
            ids={"doi": "10.1145/1000001"}),
        rec("scholar", "s1", "Query optimisation for XML…", ["A Silva", "B Jones", "C Wu"], 2005, venue="Proc. VLDB"),
        rec("crossref", "c1", "Query optimization for XML", ["Ana Silva"], 2004, venue="The VLDB Journal",
            ids={"doi": "10.1007/s00778-004-0001"}),
        rec("arxiv", "2101.00001", "Query Optimization for XML Databases", ["Ana Silva", "Bob Jones"], 2003,
            type="preprint", ids={"arxiv": "2101.00001"}, published_doi="10.1145/1000001"),
        rec("orcid", "o1", "Editorial", ["J Carberry"], 2014, venue="RESI"),
        rec("orcid", "o2", "Editorial", ["J Carberry"], 2019, venue="RESI"),
        rec("scholar", "s2", "silvaa jonesb 2004 query optimization for xml", [], None),
        rec("openalex", "W2", "Part II: learning to rank", ["Wei Chen", "Li Wang", "Li Wang"], 2010, type="dataset"),
        rec("openalex", "W3", "Part I: learning to rank", ["Wei Chen", "Li Wang"], 2010),
        rec("crossref", "c2", "", ["Wei Chen"], 2010),
    ]


def test_score_pairs_equals_score_pair_by_pair_exactly():
    from pubsync.match import score, score_pairs
    feats = [features(r) for r in _varied_records()]
    pairs = [(i, j) for i in range(len(feats)) for j in range(len(feats)) if i != j]
    totals, reasons = score_pairs(feats, pairs)
    for (i, j), total, reason in zip(pairs, totals.tolist(), reasons):
        one, _, one_reason = score(feats[i], feats[j])
        assert total == one, (i, j)
        assert reason == one_reason
    assert {r.split(":")[0] for r in reasons} >= {"", "doi-conflict", "published-doi"}


def test_feature_rows_say_missing_and_part_numbers():
    import numpy as np

    from pubsync import matchmodel
    feats = [features(r) for r in _varied_records()]
    lefts = [a for a in feats for _ in feats]
    rights = [b for _ in feats for b in feats]
    rows = matchmodel.pair_rows(lefts, rights)
    assert np.isnan(rows[len(feats) * 9 + 0, 0])                       # an untitled record has no title similarity
    assert rows[0, 0] == 1.0 and rows[0, matchmodel.FEATURE_NAMES.index("authors.overlap")] == 1.0   # itself
    mismatch = matchmodel.FEATURE_NAMES.index("title.number_mismatch")
    assert rows[7 * len(feats) + 8, mismatch] == 1.0                    # 'part ii' vs 'part i'


def test_the_components_are_the_score_itself():
    """score() is the batch scorer on one pair: the components (prior, every model term, the rules that fired)
    add up to the total to the bit, and the batch gives the same total."""
    from pubsync.match import score, score_pairs
    feats = [features(r) for r in _varied_records()]
    pairs = [(i, j) for i in range(len(feats)) for j in range(len(feats)) if i != j]
    totals, _ = score_pairs(feats, pairs)
    for (i, j), batch_total in zip(pairs, totals.tolist()):
        total, comps, _ = score(feats[i], feats[j])
        assert sum(comps.values()) == total == batch_total
        assert "prior" in comps


def test_the_model_is_a_sum_of_table_lookups():
    """Read the shipped JSON by hand: for each pair row, look every term's bin up and add; no tree, no path."""
    import bisect

    import numpy as np

    from pubsync import matchmodel
    raw = json.loads(matchmodel.MODEL_PATH.read_text())
    rng = np.random.default_rng(3)
    rows = rng.uniform(0, 1, size=(200, len(matchmodel.FEATURE_NAMES)))
    rows[rng.uniform(size=rows.shape) < 0.2] = np.nan
    model = matchmodel.AdditiveModel.from_dict(raw)
    for row, total in zip(rows.tolist(), model.totals(rows).tolist()):
        by_hand = raw["prior"]
        for term in raw["terms"]:
            cell = term["scores"]
            for f, c in zip(term["features"], term["cuts"]):
                x = row[f]
                cell = cell[0 if x != x else 1 + bisect.bisect_right(raw["cuts"][c], x)]
            by_hand += cell
        assert abs(by_hand - total) < 1e-9


def test_more_title_or_author_agreement_never_lowers_the_score():
    import numpy as np

    from pubsync import matchmodel
    model = matchmodel.default_model()
    rng = np.random.default_rng(11)
    rows = rng.uniform(0, 1, size=(4000, len(matchmodel.FEATURE_NAMES)))
    rows[:, matchmodel.FEATURE_NAMES.index("title.min_words")] = rng.integers(1, 20, 4000)
    rows[:, matchmodel.FEATURE_NAMES.index("year.gap")] = rng.integers(0, 6, 4000)
    rows[rng.uniform(size=rows.shape) < 0.1] = np.nan
    for name in ("title.squashed", "title.words", "title.lcs_short", "title.containment", "title.jaccard",
                 "authors.overlap", "authors.fuzzy", "authors.initials", "authors.first", "authors.in_text"):
        f = matchmodel.FEATURE_NAMES.index(name)
        low = rows.copy()
        low[:, f] = rng.uniform(0, 1, 4000)
        high = low.copy()
        high[:, f] = np.minimum(1.0, low[:, f] + rng.uniform(0, 0.5, 4000))
        assert (model.totals(high) >= model.totals(low)).all(), name


def test_a_doi_conflict_never_raises_the_score():
    a = rec("crossref", "a", STREAMS, ["Minos Garofalakis", "Johannes Gehrke"], 2002, ids={"doi": "10.1145/1000001"})
    b = rec("crossref", "b", STREAMS, ["Minos Garofalakis", "Johannes Gehrke"], 2002)
    c = rec("crossref", "c", STREAMS, ["Minos Garofalakis", "Johannes Gehrke"], 2002, ids={"doi": "10.1145/1000002"})
    assert compare(a, c).total < compare(a, b).total
    assert compare(a, c).components["ids"] < 0 and compare(a, c).outcome == "different"


TUNING = "Database tuning: principles, experiments, and troubleshooting techniques"
STREAMS = "Querying and mining data streams: you only get one look"


def _venue_and_part_records():
    return [
        rec("dblp", "p1", TUNING + " (Part I)", ["Dennis Shasha", "Philippe Bonnet"], 2002, venue="SIGMOD Conference"),
        rec("dblp", "p2", TUNING + " (part II)", ["Dennis Shasha", "Philippe Bonnet"], 2002, venue="SIGMOD Conference"),
        rec("acm", "p2b", TUNING + " (Part 2)", ["Dennis Shasha", "Philippe Bonnet"], 2002,
            venue="International Conference on Management of Data"),
        rec("dblp", "s1", STREAMS, ["Minos N. Garofalakis", "Johannes Gehrke"], 2002, venue="VLDB"),
        rec("acm", "s2", STREAMS, ["Minos Garofalakis", "Johannes Gehrke"], 2002,
            venue="International Conference on Management of Data"),
        rec("dblp", "s3", STREAMS, ["Minos N. Garofalakis", "Johannes Gehrke"], 2002, venue="SIGMOD Conference"),
        rec("scholar", "s4", STREAMS, ["MN Garofalakis", "J Gehrke"], 2002, venue="VLDB"),
    ]


def test_titles_naming_different_parts_are_two_works():
    p1, p2, p2b = _venue_and_part_records()[:3]
    assert compare(p1, p2).outcome == "different"
    assert compare(p1, p2).components["title.parts"] < 0
    assert compare(p2, p2b).outcome == "same"                          # 'part ii' is 'Part 2'


def test_clean_records_at_two_known_venues_are_not_merged_on_title_alone():
    _, _, _, vldb, icmd, sigmod, scholar = _venue_and_part_records()
    assert compare(vldb, icmd).outcome != "same"                       # VLDB vs SIGMOD, both fully spelt
    assert compare(sigmod, icmd).outcome == "same"                     # 'SIGMOD Conference' is that conference
    assert compare(scholar, icmd).outcome == "same"                    # initials-only citations name wrong venues


def test_batch_scores_equal_one_pair_scores_with_part_and_venue_rules():
    from pubsync.match import score, score_pairs
    feats = [features(r) for r in _venue_and_part_records()]
    pairs = [(i, j) for i in range(len(feats)) for j in range(len(feats)) if i != j]
    totals, _ = score_pairs(feats, pairs)
    assert totals.tolist() == [score(feats[i], feats[j])[0] for i, j in pairs]


def test_words_run_together_in_one_title_count_as_the_other_titles_words():
    paper = rec("dblp", "a", "Describing and Using Query Capabilities of Heterogeneous Sources",
                ["Vasilis Vassalos", "Yannis Papakonstantinou"], 1997, venue="VLDB")
    spaced = rec("scholar", "s", "describing and using query capabilities of heterogeneous sources", [],
                 venue="Proceedings of International Conference on Very Large Data Bases")
    # a title read off a PDF that lost its spaces, with the author list mangled the same way ('… Vassalos and Y …')
    glued = rec("scholar", "g", "describing andusingquerycapabilities ofheterogeneous sources", ["V Vassalosandy"],
                venue="Proceedings of International Conference on Very Large Data Bases")
    for term in ("title.words", "title.containment", "title.jaccard"):
        assert compare(paper, glued).components[term] == compare(paper, spaced).components[term]
    assert compare(paper, glued).outcome == "same"
    # a possessive written apart is no word run together: 'editors' stays one word
    notes = compare(rec("dblp", "n1", "Editor's notes", year=2002), rec("acm", "n2", "Editors notes", year=2002))
    assert notes.components.get("title.containment", 0) < compare(
        rec("dblp", "n1", "Editors notes", year=2002), rec("acm", "n2", "Editors notes", year=2002)
    ).components.get("title.containment", 0)


def test_a_title_about_the_other_titles_subject_is_another_work():
    demo = rec("dblp", "d", "A System for Watermarking Relational Databases",
               ["Rakesh Agrawal", "Peter J. Haas", "Jerry Kiernan"], 2003, venue="SIGMOD Conference")
    paper = rec("scholar", "p", "Watermarking relational databases", ["R Agrawal", "J Kiernan"],
                venue="Proceedings of the 28th International Conference on Very Large Data Bases")
    d = compare(demo, paper)
    assert d.components["title.prefixed"] == -2.0 and d.outcome != "same"
    assert len(build_works([demo, paper], []).works) == 2                   # what the site lists: two works
    assert compare(paper, demo).components["title.prefixed"] == -2.0
    # a system's name, an opening 'On', a label ('Panel on'), a name run into a citation string's title: the
    # same paper
    for longer, shorter, people in (
            ("Fast-Start: quick fault recovery in Oracle", "Quick fault recovery in Oracle",
             ["Tirthankar Lahiri", "Amit Ganesh", "Ron Weiss", "Ashok Joshi"]),
            ("On shoring up persistent applications", "Shoring up persistent applications", ["Michael J. Carey"]),
            ("Panel on next generation database systems won't work without semantics",
             "Next generation database systems won't work without semantics", ["Michael Stonebraker"]),
            ("Rolf A. de By. From nested loop to join queries in OODB", "From nested loop to join queries in OODB",
             ["Hennie J. Steenhagen", "Peter M. G. Apers", "Henk M. Blanken", "Rolf A. de By"])):
        pair = [rec("dblp", "l", longer, people, 1994), rec("acm", "s", shorter, people, 1994)]
        d = compare(*pair)
        assert "title.prefixed" not in d.components and d.outcome == "same", (longer, d)
        assert len(build_works(pair, []).works) == 1
