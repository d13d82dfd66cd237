"""Config validation: every bad input names the file, the key and what to do, and exits 2 from the CLI."""
import subprocess
import sys
from pathlib import Path

import pytest

from pubsync.config import load_config, person_from_flags
from pubsync.errors import ConfigError
from tests.clihelp import run

GOOD = """
[site]
kind = "al-folio"

[[people]]
name = "Josiah Carberry"
orcid = "0000-0002-1825-0097"
openalex = "https://openalex.org/A5003721947"
scholar = "https://scholar.google.com/citations?user=qc6CJjYAAAAJ&hl=en"
arxiv = { query = "au:Carberry_J", ids = ["arXiv:1707.08567v2"] }

[sources]
mailto = "me@example.org"

[sources.arxiv]
timeout = 5
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_good_config_is_canonicalised(tmp_path):
    cfg = load_config(write(tmp_path, GOOD), env={})
    person = cfg.people[0]
    assert (person.orcid, person.openalex, person.scholar) == ("0000-0002-1825-0097", "A5003721947", "qc6CJjYAAAAJ")
    assert person.arxiv_ids == ["1707.08567"] and person.arxiv_query == "au:Carberry_J"
    assert cfg.sources["arxiv"].timeout == 5.0 and cfg.sources["arxiv"].min_interval == 3.0
    assert cfg.sources["openalex"].mailto == "me@example.org"
    assert cfg.sources["scholar"].enabled is False          # Scholar is opt-in
    assert cfg.formats == ["bibtex", "citations-yml"]       # al-folio's defaults


def test_env_overrides_base_url(tmp_path):
    cfg = load_config(write(tmp_path, GOOD), env={"PUBSYNC_ORCID_URL": "http://127.0.0.1:9/v3.0"})
    assert cfg.sources["orcid"].base_url == "http://127.0.0.1:9/v3.0"
    assert cfg.sources["openalex"].base_url == "https://api.openalex.org"


@pytest.mark.parametrize("text, needle", [
    (GOOD.replace('kind = "al-folio"', 'kind = "al-folio"\nrooot = "."'), "did you mean 'root'"),
    (GOOD.replace("timeout = 5", 'timeout = "fast"'), "sources.arxiv.timeout: must be"),
    (GOOD.replace("0000-0002-1825-0097", "0000-0002-1825-0098"), "not a valid ORCID iD"),
    (GOOD.replace('[site]', '[site'), "malformed TOML"),
    (GOOD.replace("https://scholar.google.com/citations?user=qc6CJjYAAAAJ&hl=en", "qc6CJ"), "not a Google Scholar user id"),
    (GOOD.replace('openalex = "https://openalex.org/A5003721947"', 'openalex = "W123"'), "not an OpenAlex author id"),
    (GOOD + '\n[sources.openalx]\n', "did you mean 'openalex'"),
    (GOOD.replace('kind = "al-folio"', 'kind = "alfolio"'), "did you mean 'al-folio'"),
])
def test_bad_config_names_the_problem(tmp_path, text, needle):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_error_names_the_line(tmp_path):
    path = write(tmp_path, GOOD.replace("timeout = 5", 'timeout = "fast"'))
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    line = next(i for i, l in enumerate(path.read_text().splitlines(), 1) if l.startswith("timeout"))
    assert f"{path}:{line}:" in str(err.value)


def test_flags_are_validated():
    assert person_from_flags(orcid="https://orcid.org/0000-0002-1825-0097").orcid == "0000-0002-1825-0097"
    with pytest.raises(ConfigError, match="--orcid"):
        person_from_flags(orcid="0000-0002-1825-0091")
    assert person_from_flags(arxiv="1707.08567, hep-th/9901001v2").arxiv_ids == ["1707.08567", "hep-th/9901001"]
    assert person_from_flags(arxiv="au:Carberry_J").arxiv_query == "au:Carberry_J"


@pytest.mark.parametrize("text", [
    GOOD.replace('kind = "al-folio"', 'kind = "al-folio"\nrooot = "."'),
    GOOD.replace("timeout = 5", 'timeout = "fast"'),
    GOOD.replace('[site]', '[site'),
    GOOD.replace("0000-0002-1825-0097", "0000-0002-1825-0098"),
])
def test_cli_exits_2_without_traceback(tmp_path, text):
    write(tmp_path, text)
    proc = run("sync", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "config.toml" in proc.stderr


def test_loading_a_config_imports_neither_the_matcher_nor_numpy(tmp_path):
    """`pubsync --help`, init and config errors stay quick: config.toml is read without the matcher's imports."""
    config = tmp_path / "config.toml"
    config.write_text('[[people]]\nname = "Josiah Carberry"\norcid = "0000-0002-1825-0097"\n', encoding="utf-8")
    code = ("import sys; from pathlib import Path; from pubsync.config import load_config; "
            f"load_config(Path({str(config)!r})); "
            "print(sorted(m for m in ('numpy', 'pubsync.match', 'pubsync.merge', 'rapidfuzz') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
