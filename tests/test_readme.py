"""The README's examples are the reference users copy: they must load as written."""
from pathlib import Path

from pubsync.config import load_config
from pubsync.curation import load_curation

README = Path(__file__).resolve().parent.parent / "README.md"


def block_after(heading: str) -> str:
    return README.read_text(encoding="utf-8").split(heading, 1)[1].split("```toml", 1)[1].split("```", 1)[0]


def test_config_reference_loads(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(block_after("## Configuration (`config.toml`)"))
    cfg = load_config(path, env={})
    assert cfg.people[0].orcid == "0000-0002-1825-0097" and cfg.people[0].years == (2019, 2024)
    assert cfg.export_options["papers-yml"]["per_person"] == "_data/people/{person}.yml"
    assert cfg.sources["openalex"].incremental is False


def test_curation_reference_loads(tmp_path):
    path = tmp_path / "curation.toml"
    path.write_text(block_after("## Curation (`curation.toml`)"))
    cur = load_curation(path)
    assert cur.works["carberry2021psychoceramics"].extra["abbr"] == "ICML"
    assert {d.kind for d in cur.decisions} == {"same", "different"}


def test_repo_config_loads():
    cfg = load_config(README.parent / "config.toml", env={})
    assert cfg.people[0].name == "Josiah Carberry" and cfg.formats == ["bibtex", "papers-yml"]
