"""The nightly workflow and docs/ci.md: valid, triggered, cached, and every `pubsync …` they run exists in the CLI
with those options (checked by parsing each command with the real click group)."""
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest
import yaml

from pubsync.cli import cli
from pubsync.errors import EXIT_CHANGED, EXIT_SOURCE_FAILED

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / "docs" / "workflows" / "pubsync-nightly.yml"
CI_DOC = REPO / "docs" / "ci.md"


# ---- finding the pubsync commands in shell text ----------------------------------------------------

_OPERATOR = set(";&|<>()")
_COMMAND_POSITION = re.compile(r"(?:^|;|&&|\|\||\||`|\$\(|\{|\b(?:then|do|else|if|time|exec)|!|\b[A-Z_][A-Z0-9_]*=\S*)$")


def pubsync_commands(text: str) -> list[list[str]]:
    """Every `pubsync …` invocation in shell text, as argument lists (without the leading 'pubsync')."""
    found = []
    text = re.sub(r"\\\n\s*", " ", text)                       # line continuations
    text = re.sub(r"\$\{\{.*?\}\}", "X", text)                  # GitHub expressions
    for line in text.splitlines():
        for m in re.finditer(r"(?<![\w./@-])pubsync(?=\s|$|`)", line):
            if not _COMMAND_POSITION.search(line[:m.start()].rstrip()):
                continue                                        # 'pip install pubsync', prose, a branch name
            args = _arguments(line[m.end():])
            if args:                                            # a bare `pubsync` names the program, runs nothing
                found.append(args)
    return found


def _arguments(rest: str) -> list[str]:
    rest = rest.split("`", 1)[0]                                # an inline code span or command substitution ends
    while True:
        try:
            lexer = shlex.shlex(rest, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            tokens = list(lexer)
            break
        except ValueError:                                      # the command sat inside a quoted string: cut there
            cut = max(rest.rfind('"'), rest.rfind("'"))
            rest = rest[:cut]
    args = []
    for tok in tokens:
        if tok and set(tok) <= _OPERATOR:
            break
        args.append(tok)
    return args


def check_command(args: list[str]) -> str:
    """'' when `pubsync ARGS` parses with the real CLI (options, values, arguments, choices); else click's complaint."""
    group_opts = {name: p for p in cli.params for name in p.opts + p.secondary_opts}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, eq, _ = args[i].partition("=")
        if re.fullmatch(r"-v+", name):
            i += 1
            continue
        param = group_opts.get(name)
        if param is None:
            return f"no such global option: {name}"
        takes_value = isinstance(param, click.Option) and not param.is_flag and not param.count
        i += 2 if takes_value and not eq else 1
    if i >= len(args):
        return "no command"
    name, rest = args[i], args[i + 1:]
    command = cli.get_command(click.Context(cli), name)
    if command is None:
        return f"no such command: {name}"
    try:
        command.make_context(name, list(rest))
    except click.ClickException as e:
        return f"{name}: {e.format_message()}"
    return ""


# ---- the checker itself can fail --------------------------------------------------------------------

@pytest.mark.parametrize("line, complaint", [
    ("pubsync synk", "no such command"),
    ("pubsync sync --exitcode", "No such option"),
    ("pubsync report --out", "requires an argument"),
    ("pubsync same A", "Missing argument"),
    ("pubsync --dbb x sync", "no such global option"),
    ("pubsync init --orcid X --kind wordpress", "is not one of"),
])
def test_checker_rejects_bad_commands(line, complaint):
    [args] = pubsync_commands(line)
    assert complaint in check_command(args)


def test_extraction_finds_commands_and_skips_prose():
    text = ('pip install pubsync\nset +e; pubsync -q sync --exit-code || true\n'
            'echo "decide with `pubsync same A B`"\nbranch: pubsync/nightly\nx=$(pubsync review | wc -l)\n'
            'echo "the run changed files (pubsync exit code 10)"\nsee `pubsync` and pubsync.toml\n'
            'PUBSYNC_LOCK_WAIT=5 pubsync report --out "${{ runner.temp }}/r.html" > /dev/null')
    assert pubsync_commands(text) == [["-q", "sync", "--exit-code"], ["same", "A", "B"], ["review"],
                                      ["report", "--out", "X/r.html"]]


# ---- the workflow -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{WORKFLOW} is not a YAML mapping"
    return data


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))               # YAML 1.1 reads a bare `on` key as true


def steps(workflow: dict) -> list[dict]:
    [job] = workflow["jobs"].values()
    return job["steps"]


def test_triggers_schedule_and_manual(workflow):
    on = triggers(workflow)
    assert "workflow_dispatch" in on
    [schedule] = on["schedule"]
    fields = schedule["cron"].split()
    assert len(fields) == 5
    minute, hour = int(fields[0]), int(fields[1])
    assert 0 <= minute <= 59 and 0 <= hour <= 23 and fields[2:] == ["*", "*", "*"]


def test_every_pubsync_command_in_the_workflow_exists(workflow):
    commands = [args for step in steps(workflow) for args in pubsync_commands(step.get("run", ""))]
    assert ["sync", "--exit-code"] in commands and ["review"] in commands
    problems = {" ".join(args): check_command(args) for args in commands}
    assert {cmd: why for cmd, why in problems.items() if why} == {}


