"""DBLP: real person lists and BibTeX exports (read by hand), CoRR twins through the real merge, the person list over
the loopback replay server, the Anubis interstitial and DBLP's rate limit, and the CLI end to end."""
import re
import sqlite3

import pytest
from pybtex.database import parse_string

from pubsync.http import Blocked, HttpSession, HttpStatusError
from pubsync.merge import build_works
from pubsync.settings import SourceSettings
from pubsync.sources import SourceError, Target, dblp
from tests.clihelp import run
from tests.replay import ReplayServer, SkipClock

OBRAZTSOVA = "12_9925.xml"          # Svetlana Obraztsova, 44 records, 7 CoRR
ANUBIS = ('<!doctype html><html lang="en"><head><title>Making sure you&#39;re not a bot!</title>'
          '<script id="anubis_version" type="application/json">"v1.21.3"</script>'
          '<script id="anubis_challenge" type="application/json">{"challenge":"9f3c","rules":{"difficulty":4}}'
          '</script></head><body><h1 id="title">Making sure you&#39;re not a bot!</h1></body></html>')


def person_file(realdata, name):
    return realdata / "api/dblp/person" / name


def records(realdata, name, folder="person"):
    path = realdata / "api/dblp" / folder / name
    return {r.source_id: r for raw in dblp.load(path.read_bytes(), path.name) for r in dblp.parse(raw)}


def test_person_list_records(realdata):
    recs = records(realdata, OBRAZTSOVA)
    assert len(recs) == 44
    aaai = recs["conf/aaai/LevMOP19"]
    assert aaai.title == "Heuristic Voting as Ordinal Dominance Strategies"
    assert aaai.venue == "AAAI" and aaai.type == "conference-paper" and aaai.year == 2019
    assert [a.name for a in aaai.authors] == ["Omer Lev", "Reshef Meir", "Svetlana Obraztsova", "Maria Polukarov"]
    assert aaai.authors[2].dblp == "12/9925" and aaai.ids["dblp"] == "conf/aaai/LevMOP19"
    corr = recs["journals/corr/abs-1811-05529"]
    assert corr.type == "preprint" and corr.ids["arxiv"] == "1811.05529" and "doi" not in corr.ids
    assert corr.year == 2018 and corr.venue == "arXiv"
    journal = recs["journals/ai/ElkindGORV21"]
    assert journal.type == "journal-article" and journal.venue == "Artif. Intell." and journal.year == 2021
    assert journal.title == "Protecting elections by recounting ballots"
    assert journal.ids["doi"].startswith("10.1016/j.artint.2020.10")


def test_disambiguated_names_keep_their_pid(realdata):
    recs = records(realdata, "95_378.xml")
    rec = recs["conf/iclr/Bresson018"]
    laurent = [a for a in rec.authors if a.dblp == "47/8889-1"][0]
    assert laurent.name == "Thomas Laurent" and laurent.family == "Laurent"      # "Thomas Laurent 0001" on DBLP


def test_iclr_openreview_and_its_corr_twin_are_one_work_shown_as_iclr(realdata):
    recs = records(realdata, "64_4136.xml")
    iclr, corr = recs["conf/iclr/ChanTOF20"], recs["journals/corr/abs-1912-10185"]
    assert iclr.links["openreview"] == "https://openreview.net/forum?id=Hke0V1rKPS" and "doi" not in iclr.ids
    works = build_works([iclr, corr], []).works
    assert len(works) == 1
    work = works[0]
    assert work.venue == "ICLR 2020" and work.year == 2020 and work.type == "conference-paper"
    assert work.links["arxiv"] == "https://arxiv.org/abs/1912.10185"
    assert work.extra["venue_full"] == "International Conference on Learning Representations"
    assert work.extra["abbr"] == "ICLR"


def test_venue_short_names_findings_and_parts(realdata):
    recs = records(realdata, "64_4136.xml")
    findings = build_works([recs["conf/emnlp/ChanTOZ20"]], []).works[0]           # booktitle "EMNLP (Findings)"
    assert findings.venue == "Findings of EMNLP 2020"
    bresson = build_works([records(realdata, "95_378.xml")["conf/iclr/Bresson018"]], []).works[0]
    assert bresson.venue == "ICLR Workshop 2018"                                  # "ICLR (Workshop)"


