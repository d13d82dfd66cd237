from pubsync.citekeys import anchors, assign_keys, base_key
from pubsync.records import Author, Work


def work(title, family="He", year=2024, records=(), **ids):
    return Work(key="", title=title, authors=[Author(f"Yifei {family}")], year=year, records=list(records), ids=ids)


def test_key_is_lastname_year_first_non_stop_word_in_ascii():
    assert base_key(work("Localize-and-Stitch: Efficient Model Merging")) == "he2024localize"
    assert base_key(work("On the Theory of Pots", family="Müller", year=2019)) == "muller2019theory"
    assert base_key(Work(key="", title="A Łódź study", authors=[Author("Carberry, Josiah")], year=2021)) == \
        "carberry2021lodz"
    assert base_key(Work(key="", title="The", authors=[], year=None)) == "anon"


def test_collisions_get_a_b_suffixes_whatever_the_input_order():
    a = work("Deep pots", records=["orcid:1"])
    b = work("Deep cracks", records=["orcid:2"])
    c = work("Deep learning", records=["orcid:3"])
    assign_keys([c, a, b], {})
    first = {w.records[0]: w.key for w in (a, b, c)}
    assign_keys([a, b, c], {})
    assert {w.records[0]: w.key for w in (a, b, c)} == first
    assert sorted(first.values()) == ["he2024deep", "he2024deepa", "he2024deepb"]


def test_key_never_changes_once_assigned_even_after_a_title_correction():
    w = work("Psychoceramic pots", records=["orcid:10"], doi="10.5555/x")
    persisted = assign_keys([w], {})
    assert w.key == "he2024psychoceramic"
    assert persisted == {"doi:10.5555/x": "he2024psychoceramic", "orcid:10": "he2024psychoceramic"}
    corrected = work("Psychoceramics, corrected", records=["openalex:W1"], doi="10.5555/x")
    again = assign_keys([corrected], persisted)
    assert corrected.key == "he2024psychoceramic"
    assert again["openalex:W1"] == "he2024psychoceramic"


def test_a_new_work_never_takes_a_key_remembered_for_a_hidden_work():
    new = work("Deep pots", records=["orcid:2"])
    assign_keys([new], {"orcid:1": "he2024deep"})
    assert new.key == "he2024deepa"


def test_split_work_the_one_with_more_anchors_keeps_the_key():
    previous = {"orcid:1": "he2024deep", "openalex:W1": "he2024deep", "arxiv:2401.00001": "he2024deep"}
    big = work("Deep pots", records=["orcid:1", "openalex:W1"])
    small = work("Deep pots (preprint)", records=[], arxiv="2401.00001")
    assign_keys([small, big], previous)
    assert big.key == "he2024deep"
    assert small.key == "he2024deepa"


def test_anchors_are_record_refs_and_doi_arxiv_ids():
    w = work("x", records=["orcid:5"], doi="10.1/ABC", arxiv="2101.00001", openalex="W9")
    assert anchors(w) == ["arxiv:2101.00001", "doi:10.1/abc", "orcid:5"]
