"""`pubsync report`: the numbers on the page, escaping, no network — checked in a real headless Chromium."""
import os
import re
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pubsync.records import Record, Work
from pubsync.report import gather, render_html, to_json, write_report
from pubsync.sources import RawRecord
from pubsync.store import Store
from tests.clihelp import run
from tests.conftest import need_tool

REPO = Path(__file__).resolve().parent.parent
CLI_ENV = {"PYTHONPATH": str(REPO)}
HOSTILE = '<script>alert("x")</script> & "quotes" <img src=x onerror=alert(1)>'
DATA_DATE = "2026-02-03"         # the newest last_seen of build_store's raw records: the page's date of the data


@dataclass
class Pair:                      # the shape Store.replace_works reads from the matcher's review items
    a: str
    b: str
    score: float
    components: dict = field(default_factory=dict)
    reason: str = ""


def build_store(path: Path, *, reverse: bool = False) -> Store:
    """Five visible works (2018, 2020 ×2, 2022, no year), one hidden; three sources; two snapshot dates; raw records
    last seen on DATA_DATE. `reverse` stores the same rows in the opposite order."""
    order = (lambda rows: rows[::-1]) if reverse else list
    store = Store(path)
    works = [
        Work("a2018", title="Alpha", year=2018, records=["orcid:1", "openalex:W1"], ids={"doi": "10.1/a"},
             counts_by_year={2019: 3, 2020: 4}),
        Work("b2020", title="Beta", year=2020, records=["openalex:W2", "arxiv:2001.00001"], counts_by_year={2020: 1}),
        Work("c2020", title=HOSTILE, year=2020, records=["orcid:3"], url="javascript:alert(1)"),
        Work("d2022", title="Delta", year=2022, records=["scholar:S4", "openalex:W4"], counts_by_year={2022: 10}),
        Work("e", title="Epsilon", records=["orcid:5"]),
        Work("h2019", title="Hidden one", year=2019, records=["openalex:W9"], counts_by_year={2020: 100}),
    ]
    review = [Pair("orcid:5", "openalex:W2", 0.42, {"title": 0.7, "year": -1.0}, "title similar, years differ")]
    raws = [RawRecord(source, sid, "{}") for source, sid in (("orcid", "1"), ("orcid", "3"), ("openalex", "W1"))]
    with store.transaction():
        store.save_raw("me", order(raws), fetched_at="2026-01-20T10:00:00Z")
        store.save_raw("me", [], seen=["orcid:1"], fetched_at=f"{DATA_DATE}T23:30:00Z")   # confirmed unchanged
        store.replace_works(order(works), {"h2019"}, review)
        store.snapshot_citations(order([Record("openalex", "W1", citations=5), Record("openalex", "W2", citations=1),
                                        Record("openalex", "W9", citations=100), Record("scholar", "S4", citations=9)]),
                                 "2026-01-01")
        store.snapshot_citations(order([Record("openalex", "W1", citations=7), Record("openalex", "W2", citations=2),
                                        Record("scholar", "S4", citations=12)]), "2026-02-01")
    run_id = store.start_run("sync")
    with store.transaction():
        for source, outcome, details in order([("orcid", "ok", {"fetched": 3}),
                                               ("scholar", "failed", {"error": "HTTP 429 <blocked>"})]):
            store.record_source_outcome(run_id, "me", source, outcome, **details)
    store.end_run(run_id, "partial", 3)
    return store


def test_gathered_numbers(tmp_path):
    store = build_store(tmp_path / "p.db")
    data = gather(store, "Publications of Josiah Carberry")
    store.close()
    assert data.works_total == 5 and data.hidden == 1
    assert data.works_per_year == [("2018", 1), ("2019", 0), ("2020", 2), ("2021", 0), ("2022", 1), ("no year", 1)]
    assert data.citations_per_year == [("2019", 3), ("2020", 5), ("2022", 10)]          # the hidden work's 100 left out
    assert data.snapshots == {"openalex": [("2026-01-01", 6), ("2026-02-01", 9)],
                              "scholar": [("2026-01-01", 9), ("2026-02-01", 12)]}
    assert data.sources == ["orcid", "openalex", "arxiv", "scholar"]
    assert data.source_totals == {"orcid": 3, "openalex": 3, "arxiv": 1, "scholar": 1}
    assert data.only_in == {"orcid": 2, "openalex": 0, "arxiv": 0, "scholar": 0}
    assert [(r.a, r.a_title, r.b_title) for r in data.review] == [("orcid:5", "", "")]   # no records table rows yet
    assert data.data_date == DATA_DATE                    # when the records were last seen, not when the run was
    assert to_json(data)["works_per_year"]["no year"] == 1


