"""Venues people recognise: the table's keys, the display venue the merge gives a work, and curation winning."""
import json

from pubsync import venues
from pubsync.curation import Curation, WorkCuration, apply_curation
from pubsync.merge import build_works
from pubsync.sources import dblp, openalex, semanticscholar

ICLR_DBLP = "64_4136.xml"       # Yew-Soon Ong: conf/iclr/ChanTOF20, the OpenReview-only ICLR 2020 paper


def test_table_keys():
    assert venues.lookup(dblp_stream="conf/iclr").abbr == "ICLR"
    assert venues.lookup(dblp_stream="conf/nips").abbr == "NeurIPS"
    assert venues.lookup(issn="1532-4435") == venues.lookup(dblp_stream="journals/jmlr")
    assert venues.lookup(issn="2835-8856").abbr == "TMLR" and venues.lookup(issn="2835-8856").kind == "journal"
    # names as the services print them: the proceedings prefix, ordinals and years do not matter
    assert venues.lookup(name="Proceedings of the 2022 IEEE/CVF Conference on Computer Vision and Pattern "
                              "Recognition").abbr == "CVPR"
    assert venues.lookup(name="Advances in Neural Information Processing Systems 36").abbr == "NeurIPS"
    assert venues.lookup(name="Cell") is None and venues.lookup() is None


def test_free_text_venues_are_recognised_under_their_spellings():
    # the longest name the text holds wins: the newsletter is not the conference, the journal not the conference
    assert venues.known_venue("SIGMOD Conference") == venues.known_venue("International Conference on Management "
                                                                        "of Data") == "sigmod"
    assert venues.known_venue("proc . acm sigmod int . conf . on management of data ,") == "sigmod"
    assert venues.known_venue("ACM SIGMOD Record") == "sigmod record"
    assert venues.known_venue("VLDB") == venues.known_venue("Very Large Data Bases") == "vldb"
    assert venues.known_venue("The VLDB Journal -- The International Journal on Very Large Data Bases") == "vldbj"
    assert venues.known_venue("VLDB J.") == venues.known_venue("VLDB Journal") == "vldbj"
    assert venues.known_venue("ACM Trans. Database Syst.") == venues.known_venue("ACM Transactions on Database "
                                                                                 "Systems (TODS)") == "tods"
    assert venues.known_venue("ACM SIGMOD-SIGACT-SIGART Symposium on Principles of Database Systems") == "pods"
    # a venue Scholar cut short names the venue whose name it starts
    assert venues.known_venue("Proceedings of the 20th International Conference on Very Large …") == "vldb"
    assert venues.known_venue("Ethics and Information Technology") == venues.known_venue("") == ""
    # the kind: the table's for a venue it knows, else the words
    assert venues.venue_kind("VLDB J.") == "journal" and venues.venue_kind("SIGMOD Conference") == "conference"
    assert venues.venue_kind("Proceedings of the National Academy of Sciences") == "journal"
    assert venues.venue_kind("Proc. of the 3rd Workshop on Things") == "conference"
    assert venues.venue_kind("Ethics and Information Technology") == ""


def test_table_is_well_formed():
    from importlib import resources
    data = json.loads(resources.files("pubsync").joinpath("venues.json").read_text(encoding="utf-8"))
    abbrs = [v["abbr"] for v in data["venues"]]
    assert len(abbrs) == len(set(abbrs))
    assert all(v["kind"] in ("conference", "journal") and v["name"] for v in data["venues"])
    streams = [s for v in data["venues"] for s in v.get("dblp", [])]
    assert len(streams) == len(set(streams))


def test_an_iclr_paper_openalex_knows_only_as_arxiv_shows_as_iclr(realdata):
    """DBLP's real ICLR 2020 record (OpenReview link, no DOI) and an OpenAlex work shaped like OpenAlex's arXiv-only
    works (Denner's W3039729780: arXiv DataCite DOI, type preprint, source 'arXiv (Cornell University)')."""
    path = realdata / "api/dblp/person" / ICLR_DBLP
    iclr = [r for raw in dblp.load(path.read_bytes(), path.name) for r in dblp.parse(raw)
            if r.source_id == "conf/iclr/ChanTOF20"]
    work = {"id": "https://openalex.org/W2995000001", "doi": "https://doi.org/10.48550/arxiv.1912.10185",
            "title": "Jacobian Adversarially Regularized Networks for Robustness", "publication_year": 2019,
            "publication_date": "2019-12-21", "type": "preprint",
            "primary_location": {"landing_page_url": "http://arxiv.org/abs/1912.10185",
                                 "source": {"display_name": "arXiv (Cornell University)", "type": "repository"}},
            "authorships": [{"author": {"display_name": n}} for n in ("Alvin Chan", "Yi Tay", "Yew-Soon Ong",
                                                                       "Jie Fu")]}
    preprint = openalex.parse(openalex.load(json.dumps(work).encode(), "w.json")[0])
    assert preprint[0].type == "preprint" and preprint[0].venue == "arXiv (Cornell University)"
    works = build_works(iclr + preprint, []).works
    assert len(works) == 1
    shown = works[0]
    assert shown.venue == "ICLR 2020" and shown.type == "conference-paper" and shown.year == 2020
    assert shown.links["arxiv"] == "https://arxiv.org/abs/1912.10185"
    assert shown.links["openreview"] == "https://openreview.net/forum?id=Hke0V1rKPS"


def test_an_unknown_venue_keeps_its_full_title(realdata):
    from tests.replay import read_cassette
    body = read_cassette(realdata / "api/semanticscholar/s2py_2023-12_cassette_author_papers_879_paginated_full_fields.yml")[0].body
    cell = [r for raw in semanticscholar.load(body, "p.json") for r in semanticscholar.parse(raw)
            if r.ids.get("doi") == "10.1016/j.cell.2023.07.014"]
    work = build_works(cell, []).works[0]
    assert work.venue == "Cell" and "abbr" not in work.extra and "venue_full" not in work.extra


def test_curation_wins_over_the_display_venue(realdata):
    path = realdata / "api/dblp/person" / ICLR_DBLP
    iclr = [r for raw in dblp.load(path.read_bytes(), path.name) for r in dblp.parse(raw)
            if r.source_id == "conf/iclr/ChanTOF20"]
    work = build_works(iclr, []).works[0]
    work.key = "chan2020jacobian"
    curation = Curation(works={"chan2020jacobian": WorkCuration(pin={"venue": "ICLR 2020 (Spotlight)"},
                                                                 extra={"abbr": "ICLR'20"})})
    apply_curation([work], curation)
    assert work.venue == "ICLR 2020 (Spotlight)" and work.extra["abbr"] == "ICLR'20"