def test_corr_twins_merge_into_their_conference_versions(realdata):
    """Expected clusters read off 12_9925.xml by hand. Seven CoRR records: five share their title with a conference
    paper (one work each, the conference venue shown, the arXiv link kept); 'Lie on the Fly: Strategic Voting…'
    (1905.04933) has no published twin; 'Between Discord and Deadlock' (1905.07173) is the preprint of the 2021
    journal paper 'Reaching consensus under a deadline', titles too different to merge unasked. Three titles appear
    at two conferences (AAMAS and ADT 2015, AAAI and AAMAS 2012, AAMAS and IJCAI 2011): two publications each. The
    IJCAI 2019 paper and its 2021 Artificial Intelligence journal version are two works. 44 records − 5 = 39 works."""
    recs = list(records(realdata, OBRAZTSOVA).values())
    result = build_works(recs, [])
    clusters = sorted(sorted(w.records) for w in result.works if len(w.records) > 1)
    assert clusters == [
        ["dblp:conf/aaai/BredereckCNOT17", "dblp:journals/corr/BredereckCNOT16"],
        ["dblp:conf/aaai/LevMOP19", "dblp:journals/corr/abs-1811-05529"],
        ["dblp:conf/atal/LuZROV19", "dblp:journals/corr/abs-1911-12472"],
        ["dblp:conf/ijcai/ElkindGORV19", "dblp:journals/corr/abs-1906-07071"],
        ["dblp:conf/sagt/ElkindMOS15", "dblp:journals/corr/ElkindMOS14"],
    ]
    assert len(result.works) == 39
    by_record = {ref: w for w in result.works for ref in w.records}
    teams = by_record["dblp:conf/aaai/BredereckCNOT17"]
    assert teams.venue == "AAAI 2017" and teams.links["arxiv"] == "https://arxiv.org/abs/1611.08892"
    assert by_record["dblp:conf/sagt/ElkindMOS15"].venue == "SAGT 2015"          # not in the table: DBLP's name
    assert by_record["dblp:journals/ai/ElkindGORV21"] is not by_record["dblp:conf/ijcai/ElkindGORV19"]
    assert by_record["dblp:journals/ai/ElkindGORV21"].extra["abbr"] == "AIJ"
    assert by_record["dblp:journals/corr/abs-1905-04933"].type == "preprint"


def test_two_arxiv_submissions_of_different_titles_stay_two_works(realdata):
    """Expected clusters read off the lists by hand. s_CZSun.xml: four CoRR records of one series ('Real Differences
    between OT and CRDT …') and two PACMHCI papers; each paper joins the preprint of its own title, and the 2018
    and 'Building Co-Editing Systems' preprints stay works of their own. Before, the short 2018 title read inside
    the others and pulled three preprints and a paper into one work. 51_3710-3.xml: 'subgraph2vec' and 'graph2vec'
    are two papers. 99_4535.xml: 'RAPPER' posted twice under one title is one work, and the Givens-rotation preprint
    is not the Householder paper."""
    def clusters(name, words):
        recs = records(realdata, name)
        return sorted(sorted(w.records) for w in build_works(list(recs.values()), []).works
                      if any(words in recs[ref.split(":", 1)[1]].title for ref in w.records))

    assert clusters("s_CZSun.xml", "Real Differences between OT and CRDT") == [
        ["dblp:journals/corr/abs-1810-02137"],
        ["dblp:journals/corr/abs-1905-01302", "dblp:journals/pacmhci/SunSNC20"],
        ["dblp:journals/corr/abs-1905-01517"],
        ["dblp:journals/corr/abs-1905-01518", "dblp:journals/pacmhci/SunSNCC20"],
    ]
    assert clusters("51_3710-3.xml", "graph2vec") == [["dblp:journals/corr/NarayananCCLS16"],
                                                      ["dblp:journals/corr/NarayananCVCLJ17"]]
    assert clusters("99_4535.xml", "RAPPER") == [["dblp:journals/corr/abs-1802-03909",
                                                   "dblp:journals/corr/abs-2004-01712"]]
    assert clusters("99_4535.xml", "for Acceleration of QR Factorization") == [
        ["dblp:journals/corr/MerchantVCRNN16a", "dblp:journals/tpds/MerchantVCRNN18"],
        ["dblp:journals/corr/abs-1803-05320"]]