def test_html_escapes_everything_and_loads_nothing(tmp_path):
    store = build_store(tmp_path / "p.db")
    page = render_html(gather(store, 'Lab <b>"X"</b>'))
    store.close()
    assert "<script" not in page and "<img" not in page and "<link" not in page and "<iframe" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "javascript:" not in page                                  # a non-http URL is never a link
    assert "<title>Lab &lt;b&gt;&quot;X&quot;&lt;/b&gt; — pubsync report</title>" in page
    assert "HTTP 429 &lt;blocked&gt;" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?!https://doi\.org/)(?:https?:)?//""", page)
    assert 'href="https://doi.org/10.1/a"' in page


# Run in a fresh interpreter: freeze every clock Python reads at the ISO instant in argv[1], then `pubsync report`.
FROZEN_CLOCK_CLI = """
import datetime, sys, time
FROZEN = datetime.datetime.fromisoformat(sys.argv.pop(1))
EPOCH = FROZEN.timestamp()
class FrozenDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN.astimezone(tz) if tz else FROZEN.astimezone().replace(tzinfo=None)
    @classmethod
    def utcnow(cls):
        return FROZEN.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    @classmethod
    def today(cls):
        return cls.now()
class FrozenDate(datetime.date):
    @classmethod
    def today(cls):
        return FROZEN.astimezone().date()
datetime.datetime, datetime.date = FrozenDatetime, FrozenDate
real_gmtime, real_localtime, real_strftime = time.gmtime, time.localtime, time.strftime
time.time = lambda: EPOCH
time.gmtime = lambda secs=None: real_gmtime(EPOCH if secs is None else secs)
time.localtime = lambda secs=None: real_localtime(EPOCH if secs is None else secs)
time.strftime = lambda fmt, t=None: real_strftime(fmt, real_localtime(EPOCH) if t is None else t)
from pubsync.cli import main
main()
"""


def report_made_at(root: Path, clock: str, hash_seed: str) -> str:
    proc = subprocess.run([sys.executable, "-c", FROZEN_CLOCK_CLI, clock, "report", "--out", "report.html"], cwd=root,
                          env={**os.environ, **CLI_ENV, "PYTHONHASHSEED": hash_seed}, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return (root / "report.html").read_text(encoding="utf-8")


def test_same_data_same_bytes_whenever_and_however_made(tmp_path, monkeypatch):
    """The same data, stored in two databases in opposite row order, rendered by two processes with different string
    hashing (set and dict order) at two different times: the same bytes, dated by the data."""
    monkeypatch.setattr("pubsync.store.now_iso", lambda: "2026-02-05T07:00:00Z")   # the runs both databases record
    for name, reverse in (("one", False), ("two", True)):
        build_store(tmp_path / name / "data" / "pubsync.db", reverse=reverse).close()
    first = report_made_at(tmp_path / "one", "2031-07-01T12:00:00+00:00", hash_seed="1")
    second = report_made_at(tmp_path / "two", "2033-12-24T23:59:59+00:00", hash_seed="2")
    assert first == second
    assert text_of(first, "data-date") == DATA_DATE


def test_empty_database_renders(tmp_path):
    store = Store(tmp_path / "p.db")
    page = render_html(gather(store))
    store.close()
    assert '<b id="works-total">0</b>' in page and "no data yet" in page and "Nothing waits for review." in page


# ---- in a real browser ------------------------------------------------------------------------------

def chromium() -> str:
    return need_tool("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                     install="apt-get install -y chromium")


def browser(*args: str, home: Path) -> subprocess.CompletedProcess:
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={home}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(home)})


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    store = build_store(root / "p.db")
    write_report(store, root / "report.html", "Publications of Josiah Carberry")
    store.close()
    return root / "report.html"


def text_of(dom: str, element_id: str) -> str:
    m = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', dom, re.S)
    assert m, f"no element #{element_id} in the rendered DOM"
    return re.sub(r"<[^>]+>", "", m.group(2))


def table_rows(dom: str, table_id: str) -> list[list[str]]:
    m = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', dom, re.S)
    assert m, f"no table #{table_id} in the rendered DOM"
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)]


