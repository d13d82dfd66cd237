"""Real profiles merged as a careful human would (expected clusters read by hand from realdata/api)."""
from pubsync.merge import build_works
from pubsync.sources import crossref, openalex, orcid, scholar


def records(realdata, module, name):
    out = []
    path = realdata / "api" / name
    for raw in module.load(path.read_bytes(), path.name):
        out.extend(module.parse(raw))
    return out


def work_of(works, ref):
    return next(w for w in works if ref in w.records)


def test_denner_profile(realdata):
    recs = (records(realdata, orcid, "orcid/denner_2025-03_v3.0_works_0000-0002-4481-0115.utf8.json")
            + records(realdata, openalex, "openalex/denner_2025-11_works_list_author.id_A5003721947_results_only.json")
            + records(realdata, crossref, "crossref/denner_2025-11_crossref_works_by_doi_52.json"))
    result = build_works(recs, [], owners={r.ref: ["0000-0002-4481-0115"] for r in recs})
    works = result.works
    ai = work_of(works, "openalex:W3154266813")
    assert set(ai.records) == {"openalex:W3154266813", "crossref:10.1007/s10676-021-09593-z", "orcid:92540647"}
    assert ai.ids["doi"] == "10.1007/s10676-021-09593-z" and ai.year == 2021
    # arXiv preprint records OpenAlex lists twice join the published conference paper
    hicss = work_of(works, "crossref:10.24251/hicss.2020.341")
    assert {"openalex:W3038626392", "openalex:W4287748605"} <= set(hicss.records)
    assert hicss.ids["arxiv"] == "2006.16944" and hicss.type == "conference-paper"
    # JMIR preprint DOI + journal DOI + the ORCID summaries: one work, journal metadata
    jmir = work_of(works, "crossref:10.2196/32274")
    assert "crossref:10.2196/preprints.32274" in jmir.records and jmir.ids["doi"] == "10.2196/32274"
    # ORCID BASE summaries whose title carries its translations join the DOI'd article
    study = work_of(works, "crossref:10.1016/j.rausp.2017.05.005")
    assert {"orcid:67836395", "orcid:67836439", "orcid:67836551"} <= set(study.records)
    # a DOI with a doubled prefix still names the article
    assert "orcid:67836382" in work_of(works, "crossref:10.4301/s1807-17752014000200005").records
    # two editorials in two journals stay apart, and the figshare data set is not its paper
    assert work_of(works, "crossref:10.21529/resi.2014.1302000") is not work_of(works, "crossref:10.5329/resi.2014.1302000")
    assert work_of(works, "openalex:W4394180620") is not study
    assert all(w.people == ["0000-0002-4481-0115"] for w in works)
    assert all(len(w.records) == len(set(w.records)) for w in works)
    assert sum(len(w.records) for w in works) == len({r.ref for r in recs})


def test_morris_profile(realdata):
    recs = (records(realdata, orcid, "orcid/acadtracker_v2.0_works_0000-0003-1910-4865_AJMorris.json")
            + records(realdata, scholar, "scholar/acadtracker_scholarly_author_filled_-j7fxnEAAAAJ_AJMorris.json")
            + records(realdata, crossref, "crossref/acadtracker_item_extracted_10.1042_bsr20181883_AJMorris.json"))
    works = build_works(recs, []).works
    expected = {   # ORCID put-code -> Scholar paper id (MANIFEST cross-source table, checked by title)
        "orcid:103274663": "scholar:27LrP4qxOz0C",   # Cell Reports 2021
        "orcid:97311572": "scholar:-uzm3Y7AvW0C",    # J Chromatogr A 2021
        "orcid:88590089": "scholar:c1e4I3QdEKYC",    # JCI Insight 2021
        "orcid:67642178": "scholar:g5Ck-dwhA_QC",    # JCI 2020
        "orcid:63815101": "scholar:Xl6nMSl579sC",    # J Lipid Res 2019
        "orcid:63815100": "scholar:rbm3iO8VlycC",    # Biosci Rep 2019
    }
    for orcid_ref, scholar_ref in expected.items():
        w = work_of(works, orcid_ref)
        assert scholar_ref in w.records, (orcid_ref, w.records)
        assert len([r for r in w.records if r.startswith("orcid:")]) == 1
    bsr = work_of(works, "orcid:63815100")
    assert "crossref:10.1042/bsr20181883" in bsr.records and bsr.ids["doi"] == "10.1042/bsr20181883"
