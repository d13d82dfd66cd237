"""al-folio's citations.yml, complete: every listed work with a Scholar id gets its entry (0 when the profile shows
no count), on the import path (a saved page names the user in every row) and on the pull path.

The real page: Einstein's profile rows (gssa, 2021). Read by hand from it: the first row, "Can quantum-mechanical
description of physical reality be considered complete?" (1935), shows 20996; "THE DULONG-PETIT LAW OF SPECIFIC
HEATS" (no year) and "My faith" show no count.
"""
import yaml

from tests.clihelp import run
from tests.replay import ReplayServer

EINSTEIN = "api/scholar/gssa_2021-11_profile_tbody_rows_qc6CJjYAAAAJ_Einstein.html"
USER = "qc6CJjYAAAAJ"
CONFIG = ('[site]\nkind = "al-folio"\n\n[attribution]\nunconfirmed = "publish"\n\n'
          '[[people]]\nname = "Albert Einstein"\n{scholar}')


def exports(site) -> tuple[dict, list]:
    cites = run("export", "--format", "citations-yml", "--out", "-", cwd=site)
    papers = run("export", "--format", "papers-yml", "--out", "-", cwd=site)
    assert cites.returncode == 0 and papers.returncode == 0, cites.stderr + papers.stderr
    return yaml.safe_load(cites.stdout)["papers"], yaml.safe_load(papers.stdout)


def check_einstein(entries: dict, papers: list) -> None:
    assert entries[f"{USER}:qyhmnyLat1gC"] == {
        "citations": 20996, "title": "Can quantum-mechanical description of physical reality be considered complete?",
        "year": "1935"}
    assert entries[f"{USER}:-1WLWRmjvKAC"] == {"citations": 0, "title": "THE DULONG-PETIT LAW OF SPECIFIC HEATS",
                                               "year": ""}
    assert entries[f"{USER}:jjenCjXDw2QC"]["citations"] == 0
    # one entry per listed work, each under the key papers.bib's google_scholar_id names
    assert len(entries) == len(papers)
    assert sorted(entries) == sorted(f"{USER}:{p['ids']['scholar'].split(':')[-1]}" for p in papers)


def test_import_of_a_saved_page_keeps_the_user_and_writes_every_row(tmp_path, realdata):
    (tmp_path / "config.toml").write_text(CONFIG.format(scholar=""), encoding="utf-8")   # no Scholar id configured
    proc = run("import", "scholar", str(realdata / EINSTEIN), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    check_einstein(*exports(tmp_path))


def test_pull_writes_rows_without_a_count_as_zero(tmp_path, realdata):
    text = (realdata / EINSTEIN).read_text(encoding="utf-8")
    rows = ['<tr class="gsc_a_tr">' + r for r in text.split('<tr class="gsc_a_tr">')[1:]]
    assert len(rows) == 1114

    def page(path, query):
        start, size = int(query["cstart"]), int(query["pagesize"])
        return 200, {"Content-Type": "text/html; charset=UTF-8"}, \
            "<table><tbody>" + "".join(rows[start:start + size]) + "</tbody></table>"

    (tmp_path / "config.toml").write_text(
        CONFIG.format(scholar=f'scholar = "{USER}"\n') + "\n[sources.scholar]\nenabled = true\nmin_interval = 0\n"
        "\n[sources.orcid]\nenabled = false\n\n[sources.openalex]\nenabled = false\n\n[sources.arxiv]\n"
        "enabled = false\n", encoding="utf-8")
    with ReplayServer() as server:
        server.route("/citations", page)
        proc = run("pull", cwd=tmp_path, env={"PUBSYNC_SCHOLAR_URL": server.url})
        assert proc.returncode == 0, proc.stderr
        assert server.count("/citations") == 12          # 1114 rows, 100 a page
    check_einstein(*exports(tmp_path))