def test_icde_extended_abstracts_link_to_their_tkde_papers(realdata):
    """33_3180.xml, read by hand: ICDE 2018 prints two 'Extended Abstract's of TKDE papers of the same title (own
    DOIs). Four publications, four works; each abstract links to its paper ('full version') and back."""
    by_record = {ref: w for w in build_works(list(records(realdata, "33_3180.xml").values()), []).works
                 for ref in w.records}
    abstract, paper = by_record["dblp:conf/icde/HanSCZJP18"], by_record["dblp:journals/tkde/HanSCZJP18"]
    assert abstract is not paper
    assert abstract.links["full_version"] == "https://doi.org/10.1109/tkde.2017.2758780"
    assert paper.links["short_version"] == "https://doi.org/10.1109/icde.2018.00239"
    knn = by_record["dblp:conf/icde/0007BCSC18"]
    assert knn.links["full_version"] == "https://doi.org/10.1109/tkde.2017.2776268"
    assert not {"extended_version", "earlier_version"} & (set(abstract.links) | set(knn.links))


@pytest.mark.parametrize("name", ["limaye_standard.bib", "limaye_condensed.bib", "limaye_withcrossref.bib"])
def test_bibtex_exports_in_all_three_styles(realdata, name):
    recs = records(realdata, name, "bib")
    assert len(recs) == 118                              # the crossref'ed proceedings are not Limaye's papers
    stoc = recs["conf/stoc/FournierL0T24"]
    assert stoc.title == "On the Power of Homogeneous Algebraic Formulas" and stoc.year == 2024
    assert [a.name for a in stoc.authors] == ["Hervé Fournier", "Nutan Limaye", "Srikanth Srinivasan",
                                              "Sébastien Tavenas"]
    assert stoc.type == "conference-paper"
    assert stoc.ids.get("doi") == (None if name == "limaye_condensed.bib" else "10.1145/3618260.3649760")
    corr = recs["journals/corr/abs-2408-03465"]
    assert corr.type == "preprint" and corr.ids["arxiv"] == "2408.03465" and "doi" not in corr.ids
    assert build_works([stoc], []).works[0].venue == "STOC 2024"


def test_bibtex_conference_corr_pairs_merge(realdata):
    recs = list(records(realdata, "vaidhyanathan_standard_as_alfolio_bibliography.bib", "bib").values())
    result = build_works(recs, [])
    assert len(recs) == 32
    pairs = sorted(sorted(w.records) for w in result.works if len(w.records) > 1)
    assert pairs == [["dblp:conf/icse-wain/MucciniV21", "dblp:journals/corr/abs-2103-07950"],
                     ["dblp:conf/kbse/KulkarniMV23", "dblp:journals/corr/abs-2308-09960"],
                     ["dblp:conf/seams/MardaKV24", "dblp:journals/corr/abs-2402-06351"]]
    venues = {w.records[0]: w.venue for w in result.works}
    assert venues["dblp:conf/seams/MardaKV24"] == "SEAMS 2024"
    assert venues["dblp:conf/kbse/KulkarniMV23"] == "ASE 2023"
    assert venues["dblp:conf/icse-wain/MucciniV21"] == "WAIN@ICSE 2021"


def test_garbage_and_saved_interstitial_are_refused():
    with pytest.raises(Blocked, match="not a bot"):
        dblp.load(ANUBIS.encode(), "dblp.html")
    with pytest.raises(SourceError, match="not XML"):
        dblp.load(b"<dblpperson><r>", "broken.xml")
    with pytest.raises(SourceError, match="save the person list as XML"):
        dblp.load(b"<!DOCTYPE html><html><head><title>dblp: Svetlana Obraztsova</title></head></html>", "p.html")
    with pytest.raises(SourceError, match="not a DBLP person list"):
        dblp.load(b"<feed/>", "other.xml")


# ---- network path --------------------------------------------------------------------------

def dblp_session(server, clock=None, **kw):
    return HttpSession(SourceSettings("dblp", base_url=server.url, retries=2, **kw), clock=clock or SkipClock(),
                       blocked=dblp.blocked)


def test_one_request_per_person(realdata):
    with ReplayServer() as server:
        server.add("/pid/12/9925.xml", person_file(realdata, OBRAZTSOVA).read_bytes(),
                   headers={"Content-Type": "application/xml"})
        with dblp_session(server) as s:
            result = dblp.fetch(s, Target("p", dblp="https://dblp.org/pid/12/9925.html"), {})
    assert result.requests == 1 == dblp.requests_bound(1) and len(result.raws) == 44
    assert result.person_name == "Svetlana Obraztsova" and result.complete


