"""The composite Action (action.yml) and `pubsync init --workflow`: the Action's steps in order, its shell steps run
as GitHub runs them (with a stand-in `pubsync`/`gh` where the real one would need the network or GitHub), the PR
body carrying the run summary and the real review queue, and the workflow init writes using the Action's inputs."""
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from pubsync import __version__
from tests.clihelp import pubsync_cmd, run
from tests.test_attribution import denner_site
from tests.test_ci_docs import check_command, pubsync_commands, run_step

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]


def step(name_or_id: str) -> dict:
    return next(s for s in STEPS if name_or_id in (s.get("id"), s.get("name")))


def fake(tmp_path: Path, name: str, script: str) -> Path:
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path.parent


def test_action_is_composite_with_the_documented_inputs():
    assert ACTION["runs"]["using"] == "composite"
    assert {"config", "python-version", "pull-request"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["config"]["default"] == "config.toml"
    for s in STEPS:
        assert "uses" in s or s.get("shell") == "bash", s        # a composite run step must name its shell
    commands = [args for s in STEPS for args in pubsync_commands(s.get("run", ""))]
    assert ["sync", "--exit-code"] in commands and ["review"] in commands
    assert {" ".join(a): check_command(a) for a in commands if check_command(a)} == {}


def test_installs_caches_syncs_and_opens_the_pull_request_in_order():
    uses = [s.get("uses", "").split("@")[0] or s.get("id") or s.get("name") for s in STEPS]
    order = ["actions/setup-python", "Install pubsync", "actions/cache/restore", "sync", "actions/cache/save",
             "changes", "Run summary and review queue", "peter-evans/create-pull-request"]
    assert [u for u in uses if u in order] == order
    assert step("Save the database")["if"].startswith("always()")
    assert step("pr")["if"] == "inputs.pull-request == 'true' && steps.changes.outputs.changed == 'true'"
    assert step("pr")["with"]["body-path"] == "${{ runner.temp }}/pr-body.md"
    assert step("sync")["env"]["PUBSYNC_CONFIG"] == "${{ inputs.config }}"


@pytest.mark.parametrize("code, step_exit", [(0, 0), (10, 0), (3, 0), (1, 1), (2, 2)])
def test_sync_step_exit_codes_and_run_summary(tmp_path, code, step_exit):
    bin_dir = fake(tmp_path, "pubsync", f"echo 'RUN-SUMMARY {code}'\nexit {code}\n")
    out = tmp_path / "github_output"
    proc = run_step(step("sync")["run"], tmp_path, {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                                                    "GITHUB_OUTPUT": str(out), "RUNNER_TEMP": str(tmp_path)})
    assert proc.returncode == step_exit, proc.stdout + proc.stderr
    assert out.read_text() == f"code={code}\n"
    assert (tmp_path / "pubsync-run.txt").read_text() == f"RUN-SUMMARY {code}\n"
    assert ("::warning" in proc.stdout) == (code == 3)


def test_pull_request_body_holds_the_run_summary_and_the_real_review_queue(tmp_path, realdata):
    (tmp_path / "site").mkdir()
    site = denner_site(tmp_path / "site", realdata)       # Denner's real ORCID/OpenAlex/Crossref recordings
    queue = run("review", cwd=site)
    assert queue.returncode == 0 and "Levers of Control" in queue.stdout      # a work pubsync asks about
    (tmp_path / "pubsync-run.txt").write_text("pubsync: 3 sources, 2 exports changed\n")
    summary = tmp_path / "step-summary.md"
    # the step runs `pubsync`: the installed console script (or python -m pubsync where there is none)
    command = " ".join(pubsync_cmd())
    bin_dir = fake(tmp_path, "pubsync", f'exec {command} "$@"\n')
    env = {"RUNNER_TEMP": str(tmp_path), "GITHUB_STEP_SUMMARY": str(summary), "CODE": "10", "CWD": str(site),
           "PUBSYNC_CONFIG": "config.toml", "PUBSYNC_DB": "data/pubsync.db",
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    proc = run_step(step("Run summary and review queue")["run"], tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    body = (tmp_path / "pr-body.md").read_text(encoding="utf-8")
    assert "exit code 10" in body and "pubsync: 3 sources, 2 exports changed" in body
    assert queue.stdout.strip() in body
    assert summary.read_text(encoding="utf-8") == body


def git_site(tmp_path: Path, days_ago: int) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    when = f"{int(time.time()) - days_ago * 86400} +0000"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]
    subprocess.run(git + ["init", "-q"], cwd=site, check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "x"], cwd=site, check=True, env=env)
    return site


@pytest.mark.parametrize("days, gh_exit, enabled, warned", [(10, 0, False, False), (55, 0, True, False),
                                                             (55, 1, False, True)])
def test_keepalive_re_enables_a_quiet_schedule_or_warns(tmp_path, days, gh_exit, enabled, warned):
    if not shutil.which("git"):
        pytest.skip("git not found")
    site = git_site(tmp_path, days)
    calls = tmp_path / "gh-calls"
    bin_dir = fake(tmp_path, "gh", f'echo "$@" >> {calls}\nexit {gh_exit}\n')
    proc = run_step(step("Keep the schedule alive")["run"], tmp_path, {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "CWD": str(site), "KEEPALIVE": "true",
        "GITHUB_REPOSITORY": "ada/site", "WORKFLOW_REF": "ada/site/.github/workflows/pubsync.yml@refs/heads/main"})
    assert proc.returncode == 0, proc.stderr
    called = calls.read_text() if calls.exists() else ""
    assert (called == "api -X PUT repos/ada/site/actions/workflows/pubsync.yml/enable\n") == (days >= 50)
    assert ("re-enabled pubsync.yml" in proc.stdout) == enabled
    assert ("::warning" in proc.stdout and "60 days" in proc.stdout) == warned
    assert step("Keep the schedule alive")["if"] == "always() && github.event_name == 'schedule'"


# ---- pubsync init --workflow ------------------------------------------------------------------------

def test_init_workflow_writes_a_scheduled_workflow_using_the_action(tmp_path):
    proc = run("init", "--workflow", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "OPENALEX_API_KEY" in proc.stdout and "S2_API_KEY" in proc.stdout
    workflow = yaml.safe_load((tmp_path / ".github/workflows/pubsync.yml").read_text(encoding="utf-8"))
    on = workflow.get("on", workflow.get(True))
    assert "workflow_dispatch" in on and len(on["schedule"][0]["cron"].split()) == 5
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write", "actions": "write"}
    [job] = workflow["jobs"].values()
    [action] = [s for s in job["steps"] if s.get("uses", "").startswith("pubsync/pubsync@")]
    assert action["uses"] == f"pubsync/pubsync@v{__version__}"
    assert set(action["with"]) <= set(ACTION["inputs"])
    assert action["env"]["OPENALEX_API_KEY"] == "${{ secrets.OPENALEX_API_KEY }}"
    assert action["env"]["S2_API_KEY"] == "${{ secrets.S2_API_KEY }}"
    again = run("init", "--workflow", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_init_workflow_for_a_hugo_site_names_pubsync_toml(tmp_path):
    (tmp_path / "config.toml").write_text('baseURL = "https://example.org/"\n')      # Hugo's own config
    (tmp_path / "content").mkdir()
    proc = run("init", "--orcid", "0000-0002-1825-0097", "--workflow", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "pubsync.toml").is_file()
    workflow = yaml.safe_load((tmp_path / ".github/workflows/pubsync.yml").read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    assert job["steps"][1]["with"]["config"] == "pubsync.toml"


def test_init_without_orcid_or_workflow_is_a_usage_error(tmp_path):
    proc = run("init", cwd=tmp_path)
    assert proc.returncode == 2 and "--orcid is required" in proc.stderr
    assert not (tmp_path / ".github").exists() and not (tmp_path / "config.toml").exists()


def test_ci_md_documents_every_input_of_the_action():
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", text, re.M))
    assert documented == set(ACTION["inputs"])
    assert "60 days" in text and "pubsync init --workflow" in text
