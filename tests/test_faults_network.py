"""Network faults, per source and on every source at once, through a real `pubsync sync` against the fault world.

Whatever breaks, the sync ends within its configured time limits, exits 3, names each failed source in one stderr
line, and every record, work, decision and exported file of the last good run is still there, byte for byte.

Every (fault, source) pair runs once. To keep the suite short, one sync breaks every source at once, each with a
different fault (a Latin square over the faults); a few more break every source the same way, and a few break one
source alone to show the healthy ones carry on.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from tests.clihelp import run
from tests.faultworld import (SOURCES, Baseline, FaultWorld, cli_env, db_state, integrity, make_baseline,
                              site_files)

# Per-source limits in the test config (faultworld.write_config): timeout 0.5 s, 1 retry, max_seconds 3.
# A sync with every source broken must still end well inside this (it is a hang guard, not a speed test).
SYNC_BUDGET = 45.0
MAX_ATTEMPTS = 2          # the first request plus retries = 1


@dataclass(frozen=True)
class Fault:
    name: str
    what: str                          # for the README table
    sources: tuple[str, ...]
    says: str                          # regex the source's stderr line must match (case-insensitive)
    outcome: str = "failed"            # or "suspect"


NETWORK_FAULTS = [
    Fault("refused", "connection refused (nothing listens on the port)", SOURCES, r"cannot connect|refused"),
    Fault("dns", "DNS failure (`http://nonexistent.invalid`)", SOURCES, r"cannot connect|resolve|name"),
    Fault("connect-timeout", "connect timeout (a listener that never accepts)", SOURCES, r"connect timeout"),
    Fault("read-timeout", "read timeout (the server accepts, then says nothing)", SOURCES, r"read timeout"),
    Fault("reset", "connection reset mid-body (RST after half the body)", SOURCES, r"reset|truncated|closed"),
    Fault("truncated", "truncated body (Content-Length larger than what arrives)", SOURCES, r"truncated"),
    Fault("empty-reply", "connection closed without a response", SOURCES, r"without a response"),
    Fault("empty-body", "200 with an empty body", SOURCES, r"empty|not a scholar profile"),
    Fault("500", "HTTP 500", SOURCES, r"HTTP 500"),
    Fault("502", "HTTP 502", SOURCES, r"HTTP 502"),
    Fault("503", "HTTP 503", SOURCES, r"HTTP 503"),
    Fault("429", "HTTP 429 without `Retry-After`", SOURCES, r"429"),
    Fault("429-retry-after", "HTTP 429 with `Retry-After: 1`", SOURCES, r"429"),
    Fault("html-200", "200 with an HTML error page where JSON/XML was expected", SOURCES,
          r"HTML|Atom|feed|not a scholar profile"),
    Fault("wrong-shape", "valid JSON/XML/HTML of the wrong shape", SOURCES,
          r"no work groups|no results|Atom|feed|not a scholar profile"),
    Fault("captcha", "a Scholar captcha page (200)", ("scholar",), r"captcha|blocked"),
    Fault("bulk-only-errors", "an ORCID bulk answer holding only errors (in a 200)", ("orcid",),
          r"bulk|9034|put code|none of"),
    Fault("shrink", "a source suddenly lists far fewer records (1 of ≥ 4)", ("orcid", "openalex", "scholar"),
          r"returned 1 records? where \d+", outcome="suspect"),
]
FAULTS_BY_NAME = {f.name: f for f in NETWORK_FAULTS}
# Faults after which the server must have seen exactly one request to the source: never retried.
NOT_RETRIED = {"captcha", "html-200", "wrong-shape", "empty-body"}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Baseline:
    return make_baseline(tmp_path_factory.mktemp("baseline") / "site-root")


def sync_with(baseline: Baseline, tmp_path, breaks: dict[str, str]):
    root = baseline.copy_to(tmp_path / "root")
    with FaultWorld() as world:
        for source, fault in breaks.items():
            world.break_source(source, fault)
        proc = run("sync", cwd=root, env=cli_env(world), timeout=SYNC_BUDGET)
        requests = {s: world.requests_to(s) for s in SOURCES}
    return root, proc, requests


def source_lines(stderr: str, source: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(rf"pubsync: {source} (failed|suspect)\b", line)]


def assert_nothing_lost(baseline: Baseline, root) -> None:
    db = root / "data" / "pubsync.db"
    assert integrity(db) == "ok"
    after = db_state(db)
    for table, rows in baseline.state.items():
        assert after[table] == rows, f"table {table} changed after a failed source"
    files = site_files(root)
    assert sorted(files) == sorted(baseline.files)
    changed = [name for name, data in files.items() if data != baseline.files[name]]
    assert not changed, f"exports changed after a failed source: {changed}"


def assert_reported(proc, failed: dict[str, Fault]) -> None:
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode == 3, proc.stderr
    for source, fault in failed.items():
        lines = source_lines(proc.stderr, source)
        assert len(lines) == 1, f"expected one stderr line naming {source}:\n{proc.stderr}"
        assert fault.outcome in lines[0]
        assert re.search(fault.says, lines[0], re.I), lines[0]
    for source in set(SOURCES) - set(failed):
        assert not source_lines(proc.stderr, source), proc.stderr


def rounds() -> list[dict[str, str]]:
    """Every (fault, source) pair exactly once, packed into syncs where each source has its own fault at the same
    time (a Latin square over the faults every source can have, then the source-specific ones)."""
    common = [f.name for f in NETWORK_FAULTS if f.sources == SOURCES]
    out = [{s: common[(r + i) % len(common)] for i, s in enumerate(SOURCES)} for r in range(len(common))]
    extra = {s: [f.name for f in NETWORK_FAULTS if s in f.sources and f.sources != SOURCES] for s in SOURCES}
    for r in range(max(len(v) for v in extra.values())):
        out.append({s: faults[r] for s, faults in extra.items() if r < len(faults)})
    return out


ROUNDS = rounds()


def check_sync(baseline: Baseline, tmp_path, breaks: dict[str, str]):
    root, proc, requests = sync_with(baseline, tmp_path, breaks)
    assert_reported(proc, {s: FAULTS_BY_NAME[f] for s, f in breaks.items()})
    assert_nothing_lost(baseline, root)
    for source, fault in breaks.items():
        extra = 1 if fault == "bulk-only-errors" else 0          # the listing, then the bulk call that fails
        assert requests[source] <= MAX_ATTEMPTS + extra, f"{requests[source]} requests to a broken {source}"
        if fault in NOT_RETRIED:
            assert requests[source] == 1, f"{fault} on {source} was retried"
    return root


@pytest.mark.parametrize("breaks", ROUNDS, ids=[",".join(f"{s}={f}" for s, f in b.items()) for b in ROUNDS])
def test_each_source_with_its_own_fault(baseline, tmp_path, breaks):
    check_sync(baseline, tmp_path, breaks)


ALL_AT_ONCE = ["refused", "read-timeout", "503", "html-200", "wrong-shape"]


@pytest.mark.parametrize("fault", ALL_AT_ONCE)
def test_every_source_with_the_same_fault(baseline, tmp_path, fault):
    check_sync(baseline, tmp_path, {s: fault for s in SOURCES})


ALONE = [("orcid", "503"), ("openalex", "html-200"), ("arxiv", "truncated"), ("scholar", "captcha"),
         ("openalex", "shrink")]


@pytest.mark.parametrize("source, fault", ALONE, ids=[f"{s}={f}" for s, f in ALONE])
def test_one_broken_source_leaves_the_others_ok(baseline, tmp_path, source, fault):
    root = check_sync(baseline, tmp_path, {source: fault})
    status = run("status", "--json", cwd=root, env=cli_env())
    assert status.returncode == 0, status.stderr
    rows = {r["source"]: r for r in json.loads(status.stdout)["sources"]}
    assert rows[source]["outcome"] == FAULTS_BY_NAME[fault].outcome and rows[source]["error"]
    assert all(rows[s]["outcome"] == "ok" for s in SOURCES if s != source), rows


def test_recovery_after_faults_is_a_clean_sync(baseline, tmp_path):
    root, proc, _ = sync_with(baseline, tmp_path, {s: "503" for s in SOURCES})
    assert proc.returncode == 3
    with FaultWorld() as world:
        again = run("sync", cwd=root, env=cli_env(world), timeout=SYNC_BUDGET)
    assert again.returncode == 0, again.stderr
    assert db_state(root / "data" / "pubsync.db") == baseline.state
    assert site_files(root) == baseline.files


# ---- the README's "what pubsync survives" table -------------------------------------------------

def survives(*args: str, cwd=None):
    import subprocess
    import sys
    from tests.faultworld import REPO
    return subprocess.run([sys.executable, str(REPO / "scripts" / "survives_table.py"), *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=60)


def test_survives_table_check_detects_a_stale_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- survives:start -->\n| old | table |\n<!-- survives:end -->\nrest\n", encoding="utf-8")
    stale = survives("--check", str(readme))
    assert stale.returncode == 1 and "stale" in stale.stderr
    assert survives("--write", str(readme)).returncode == 0
    assert survives("--check", str(readme)).returncode == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# x\n") and text.endswith("<!-- survives:end -->\nrest\n")
    for fault in NETWORK_FAULTS:
        assert fault.what in text
    (tmp_path / "none.md").write_text("no markers\n", encoding="utf-8")
    assert survives("--check", str(tmp_path / "none.md")).returncode == 1


def test_readme_survives_table_is_current():
    from tests.faultworld import REPO
    proc = survives("--check", str(REPO / "README.md"))
    assert proc.returncode == 0, proc.stderr


def test_a_first_sync_with_every_source_down_blanks_nothing(tmp_path):
    """A fresh database, every source unreachable, and a site that already has a publication list (hand-made
    papers.bib, pages pubsync wrote before): exit 3, one line per source, no traceback, and no file replaced by an
    empty list or removed."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"     # bound, never listening: connection refused
        (tmp_path / "config.toml").write_text(
            '[site]\nkind = "al-folio"\n\n[[people]]\nname = "Josiah Carberry"\norcid = "0000-0002-1825-0097"\n\n'
            '[export]\nformats = ["bibtex", "academicpages"]\n\n[sources.orcid]\nmax_seconds = 5\n\n'
            '[sources.openalex]\nmax_seconds = 5\n')
        bib = tmp_path / "_bibliography" / "papers.bib"
        bib.parent.mkdir()
        bib.write_bytes(b"@article{mine,\n  title = {Hand made},\n  year = {2019},\n}\n")
        page = tmp_path / "_publications" / "2019-01-01-old.md"
        page.parent.mkdir()
        page.write_bytes(b"---\ntitle: \"Old\"\ngenerated_by: pubsync\n---\n")
        env = {f"PUBSYNC_{s_.upper()}_URL": dead for s_ in ("orcid", "openalex", "arxiv", "scholar", "crossref")}
        proc = run("sync", cwd=tmp_path, env=env)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert bib.read_bytes() == b"@article{mine,\n  title = {Hand made},\n  year = {2019},\n}\n"
    assert page.read_bytes() == b"---\ntitle: \"Old\"\ngenerated_by: pubsync\n---\n"
    assert "kept (no works to export)" in proc.stdout + proc.stderr
    proc = run("export", "--format", "bibtex", cwd=tmp_path)              # by hand, the same
    assert proc.returncode == 0, proc.stderr
    assert "kept (no works to export)" in proc.stdout + proc.stderr
    assert bib.read_bytes() == b"@article{mine,\n  title = {Hand made},\n  year = {2019},\n}\n"