@pytest.mark.parametrize("orcid,warned", [("0000-0003-0764-4258", False), ("0000-0002-1825-0097", True)])
def test_a_pid_whose_verified_orcid_is_someone_elses_is_flagged(realdata, caplog, orcid, warned):
    """78_5155.xml (Aixin Sun) lists the verified ORCID iD 0000-0003-0764-4258 in its <person> record."""
    with ReplayServer() as server:
        server.add("/pid/78/5155.xml", person_file(realdata, "78_5155.xml").read_bytes(),
                   headers={"Content-Type": "application/xml"})
        with dblp_session(server) as s, caplog.at_level("WARNING", logger="pubsync.sources.dblp"):
            dblp.fetch(s, Target("p", orcid=orcid, dblp="78/5155"), {})
    assert [r.getMessage() for r in caplog.records] == ([
        "dblp: the DBLP person 78/5155 lists ORCID iD 0000-0003-0764-4258, not 0000-0002-1825-0097; check the "
        "dblp pid in the config"] if warned else [])


@pytest.mark.parametrize("status", [200, 401])
def test_anubis_interstitial_fails_at_once(status):
    with ReplayServer() as server:
        server.add("/pid/12/9925.xml", ANUBIS, status=status, headers={"Content-Type": "text/html"})
        with dblp_session(server) as s, pytest.raises(Blocked) as e:
            dblp.fetch(s, Target("p", dblp="12/9925"), {})
    assert len(server.requests) == 1                         # never retried
    message = str(e.value)
    assert "\n" not in message and "not a bot" in message and "pubsync import dblp" in message


def test_429_retry_after_is_honoured(realdata):
    clock = SkipClock()
    with ReplayServer() as server:
        server.add("/pid/12/9925.xml", "Too Many Requests", status=429, headers={"Retry-After": "17"})
        server.add("/pid/12/9925.xml", person_file(realdata, OBRAZTSOVA).read_bytes(),
                   headers={"Content-Type": "application/xml"})
        with dblp_session(server, clock) as s:
            result = dblp.fetch(s, Target("p", dblp="12/9925"), {})
    assert len(server.requests) == 2 and 17.0 in clock.slept and len(result.raws) == 44


def test_429_beyond_the_retries_fails_the_source_in_one_line():
    with ReplayServer() as server:
        server.add("/pid/12/9925.xml", "Too Many Requests", status=429, headers={"Retry-After": "5"})
        with dblp_session(server) as s, pytest.raises(HttpStatusError) as e:
            dblp.fetch(s, Target("p", dblp="12/9925"), {})
    assert len(server.requests) == 3 and "HTTP 429" in str(e.value) and "\n" not in str(e.value)


# ---- the CLI, end to end -------------------------------------------------------------------

CONFIG = """[site]
kind = "al-folio"

[[people]]
name = "Svetlana Obraztsova"
dblp = "12/9925"

[sources.orcid]
enabled = false
[sources.openalex]
enabled = false
[sources.arxiv]
enabled = false
"""


def test_pull_dblp_then_interstitial_keeps_the_records_and_exits_3(realdata, tmp_path):
    (tmp_path / "config.toml").write_text(CONFIG)
    with ReplayServer() as server:
        env = {"PUBSYNC_DBLP_URL": server.url}
        server.add("/pid/12/9925.xml", person_file(realdata, OBRAZTSOVA).read_bytes(),
                   headers={"Content-Type": "application/xml"})
        first = run("sync", cwd=tmp_path, env=env)
        assert first.returncode == 0, first.stderr
        bib = parse_string((tmp_path / "_bibliography/papers.bib").read_text(encoding="utf-8")
                           .removeprefix("---\n---\n"), "bibtex")
        # every one of the 39 works carries her DBLP pid on an authorship: confirmed, none held back
        assert len(bib.entries) == 39
        venues = {e.fields.get("booktitle") for e in bib.entries.values()}
        assert {"AAAI 2019", "IJCAI 2019", "AAMAS 2019"} <= venues

        server.clear()
        server.add("/pid/12/9925.xml", ANUBIS, status=401, headers={"Content-Type": "text/html"})
        second = run("sync", cwd=tmp_path, env=env)
    assert second.returncode == 3
    lines = [line for line in second.stderr.splitlines() if "dblp" in line]
    assert len(lines) == 1 and "not a bot" in lines[0] and "pubsync import dblp" in lines[0]
    assert "Traceback" not in second.stderr
    db = sqlite3.connect(tmp_path / "data/pubsync.db")
    assert db.execute("SELECT count(*) FROM raw_records WHERE source = 'dblp'").fetchone()[0] == 44


