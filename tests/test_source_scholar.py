"""Google Scholar: the real Einstein rows, scholarly JSON, paging and blocks through the replay server."""
import re

import pytest

from pubsync.http import Blocked, HttpSession
from pubsync.settings import SourceSettings
from pubsync.sources import SourceError, Target, scholar
from tests.replay import ReplayServer, SkipClock, SyntheticProfile

EINSTEIN = "gssa_2021-11_profile_tbody_rows_qc6CJjYAAAAJ_Einstein.html"


def load_file(realdata, name):
    path = realdata / "api/scholar" / name
    return scholar.load(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def einstein(realdata):
    return {r.source_id: r for raw in load_file(realdata, EINSTEIN) for r in scholar.parse(raw)}


def test_einstein_fragment_rows(realdata, einstein):
    text = (realdata / "api/scholar" / EINSTEIN).read_text(encoding="utf-8")
    assert len(einstein) == text.count('class="gsc_a_tr"') == 1114
    epr = einstein["qyhmnyLat1gC"]
    assert epr.title == "Can quantum-mechanical description of physical reality be considered complete?"
    assert [a.name for a in epr.authors] == ["A Einstein", "B Podolsky", "N Rosen"] and epr.authors_complete
    assert epr.venue == "Physical Review 47 (10), 777" and epr.year == 1935 and epr.citations == 20996
    assert epr.ids == {"scholar": "qc6CJjYAAAAJ:qyhmnyLat1gC"} and epr.extra["scholar_user"] == "qc6CJjYAAAAJ"
    assert epr.url.endswith("citation_for_view=qc6CJjYAAAAJ:qyhmnyLat1gC")


def test_truncated_authors_merged_versions_and_empty_cells(einstein):
    vol5 = einstein["8AbLer7MMksC"]
    assert vol5.authors[-1].name == "K Hentschel" and len(vol5.authors) == 6 and not vol5.authors_complete
    assert vol5.venue == "ISIS-International Review Devoted to the History of Science and its Cultural …"  # &nbsp; folded
    assert vol5.extra["merged_with"] == "NM66qo_NnlUC" and vol5.year == 1995
    sre = einstein["TiIbgCYny7sC"]
    assert sre.title == "Zur Elektrodynamik bewegter Körper" and sre.venue == "" and sre.year is None
    assert sre.citations == 6800
    assert sum(1 for r in einstein.values() if not r.authors_complete) == 14
    assert sum(1 for r in einstein.values() if r.year is None) == 288


def test_letters_of_different_days_and_volumes_of_the_collected_papers_stay_apart(einstein):
    """Read off the page by hand: Einstein's letters to Michele Besso of 3 Jan 1916 and 11 Aug 1916 are two letters,
    and Vol. 2 and Vol. 8 of The Collected Papers two books, even where an unnumbered 'The collected papers of Albert
    Einstein: …' row scores close to both."""
    from pubsync.merge import build_works
    result = build_works(list(einstein.values()), [])
    works = result.works
    by_ref = {r.ref: r for r in einstein.values()}
    titles = [sorted(by_ref[ref].title for ref in w.records) for w in works]

    def work_of(title):
        (found,) = [t for t in titles if title in t]
        return found

    assert work_of("Albert Einstein] to Michele Besso: Letter, 3 Jan 1916") != \
        work_of("Albert Einstein] to Michele Besso: Letter, 11 Aug 1916")
    for work in titles:
        volumes = {m.group(1) for t in work if "ollected papers of Albert Einstein" in t
                   and (m := re.search(r"\bvol(?:ume)?\.? ?(\d+)", t, re.I))}
        assert len(volumes) <= 1, work
    assert max(map(len, titles)) <= 6             # one work held 20 books of the series before
    assert not [r for r in result.review if "title.parts" in r.components]     # two days or volumes: no question
    assert len(result.review) <= 140                                            # 335 before, 136 measured


def test_row_author_names_keep_their_particles_in_the_family_name(einstein):
    names = {a.name: (a.family, a.given) for a in einstein["jW3pDOCzWhQC"].authors}
    assert names["L de Broglie"] == ("de Broglie", "L") and names["A Einstein"] == ("Einstein", "A")


def test_scholarly_author_fill_and_acadhomepage_dict(realdata):
    morris = {r.source_id: r for raw in load_file(realdata, "acadtracker_scholarly_author_filled_-j7fxnEAAAAJ_AJMorris.json")
              for r in scholar.parse(raw)}
    assert len(morris) == 463
    bsr = morris["rbm3iO8VlycC"]
    assert bsr.title == "Phospholipases D: making sense of redundancy and duplication" and bsr.year == 2019
    assert bsr.extra["scholar_user"] == "-j7fxnEAAAAJ" and not bsr.authors_complete
    names = {a.name: (a.family, a.given) for a in morris["CYCckWUYoCcC"].authors}
    assert names["M van Kogelenberg"] == ("van Kogelenberg", "M") and names["Helen V Firth"] == ("Firth", "Helen V")
    lu = [r for raw in load_file(realdata, "acadhomepage_scholarly_2026-01_gs_data_Y59A2dsAAAAJ.json")
          for r in scholar.parse(raw)]
    assert len(lu) == 43 and lu[0].source_id == "9yKSN-GCB0IC" and lu[0].citations == 94 and lu[0].year == 2017


def test_scholarly_filled_publications(realdata):
    pubs = [r for raw in load_file(realdata, "acadtracker_scholarly_pubs_filled_AJMorris.json")
            for r in scholar.parse(raw)]
    first = pubs[0]
    assert first.title == "Phospholipase D and choline metabolism" and first.year == 2019
    assert [a.name for a in first.authors] == ["Fredrick O Onono", "Andrew J Morris"] and first.authors_complete
    assert first.abstract.endswith("…")


def test_author_search_results_are_refused(realdata):
    with pytest.raises(SourceError, match="author search results"):
        load_file(realdata, "acadtracker_scholarly_search_authors_Andrew_Morris.json")


def test_saved_captcha_page_and_garbage():
    with pytest.raises(Blocked):
        scholar.load(b"<html><form id='gs_captcha_f'>Please show you're not a robot</form></html>", "c.html")
    with pytest.raises(SourceError, match="no Scholar publication rows"):
        scholar.load(b"<html><body>hello</body></html>", "x.html")


@pytest.mark.parametrize("status, final_url, text, reason", [
    (403, "https://scholar.google.com/citations?user=x", "Forbidden", "HTTP 403"),
    (429, "https://scholar.google.com/citations?user=x", "", "HTTP 429"),
    (200, "https://www.google.com/sorry/index?continue=x", "<html>…</html>", "a captcha page"),
    (200, "https://scholar.google.com/citations?user=x",
     "<div id='gs_captcha_ccl'>unusual traffic from your computer network</div>", "a captcha page"),
])
def test_blocked_names_a_refusal(status, final_url, text, reason):
    assert scholar.blocked(status, final_url, text) == (f"{reason} — import a profile page saved from your browser "
                                                        "instead")


@pytest.mark.parametrize("status, text", [
    (200, "<table><tr class='gsc_a_tr'><td>How to prove you are not a robot</td></tr></table>"),
    (200, "<div id='gsc_prf_in'>Josiah Carberry</div>"),
    (500, "<html>unusual traffic from your computer network</html>"),
])
def test_blocked_lets_other_answers_pass(status, text):
    assert scholar.blocked(status, "https://scholar.google.com/citations?user=x", text) is None


# ---- network path --------------------------------------------------------------------------

def sc_session(server, clock=None, **kw):
    kw.setdefault("min_interval", 5.0)
    return HttpSession(SourceSettings("scholar", base_url=server.url + "/scholar", **kw), clock=clock or SkipClock(),
                       blocked=scholar.blocked)


def test_paging_by_100_until_show_more_is_disabled():
    world = SyntheticProfile(250)
    clock = SkipClock()
    with ReplayServer() as server:
        world.mount(server)
        with sc_session(server, clock) as s:
            result = scholar.fetch(s, Target("p", scholar=world.SCHOLAR), {})
        assert [q["cstart"] for _, q in server.requests] == ["0", "100", "200"]
        assert all(q["pagesize"] == "100" and q["hl"] == "en" for _, q in server.requests)
    assert result.requests == 3 == scholar.requests_bound(250) and len(result.raws) == 250
    assert result.person_name == "Josiah Carberry"
    assert len(clock.slept) == 2 and all(4.5 < w <= 5.0 for w in clock.slept)
    rec = scholar.parse(result.raws[4])[0]
    assert rec.source_id == "paper000004" and not rec.authors_complete and rec.venue == "Journal of Replays 4, 1-13"


def test_exactly_200_works_take_two_pages():
    world = SyntheticProfile(200)
    with ReplayServer() as server:
        world.mount(server)
        with sc_session(server) as s:
            result = scholar.fetch(s, Target("p", scholar=world.SCHOLAR), {})
    assert result.requests == 2 and len(result.raws) == 200


@pytest.mark.parametrize("answer", [
    dict(body="<html><div id='gs_captcha_ccl'>unusual traffic from your computer network</div></html>"),
    dict(body="Forbidden", status=403),
    dict(body="Too Many Requests", status=429, headers={"Retry-After": "30"}),
])
def test_blocks_stop_at_once(answer):
    clock = SkipClock()
    with ReplayServer() as server:
        server.add("/scholar/citations", **answer)
        with sc_session(server, clock) as s, pytest.raises(Blocked) as e:
            scholar.fetch(s, Target("p", scholar="qc6CJjYAAAAJ"), {})
        assert server.count() == 1
    assert clock.slept == [] and "blocked" in str(e.value) and "\n" not in str(e.value)
    assert str(e.value).endswith("import a profile page saved from your browser instead")


def test_block_on_a_later_page_still_raises():
    world = SyntheticProfile(250)
    with ReplayServer() as server:
        server.route("/scholar/citations", lambda p, q: world.scholar_page(p, q) if q["cstart"] == "0"
                     else (200, {}, "<html>Please show you're not a robot <div id='gs_captcha_f'></div></html>"))
        with sc_session(server) as s, pytest.raises(Blocked):
            scholar.fetch(s, Target("p", scholar=world.SCHOLAR), {})
        assert server.count() == 2


def test_bad_user_id_is_refused_before_any_request():
    with ReplayServer() as server, sc_session(server) as s:
        with pytest.raises(SourceError, match="not a Google Scholar user id"):
            scholar.fetch(s, Target("p", scholar="nope"), {})
        assert server.requests == []
