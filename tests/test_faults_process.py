"""Process-level faults: SIGKILL at random points of a sync, two syncs on one database, and a disk that refuses writes.

The database must pass `PRAGMA integrity_check` and hold, per source, either the rows from before that source's
transaction or the rows from after it; each exported file is the old or the new version, never a partial one; and the
next sync completes.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.clihelp import pubsync_cmd, run
from tests.faultworld import (SOURCES, Baseline, FaultWorld, Paper, cli_env, db_state, integrity, make_baseline,
                              number, site_files, source_rows)

KILL_RUNS = 20
KILL_SEED = 20260601
SLOW_LATENCY = 0.12        # seconds added to every replayed request, so a sync lasts long enough to be hit mid-run
PROCESS_FAULTS = [         # for the README table: (fault, what is checked)
    ("sigkill", f"SIGKILL at {KILL_RUNS} random points of a sync (slowed replay world)"),
    ("two-syncs", "two `pubsync sync` on one database at once (PUBSYNC_LOCK_WAIT=0, then a waiting one)"),
    ("read-only-output", "the export directory is read-only"),
    ("full-disk-output", "the export directory is on a full disk"),
    ("full-disk-db", "the database is on a full disk"),
]


def changed_world() -> FaultWorld:
    """The baseline profile one step later: a new paper, a corrected title, and every source's markers moved on,
    so each source's transaction writes rows and every export changes."""
    world = FaultWorld()
    world.papers[0].title = "Toward a Unified Theory of High-Energy Metaphysics: Silly String Theory (Revised)"
    world.papers.append(Paper("Kintsugi as Error Correction", 2024, "journal-article", "Ceramics Letters",
                              doi="10.5555/kintsugi.2024", arxiv="2401.00042", coauthors=["Mei Tanaka"], citations=2))
    number(world.papers)
    for source in SOURCES:
        world.generation[source] += 1
    return world


def python_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBSYNC_")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Baseline:
    return make_baseline(tmp_path_factory.mktemp("baseline") / "site-root")


@pytest.fixture(scope="module")
def after(baseline, tmp_path_factory) -> Baseline:
    """What an uninterrupted sync against the changed world leaves, starting from the baseline."""
    root = baseline.copy_to(tmp_path_factory.mktemp("after") / "site-root")
    with changed_world() as world:
        proc = run("sync", cwd=root, env=cli_env(world), timeout=60)
    assert proc.returncode == 0, proc.stderr
    state = db_state(root / "data" / "pubsync.db")
    assert state["raw_records"] != baseline.state["raw_records"]
    return Baseline(root, state, site_files(root))


# ---- SIGKILL ------------------------------------------------------------------------------------

def is_temp(name: str) -> bool:
    """A writer's temp file, which a SIGKILL mid-write may leave beside the (still whole) target."""
    return Path(name).name.startswith(".") and name.endswith((".tmp", ".pubsync-tmp"))


def check_killed(baseline: Baseline, after: Baseline, root: Path) -> str:
    """Which state the killed run left ("before", "after" or "mixed"); AssertionError when it is not a legal one."""
    db = root / "data" / "pubsync.db"
    assert integrity(db) == "ok"
    state = db_state(db)
    per_source = []
    for source in SOURCES:
        rows = source_rows(state, source)
        assert rows in (source_rows(baseline.state, source), source_rows(after.state, source)), \
            f"{source}'s raw records are neither the old nor the new set"
        per_source.append("after" if rows == source_rows(after.state, source) else "before")
    derived = ("records", "works", "work_records")
    assert ({t: state[t] for t in derived} in ({t: baseline.state[t] for t in derived},
                                               {t: after.state[t] for t in derived})), "a half-applied merge"
    assert state["decisions"] == baseline.state["decisions"]
    for name, data in site_files(root).items():
        if is_temp(name):
            continue
        versions = [v for v in (baseline.files.get(name), after.files.get(name)) if v is not None]
        assert versions, f"{name}: a file neither run wrote"
        assert data in versions, f"{name}: neither the old nor the new version ({len(data)} bytes)"
    return per_source[0] if len(set(per_source)) == 1 else "mixed"


def kill_trial(baseline: Baseline, after: Baseline, root: Path, delay: float,
               after_requests: int = 0) -> tuple[str, str]:
    """Start a sync against the slowed changed world, SIGKILL it after `delay` s, check, then sync to the end.
    With `after_requests`, the delay counts from the moment the world has received that many requests: the
    storing, merging and writing that follow the fetches take a fraction of a second, which kills timed from the
    start would hit only by chance."""
    baseline.copy_to(root)
    with changed_world() as world:
        world.latency = SLOW_LATENCY
        env = python_env(**cli_env(world))
        proc = subprocess.Popen(pubsync_cmd() + ["sync"], cwd=root, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while after_requests and len(world.server.requests) < after_requests and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.005)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
        landed = "finished" if proc.returncode == 0 else check_killed(baseline, after, root)
        assert proc.returncode in (0, -signal.SIGKILL), err
        world.latency = 0.0
        again = run("sync", cwd=root, env=cli_env(world), timeout=60)
    assert again.returncode == 0, f"the sync after a kill at {delay:.2f} s failed: {again.stderr}"
    assert db_state(root / "data" / "pubsync.db") == after.state, "the sync after a kill did not converge"
    assert site_files(root) == after.files, "after a kill and a resync, the site differs from an uninterrupted sync's"
    return landed, ""