def test_browser_shows_the_counts(report_page, tmp_path):
    proc = browser("--dump-dom", report_page.as_uri(), home=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert text_of(dom, "works-total") == "5"
    assert text_of(dom, "works-hidden") == "1"
    assert text_of(dom, "review-total") == "1"
    assert table_rows(dom, "works-per-year") == [["2018", "1"], ["2019", "0"], ["2020", "2"], ["2021", "0"],
                                                 ["2022", "1"], ["no year", "1"]]
    assert table_rows(dom, "citations-per-year") == [["2019", "3"], ["2020", "5"], ["2022", "10"]]
    assert table_rows(dom, "source-coverage") == [["orcid", "3", "2"], ["openalex", "3", "0"], ["arxiv", "1", "0"],
                                                  ["scholar", "1", "0"]]
    assert ["scholar", "2026-02-01", "12"] in table_rows(dom, "citation-snapshots")
    assert table_rows(dom, "review-queue")[0][0] == "0.42"
    # the hostile title arrived as text: no element was created from it
    assert "<script" not in dom and "<img" not in dom
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in dom
    assert len(re.findall(r"<svg\b", dom)) == 3                        # works, citations, snapshots charts


def png_pixels(data: bytes) -> bytes:
    """The raw scanline bytes of a PNG (enough to tell a blank image from a drawn one)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(idat)


def test_browser_screenshot_is_not_blank(report_page, tmp_path):
    shot = tmp_path / "shot.png"
    proc = browser(f"--screenshot={shot}", "--window-size=1000,900", "--hide-scrollbars", report_page.as_uri(),
                   home=tmp_path)
    assert shot.is_file(), proc.stderr[-2000:]
    pixels = png_pixels(shot.read_bytes())
    assert len(set(pixels)) > 20, "the screenshot is (nearly) one colour: the page did not render"


def test_cli_report_writes_the_page(tmp_path):
    build_store(tmp_path / "data" / "pubsync.db").close()
    proc = run("report", "--out", "out/report.html", cwd=tmp_path, env=CLI_ENV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "wrote out/report.html (5 works, 1 waiting for review)"
    assert '<b id="works-total">5</b>' in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    as_json = run("report", "--json", cwd=tmp_path, env=CLI_ENV)
    assert as_json.returncode == 0, as_json.stderr
    import json
    data = json.loads(as_json.stdout)
    assert (data["works"], data["hidden"], data["works_per_year"]["2020"], data["citations_per_year"]["2022"]) == \
        (5, 1, 2, 10)
    assert data["sources"]["orcid"] == {"works": 3, "only_here": 2}


def test_cli_report_without_database_exits_2(tmp_path):
    proc = run("report", cwd=tmp_path, env=CLI_ENV)
    assert proc.returncode == 2 and "no database yet" in proc.stderr and not (tmp_path / "report.html").exists()


def test_real_openalex_profile_numbers(realdata, tmp_path):
    """Josiah Carberry's 82 OpenAlex works (a real list response), one work per record: the page's per-year numbers
    equal those summed straight from the JSON."""
    import json
    from collections import Counter

    from pubsync.sources import openalex
    path = realdata / "api" / "openalex" / "denner_2025-11_works_list_author.id_A5003721947_results_only.json"
    raw_works = json.loads(path.read_text(encoding="utf-8"))
    records = [rec for raw in openalex.load(path.read_bytes(), path.name) for rec in openalex.parse(raw)]
    assert len(records) == len(raw_works) == 82
    store = Store(tmp_path / "p.db")
    with store.transaction():
        store.replace_works([Work(f"w{i}", title=r.title, year=r.year, counts_by_year=r.counts_by_year,
                                  records=[r.ref], ids=r.ids) for i, r in enumerate(records)], set(), [])
        store.snapshot_citations(records, "2025-11-01")
    data = gather(store)
    store.close()

    years = Counter(w["publication_year"] for w in raw_works)
    assert dict(data.works_per_year) == {str(y): years.get(y, 0) for y in range(min(years), max(years) + 1)}
    cites = Counter()
    for w in raw_works:
        for c in w["counts_by_year"]:
            cites[str(c["year"])] += c["cited_by_count"]
    assert dict(data.citations_per_year) == dict(cites)
    assert data.snapshots == {"openalex": [("2025-11-01", sum(w["cited_by_count"] for w in raw_works))]}
    assert data.source_totals == {"openalex": 82} and data.only_in == {"openalex": 82}
    page = render_html(data)
    assert '<b id="works-total">82</b>' in page
