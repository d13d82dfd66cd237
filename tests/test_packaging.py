"""The release: `python -m build` makes an sdist and a wheel that `twine check --strict` accepts; the wheel carries
what pubsync reads at run time (the match model); `pipx install` of the wheel gives a `pubsync` that works from a
clean venv, away from the checkout. Publishing needs credentials this project does not have: the test stops at a
checked, ready-to-upload dist."""
import os
import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def clean_env(**extra: str) -> dict[str, str]:
    """No PYTHONPATH or PUBSYNC_* from the test run: the installed package must stand on its own."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PUBSYNC_")}
    return {**env, **extra}


def run(args: list, cwd: Path, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env or clean_env(), capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", out, REPO], cwd=out)
    return out


def source_version() -> str:
    return re.search(r'^__version__ = "([^"]+)"$', (REPO / "pubsync" / "__init__.py").read_text(), re.M).group(1)


def test_build_gives_an_sdist_and_a_wheel_twine_accepts(dist):
    wheel, sdist = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    version = source_version()
    assert [p.name for p in wheel] == [f"pubsync-{version}-py3-none-any.whl"]
    assert [p.name for p in sdist] == [f"pubsync-{version}.tar.gz"]
    result = run([sys.executable, "-m", "twine", "check", "--strict", *wheel, *sdist], cwd=dist)
    assert result.stdout.count("PASSED") == 2


def test_wheel_carries_the_model_the_license_and_the_metadata(dist):
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = Parser().parsestr(z.read(f"pubsync-{source_version()}.dist-info/METADATA").decode())
        model = z.read("pubsync/matchmodel.json")
    assert model == (REPO / "pubsync" / "matchmodel.json").read_bytes()
    assert f"pubsync-{source_version()}.dist-info/licenses/LICENSE" in names
    assert "pubsync/export/hugoblox.py" in names and "pubsync/cli/__init__.py" in names
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)
    assert meta["Name"] == "pubsync" and meta["Version"] == source_version() and meta["License-Expression"] == "MIT"
    assert "Programming Language :: Python :: 3.12" in meta.get_all("Classifier")
    assert "Changelog, https://github.com/pubsync/pubsync/blob/main/CHANGELOG.md" in meta.get_all("Project-URL")
    assert any(r.startswith("nh3") for r in meta.get_all("Requires-Dist"))


def test_changelog_names_the_version_being_released():
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## \[?([0-9][^\]\s]*)", changelog, re.M)
    assert first and first.group(1) == source_version()


def test_pipx_install_of_the_wheel_works_in_a_clean_venv(dist, tmp_path, realdata):
    [wheel] = dist.glob("*.whl")
    home, bin_dir = tmp_path / "pipx", tmp_path / "bin"
    env = clean_env(PIPX_HOME=str(home), PIPX_BIN_DIR=str(bin_dir), PIPX_MAN_DIR=str(tmp_path / "man"))
    run([sys.executable, "-m", "pipx", "install", wheel], cwd=tmp_path, env=env)
    pubsync = bin_dir / "pubsync"
    site = tmp_path / "site"
    site.mkdir()
    helped = run([pubsync, "--help"], cwd=site, env=env)
    assert "Usage: pubsync" in helped.stdout and "sync" in helped.stdout
    where = run([home / "venvs" / "pubsync" / "bin" / "python", "-c", "import pubsync; print(pubsync.__file__)"],
                cwd=site, env=env)
    assert str(home) in where.stdout and str(REPO) not in where.stdout
    # a real ORCID record through import, merge (the match model) and an export, from the installed wheel only
    orcid = realdata / "api/orcid/denner_2025-03_v3.0_works_0000-0002-4481-0115.utf8.json"
    (site / "config.toml").write_text('[site]\nkind = "al-folio"\n\n[[people]]\nname = "Carlos Denner dos Santos"\n'
                                      'orcid = "0000-0002-4481-0115"\n', encoding="utf-8")
    run([pubsync, "import", "orcid", orcid], cwd=site, env=env)
    bib = run([pubsync, "export", "--format", "bibtex", "--out", "-"], cwd=site, env=env).stdout
    assert "title = {Artificial Intelligence Regulation: a framework for governance}" in bib