def test_import_dblp_xml_and_bibtex(realdata, tmp_path):
    xml = run("import", "dblp", str(person_file(realdata, OBRAZTSOVA)), cwd=tmp_path)
    assert xml.returncode == 0, xml.stderr
    assert "dblp: imported 44 records" in xml.stdout and "into 39 works" in xml.stdout
    bib = run("import", "dblp", str(realdata / "api/dblp/bib/limaye_withcrossref.bib"), "--profile", "limaye",
              cwd=tmp_path)
    assert bib.returncode == 0, bib.stderr and "dblp: imported 118 records" in bib.stdout
    page = tmp_path / "saved.html"
    page.write_text(ANUBIS)
    refused = run("import", "dblp", str(page), cwd=tmp_path)
    assert refused.returncode == 2 and "not a bot" in refused.stderr and "Traceback" not in refused.stderr


def test_an_authorship_with_the_persons_pid_confirms_attribution(realdata):
    from pubsync.attribution import attribute
    from pubsync.curation import Curation
    from pubsync.settings import Person
    recs = records(realdata, OBRAZTSOVA)
    works = build_works(list(recs.values()), []).works
    owners = {f"dblp:{sid}": {"so"} for sid in recs}
    for w in works:
        w.people = ["so"]
    person = Person("Svetlana Obraztsova", key="so", dblp="12/9925")
    attribute(works, {f"dblp:{sid}": r for sid, r in recs.items()}, owners, [person], Curation())
    assert all(w.attribution["so"]["by"] == "identifier" for w in works)
    aaai = next(w for w in works if "dblp:conf/aaai/LevMOP19" in w.records)
    assert "an authorship carries their DBLP person id 12/9925 (dblp:conf/aaai/LevMOP19)" in \
        aaai.attribution["so"]["evidence"]
    namesake = Person("Svetlana Obraztsova", key="so", dblp="12/9926")          # another pid: nothing confirmed
    for w in works:
        w.attribution = {}
    attribute(works, {f"dblp:{sid}": r for sid, r in recs.items()}, owners, [namesake], Curation())
    assert not any(w.attribution["so"].get("by") == "identifier" for w in works)


def test_bad_ids_are_usage_errors_in_one_line(tmp_path):
    flag = run("pull", "--dblp", "Svetlana Obraztsova", cwd=tmp_path)
    assert flag.returncode == 2 and "--dblp" in flag.stderr and "62/2078" in flag.stderr
    assert "Traceback" not in flag.stderr and len(flag.stderr.strip().splitlines()) == 1
    (tmp_path / "config.toml").write_text('[[people]]\nname = "S O"\ndblp = "dblp.org/Obraztsova"\n'
                                          'semanticscholar = "someone"\n')
    config = run("pull", cwd=tmp_path)
    assert config.returncode == 2 and "dblp" in config.stderr and "config.toml" in config.stderr
    assert "Traceback" not in config.stderr
    (tmp_path / "empty").mkdir()
    s2 = run("pull", "--semanticscholar", "abc", cwd=tmp_path / "empty")
    assert s2.returncode == 2 and "--semanticscholar" in s2.stderr and "Traceback" not in s2.stderr


def test_corr_twins_merge_across_all_81_real_person_lists(realdata):
    """benchmarks/dblp.py over every recorded person list: 639 of the 649 CoRR records that share their title with
    a published record of the same list join it (2026-12); the bar is 97 %."""
    import subprocess
    import sys
    from pathlib import Path
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "dblp.py"
    out = subprocess.run([sys.executable, str(script), "--realdata", str(realdata)], capture_output=True, text=True,
                         timeout=600, check=True).stdout
    m = re.search(r"81 person lists: (\d+) records -> (\d+) works; CoRR twins merged (\d+) of (\d+)", out)
    assert m, out
    records, works, merged, twins = map(int, m.groups())
    assert records == 12278                      # the <r> elements of the 81 files (grep -c '^<r>')
    assert twins > 600 and merged / twins >= 0.97 and works < records