@pytest.mark.slow          # ~25 s: runs by default; `-m "not slow"` leaves it out
def test_sigkill_at_random_points(baseline, after, tmp_path):
    # How long an uninterrupted slowed sync takes, so the kills spread over its whole length.
    probe = baseline.copy_to(tmp_path / "probe")
    with changed_world() as world:
        world.latency = SLOW_LATENCY
        started = time.monotonic()
        proc = run("sync", cwd=probe, env=cli_env(world), timeout=60)
        length = time.monotonic() - started
        requests = len(world.server.requests)
    assert proc.returncode == 0, proc.stderr
    rng = random.Random(KILL_SEED)
    # Half the kills anywhere in the run; half in its last phase (after the last request: the answer's latency,
    # then the per-source transactions, the merge and the atomic writes).
    trials = [(rng.uniform(0.05, length), 0) for _ in range(KILL_RUNS // 2)]
    trials += [(rng.uniform(0.0, SLOW_LATENCY + 0.6), requests) for _ in range(KILL_RUNS - len(trials))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(kill_trial, baseline, after, tmp_path / f"kill{i:02d}", d, n)
                   for i, (d, n) in enumerate(trials)]
        landed = [f.result()[0] for f in futures]
    # Kills must have hit the run itself, not only its start or its end.
    assert set(landed) - {"finished"}, f"no kill landed before the sync finished: {landed}"
    assert len(set(landed)) >= 2, f"every kill left the same state ({landed[0]}); the world is not slow enough"


# ---- two syncs at once --------------------------------------------------------------------------

def wait_for_lock(root: Path, pid: int, seconds: float = 15.0) -> None:
    lock = root / "data" / "pubsync.db.lock"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(pid):
            return
        time.sleep(0.02)
    raise AssertionError("the first sync never took the database lock")


def test_two_syncs_on_one_database(baseline, after, tmp_path):
    root = baseline.copy_to(tmp_path / "root")
    with changed_world() as world:
        world.latency = 0.3
        env = python_env(**cli_env(world))
        first = subprocess.Popen(pubsync_cmd() + ["sync"], cwd=root, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        try:
            wait_for_lock(root, first.pid)
            refused = run("sync", cwd=root, env=cli_env(world, PUBSYNC_LOCK_WAIT="0"), timeout=60)
            waiting = subprocess.Popen(pubsync_cmd() + ["sync"], cwd=root, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True,
                                       env=python_env(**cli_env(world, PUBSYNC_LOCK_WAIT="60")))
            out1, err1 = first.communicate(timeout=60)
            out2, err2 = waiting.communicate(timeout=60)
        finally:
            for p in (first,):
                if p.poll() is None:
                    p.kill()
    assert refused.returncode == 1, refused.stderr
    assert "Traceback" not in refused.stderr and "another pubsync" in refused.stderr
    assert str(first.pid) in refused.stderr                      # says who holds the database
    assert len(refused.stderr.strip().splitlines()) == 1
    assert first.returncode == 0, err1
    assert waiting.returncode == 0, err2
    db = root / "data" / "pubsync.db"
    assert integrity(db) == "ok"
    assert db_state(db) == after.state
    assert site_files(root) == after.files


# ---- disks that refuse writes -------------------------------------------------------------------

def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def read_only(directory: Path):
    """`directory` read-only for every process, root included: a read-only bind mount, or chmod when not root."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(0o755)
        return
    if not (_mount("--bind", str(directory), str(directory))
            and _mount("-o", "remount,bind,ro", str(directory), str(directory))):
        subprocess.run(["umount", str(directory)], capture_output=True)
        pytest.skip("cannot make a read-only bind mount here (root without mount rights)")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=True)


@contextmanager
def full_disk(directory: Path, size_kb: int = 128):
    """`directory` moved onto a small tmpfs (its files kept) and the tmpfs filled to the last byte."""
    keep = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()} if directory.exists() else {}
    directory.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(directory)):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount rights)")
    try:
        for name, data in keep.items():
            (directory / name).write_bytes(data)
        fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        yield
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=True)


def assert_clear_failure(proc) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("pubsync: "), proc.stderr


def test_read_only_output_directory(baseline, tmp_path):
    root = baseline.copy_to(tmp_path / "root")
    target = root / "site" / "_bibliography"
    with changed_world() as world, read_only(target):
        proc = run("sync", cwd=root, env=cli_env(world), timeout=60)
        assert_clear_failure(proc)
        assert "_bibliography" in proc.stderr
        assert sorted(p.name for p in target.iterdir()) == ["papers.bib"]
    assert (target / "papers.bib").read_bytes() == baseline.files["_bibliography/papers.bib"]
    assert integrity(root / "data" / "pubsync.db") == "ok"


def test_full_disk_under_the_exports(baseline, tmp_path):
    root = baseline.copy_to(tmp_path / "root")
    target = root / "site" / "_bibliography"
    with changed_world() as world, full_disk(target):
        proc = run("sync", cwd=root, env=cli_env(world), timeout=60)
        assert_clear_failure(proc)
        assert "papers.bib" in proc.stderr or "_bibliography" in proc.stderr
        assert sorted(p.name for p in target.iterdir()) == ["filler", "papers.bib"], "a temp file was left"
        assert (target / "papers.bib").read_bytes() == baseline.files["_bibliography/papers.bib"]
    assert integrity(root / "data" / "pubsync.db") == "ok"


def test_full_disk_under_the_database(baseline, tmp_path):
    root = baseline.copy_to(tmp_path / "root")
    data = root / "data"
    with changed_world() as world, full_disk(data, size_kb=1024):
        proc = run("sync", cwd=root, env=cli_env(world), timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) <= 3, proc.stderr
        assert "full" in proc.stderr.lower() or "space" in proc.stderr.lower(), proc.stderr
        db = data / "pubsync.db"
        assert integrity(db) == "ok"
        assert db_state(db) == baseline.state
    assert site_files(root) == baseline.files
