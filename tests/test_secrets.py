"""API keys and tokens come only from the environment and go only to their service: never into the database, the
HTTP cache, stdout/stderr (errors with URLs included, -vv included), `status`, `explain` or any export."""
from __future__ import annotations

import pytest

from tests.clihelp import run
from tests.faultworld import FaultWorld, cli_env, write_config

OPENALEX_KEY = "oakey-PLANTED-9f27c1d4e8"
ORCID_TOKEN = "orcidtok-PLANTED-5be1a7c3"
SECRETS = (OPENALEX_KEY, ORCID_TOKEN)
# The syncs the secrets go through, in order: (name, faults per source, sources that quote the request back in a
# 400, extra CLI flags). -vv is where tracebacks and full URLs would show.
SECRET_RUNS = [
    ("healthy", {}, set(), []),
    ("echoed-400", {}, {"openalex", "orcid"}, ["-vv"]),
    ("503 and dns", {"openalex": "503", "orcid": "dns"}, set(), []),
    ("read-timeout and reset", {"openalex": "read-timeout", "orcid": "reset"}, set(), ["-vv"]),
]


@pytest.fixture(scope="module")
def exercised(tmp_path_factory):
    """A site synced with planted secrets through healthy and failing sources; every output collected."""
    root = tmp_path_factory.mktemp("secrets") / "root"
    write_config(root, source_extra={"openalex": 'cache = true\ncache_dir = "data/http-cache"\n'})
    secrets_env = {"OPENALEX_API_KEY": OPENALEX_KEY, "ORCID_TOKEN": ORCID_TOKEN}
    outputs: list[tuple[str, str]] = []
    sent_key = False
    for name, breaks, echo, flags in SECRET_RUNS:
        with FaultWorld() as world:
            for source, fault in breaks.items():
                world.break_source(source, fault)
            world.echo_errors |= echo
            proc = run(*flags, "sync", cwd=root, env=cli_env(world, **secrets_env), timeout=60)
            outputs.append((f"{name} sync (exit {proc.returncode})", proc.stdout + proc.stderr))
            assert proc.returncode == (0 if not breaks and not echo else 3), proc.stderr
            sent_key |= any(q.get("api_key") == OPENALEX_KEY for p, q in world.server.requests)
    env = cli_env(**secrets_env)
    for args in (["status"], ["status", "--json"], ["export", "--format", "bibtex", "--out", "-"],
                 ["export", "--format", "csl-json", "--out", "-"], ["review"]):
        proc = run(*args, cwd=root, env=env)
        outputs.append((" ".join(args), proc.stdout + proc.stderr))
    import sqlite3
    conn = sqlite3.connect(f"file:{root / 'data' / 'pubsync.db'}?mode=ro", uri=True)
    keys = [k for (k,) in conn.execute("SELECT key FROM works")]
    conn.close()
    for key in keys[:3]:
        proc = run("explain", key, "--json", cwd=root, env=env)
        outputs.append((f"explain {key}", proc.stdout + proc.stderr))
    return root, outputs, sent_key


def test_the_key_was_really_used(exercised):
    _, _, sent_key = exercised
    assert sent_key, "the planted OpenAlex key never reached the (replayed) service, so the test proves nothing"


@pytest.mark.parametrize("secret", SECRETS, ids=["OPENALEX_API_KEY", "ORCID_TOKEN"])
def test_no_secret_in_any_output(exercised, secret):
    _, outputs, _ = exercised
    leaks = [name for name, text in outputs if secret in text]
    assert not leaks, f"the secret appears in the output of: {leaks}"


@pytest.mark.parametrize("secret", SECRETS, ids=["OPENALEX_API_KEY", "ORCID_TOKEN"])
def test_no_secret_in_any_file(exercised, secret):
    root, _, _ = exercised
    files = [p for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "pubsync.db" for p in files)
    leaks = [str(p.relative_to(root)) for p in files if secret.encode() in p.read_bytes()]
    assert not leaks, f"the secret is stored in: {leaks}"