def test_database_is_restored_before_and_saved_after_the_sync(workflow):
    names = [s.get("uses", "") or s.get("run", "") for s in steps(workflow)]
    restore = next(i for i, s in enumerate(steps(workflow)) if s.get("uses", "").startswith("actions/cache/restore@"))
    save = next(i for i, s in enumerate(steps(workflow)) if s.get("uses", "").startswith("actions/cache/save@"))
    sync = next(i for i, n in enumerate(names) if "pubsync sync" in n)
    assert restore < sync < save
    for i in (restore, save):
        assert steps(workflow)[i]["with"]["path"].split() == ["data/pubsync.db"]
    assert steps(workflow)[restore]["with"]["restore-keys"].strip()
    assert steps(workflow)[save]["if"].startswith("always()")   # a failed sync still keeps what it stored


def test_pull_request_only_when_files_changed(workflow):
    pr = next(s for s in steps(workflow) if s.get("uses", "").startswith("peter-evans/create-pull-request@"))
    assert pr["if"] == "steps.changes.outputs.changed == 'true'"
    assert pr["with"]["body-path"].endswith("pr-body.md")
    body_step = next(s for s in steps(workflow) if "pr-body.md" in s.get("run", ""))
    assert ["review"] in pubsync_commands(body_step["run"])
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}


def bash() -> str:
    exe = shutil.which("bash")
    if not exe:
        pytest.skip("bash not found")
    return exe


def run_step(script: str, tmp_path: Path, env: dict) -> subprocess.CompletedProcess:
    """As GitHub runs a `run:` step: bash --noprofile --norc -eo pipefail."""
    path = tmp_path / "step.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run([bash(), "--noprofile", "--norc", "-eo", "pipefail", str(path)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **env}, cwd=env.get("CWD", tmp_path))


@pytest.mark.parametrize("code, job_exit", [(0, 0), (10, 0), (3, 0), (1, 1), (2, 2)])
def test_sync_step_keeps_a_failed_source_from_failing_the_site(workflow, tmp_path, code, job_exit):
    step = next(s for s in steps(workflow) if s.get("id") == "sync")
    fake = tmp_path / "bin" / "pubsync"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nexit {code}\n")
    fake.chmod(0o755)
    out = tmp_path / "github_output"
    proc = run_step(step["run"], tmp_path, {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
                                           "GITHUB_OUTPUT": str(out)})
    assert proc.returncode == job_exit, proc.stdout + proc.stderr
    assert out.read_text() == f"code={code}\n"
    if code == 3:
        assert "::warning" in proc.stdout


def test_change_detection_ignores_the_database(workflow, tmp_path):
    if not shutil.which("git"):
        pytest.skip("git not found")
    step = next(s for s in steps(workflow) if s.get("id") == "changes")
    site = tmp_path / "site"
    site.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]
    subprocess.run(git + ["init", "-q"], cwd=site, check=True)
    (site / "papers.bib").write_text("old\n")
    subprocess.run(git + ["add", "papers.bib"], cwd=site, check=True)
    subprocess.run(git + ["commit", "-qm", "x"], cwd=site, check=True)
    (site / "data").mkdir()
    (site / "data" / "pubsync.db").write_bytes(b"sqlite")
    out = tmp_path / "out1"
    assert run_step(step["run"], tmp_path, {"GITHUB_OUTPUT": str(out), "CWD": str(site)}).returncode == 0
    assert out.read_text() == "changed=false\n"
    (site / "papers.bib").write_text("new\n")
    out = tmp_path / "out2"
    assert run_step(step["run"], tmp_path, {"GITHUB_OUTPUT": str(out), "CWD": str(site)}).returncode == 0
    assert out.read_text() == "changed=true\n"


# ---- docs/ci.md ---------------------------------------------------------------------------------------

def doc_shell_snippets(markdown: str) -> list[str]:
    """Fenced code blocks (any language but yaml, which is checked through the workflow) and inline code spans."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.S | re.M)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", markdown, flags=re.S | re.M)
    spans = re.findall(r"`([^`\n]+)`", prose)
    return blocks + spans


def test_every_pubsync_command_in_ci_md_exists():
    commands = [args for snippet in doc_shell_snippets(CI_DOC.read_text(encoding="utf-8"))
                for args in pubsync_commands(snippet)]
    named = {args[0] for args in commands if args and not args[0].startswith("-")}
    assert {"sync", "diff", "init", "review", "same", "different", "report", "status", "pull"} <= named
    problems = {" ".join(args): check_command(args) for args in commands}
    assert {cmd: why for cmd, why in problems.items() if why} == {}


def test_ci_md_documents_the_exit_codes_the_code_uses():
    text = CI_DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d+) \| ([^|]+)\|", text, re.M))
    assert sorted(map(int, rows)) == [0, 1, 2, 3, 10]
    assert EXIT_SOURCE_FAILED == 3 and EXIT_CHANGED == 10
    assert "source failed" in rows[str(EXIT_SOURCE_FAILED)] and "exports changed" in rows[str(EXIT_CHANGED)]
    assert "docs/workflows/pubsync-nightly.yml" in text or "workflows/pubsync-nightly.yml" in text
