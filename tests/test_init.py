"""`pubsync init`: layout detection, a config that loads, never overwriting, clear errors."""
import re
from pathlib import Path

import pytest

from pubsync.config import DEFAULT_FORMATS, load_config
from pubsync.curation import load_curation
from pubsync.errors import UsageError
from pubsync.init import detect_site, init_site
from tests.clihelp import run

REPO = Path(__file__).resolve().parent.parent
ORCID = "0000-0002-1825-0097"          # ORCID's documented example iD (valid checksum)
CLI_ENV = {"PYTHONPATH": str(REPO)}


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


AL_FOLIO = {"_bibliography/papers.bib": "---\n---\n", "_data/": "",
            "_config.yml": "first_name: Josiah\nmiddle_name: S.\nlast_name: Carberry\nscholar_userid: qc6CJjYAAAAJ\n"
                           "orcid_id: 0000-0002-1825-0097\nscholar:\n  last_name: [Carberry]\n  style: apa\n"}
ACADEMICPAGES = {"_publications/2009-10-01-paper-title-number-1.md": "---\ntitle: x\n---\n", "_data/": "",
                 "_config.yml": "title: My site\nauthor:\n  name: \"Ada Lovelace\"\n"
                                "  googlescholar: \"https://scholar.google.com/citations?user=abcdefABCDEF&hl=en\"\n"}
HUGO = {"hugo.toml": "baseURL = 'https://example.org/'\ntitle = 'x'\n", "content/_index.md": "hi\n"}
YAML_SITE = {"_data/publications.yml": "- title: x\n", "_config.yml": "title: lab\n"}


@pytest.mark.parametrize("files, kind", [
    (AL_FOLIO, "al-folio"),
    ({"_bibliography/papers.bib": "", "_data/": ""}, "al-folio"),          # no _config.yml: the bib file decides
    (ACADEMICPAGES, "academicpages"),
    (HUGO, "hugo"),
    ({"config.toml": "baseURL = 'https://example.org/'\n", "content/": ""}, "hugo"),
    ({"config/_default/hugo.toml": "", "content/": ""}, "hugo"),
    (YAML_SITE, "yaml"),
    ({"index.html": "<html></html>"}, "plain"),
    ({"config.toml": "baseURL = 'x'\n"}, "plain"),                        # no content/: not a Hugo site
])
def test_detects_layout(tmp_path, files, kind):
    assert detect_site(tree(tmp_path, files)).kind == kind


def test_al_folio_evidence_names_the_scholar_key(tmp_path):
    layout = detect_site(tree(tmp_path, AL_FOLIO))
    assert layout.evidence == ["_bibliography/papers.bib", "_config.yml (scholar:)"]


@pytest.mark.parametrize("site, kind", [
    ("M0gician__m0gician.github.io", "al-folio"),
    ("alshedivat__al-folio", "al-folio"),
    ("xinghua-qu__xinghua-qu.github.io", "academicpages"),
    ("yifei-he__yifei-he.github.io", "academicpages"),
    ("63days__63days.github.io", "yaml"),
    ("0xdkay__0xdkay.github.io", "yaml"),
    ("Newbeeer__newbeeer.github.io", "yaml"),
    ("DylanZSZ__dylanzsz.github.io", "plain"),                        # a hand-written HTML page, no data files
])
def test_detects_real_site_layouts(realdata, site, kind):
    assert detect_site(realdata / "sites" / site).kind == kind


@pytest.mark.parametrize("files, kind", [(AL_FOLIO, "al-folio"), (ACADEMICPAGES, "academicpages"), (HUGO, "hugo"),
                                         (YAML_SITE, "yaml"), ({}, "plain")])
def test_written_config_loads(tmp_path, files, kind):
    tree(tmp_path, files)
    result = init_site(tmp_path, "https://orcid.org/0000-0002-1825-0097", name="Josiah Carberry")
    assert result.kind == kind
    cfg = load_config(result.config_path, required=True, env={})
    assert cfg.site_kind == kind
    assert [(p.name, p.orcid) for p in cfg.people] == [("Josiah Carberry", ORCID)]
    assert cfg.formats == DEFAULT_FORMATS[kind]
    assert cfg.site_root.resolve() == tmp_path.resolve()
    assert cfg.curation_path.resolve() == (tmp_path / "curation.toml").resolve()
    assert cfg.sources["scholar"].enabled is False
    curation = load_curation(cfg.curation_path)
    assert curation.works == {} and curation.decisions == []
    assert sum(1 for line in result.config_path.read_text().splitlines() if line.lstrip().startswith("#")) >= 10


_COMMENTED = re.compile(r"^# (\[[\w.\"-]+\]|\w+ = \S.*)$")


def commented_examples(text: str) -> list[list[int]]:
    """Line numbers of each commented-out example: a lone `# key = value`, or `# [table]` with its `# key = …` lines."""
    lines = text.splitlines()
    blocks: list[list[int]] = []
    for i, line in enumerate(lines):
        m = _COMMENTED.match(line)
        if not m:
            continue
        after_header = i > 0 and bool(_COMMENTED.match(lines[i - 1])) and blocks and blocks[-1][-1] == i - 1 \
            and lines[blocks[-1][0]].startswith("# [")
        if after_header and not m.group(1).startswith("["):
            blocks[-1].append(i)
        else:
            blocks.append([i])
    return blocks


@pytest.mark.parametrize("kind", ["al-folio", "academicpages", "hugo", "yaml", "plain"])
def test_every_commented_example_loads_when_uncommented(tmp_path, kind):
    result = init_site(tmp_path, ORCID, kind=kind, name="Josiah Carberry")
    text = result.config_path.read_text(encoding="utf-8")
    blocks = commented_examples(text)
    assert len(blocks) >= 10
    for block in blocks:
        lines = text.splitlines()
        for i in block:
            lines[i] = lines[i][2:]
        result.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            load_config(result.config_path, env={})
        except Exception as e:                                   # name the example that broke
            pytest.fail(f"uncommenting {[text.splitlines()[i] for i in block]} breaks the config: {e}")


def test_owner_read_from_al_folio_config(tmp_path):
    result = init_site(tree(tmp_path, AL_FOLIO), ORCID)
    person = load_config(result.config_path, env={}).people[0]
    assert (person.name, person.scholar) == ("Josiah S. Carberry", "qc6CJjYAAAAJ")


def test_owner_read_from_academicpages_config(tmp_path):
    result = init_site(tree(tmp_path, ACADEMICPAGES), ORCID)
    person = load_config(result.config_path, env={}).people[0]
    assert (person.name, person.scholar) == ("Ada Lovelace", "abcdefABCDEF")


def test_name_with_quotes_and_backslash_round_trips(tmp_path):
    name = 'Jo "JJ" O\\Neil'
    result = init_site(tmp_path, ORCID, kind="yaml", name=name, email="a@b.org")
    cfg = load_config(result.config_path, env={})
    assert cfg.people[0].name == name and cfg.sources["openalex"].mailto == "a@b.org"


def test_placeholder_name_without_site_config_still_loads(tmp_path):
    result = init_site(tmp_path, ORCID)
    assert load_config(result.config_path, env={}).people[0].name == "Your Name"
    assert any("set your name" in n for n in result.notes)


def test_kind_flag_wins_and_says_so(tmp_path):
    result = init_site(tree(tmp_path, ACADEMICPAGES), ORCID, kind="yaml")
    assert load_config(result.config_path, env={}).site_kind == "yaml"
    assert any("has the academicpages layout" in n for n in result.notes)


def test_hugo_config_toml_is_never_replaced(tmp_path):
    tree(tmp_path, {"config.toml": "baseURL = 'https://example.org/'\ntheme = 'x'\n", "content/": ""})
    before = (tmp_path / "config.toml").read_bytes()
    result = init_site(tmp_path, ORCID, force=True)
    assert (tmp_path / "config.toml").read_bytes() == before
    assert result.config_path == tmp_path / "pubsync.toml"
    assert load_config(result.config_path, env={}).site_kind == "hugo"
    assert any("--config pubsync.toml" in n for n in result.notes)


def test_explicit_config_name_over_a_foreign_file_is_refused(tmp_path):
    (tmp_path / "site.toml").write_text("baseURL = 'x'\n")
    with pytest.raises(UsageError, match="not a pubsync config"):
        init_site(tmp_path, ORCID, config_name="site.toml", config_explicit=True, force=True)


def test_existing_export_targets_are_reported(tmp_path):
    result = init_site(tree(tmp_path, AL_FOLIO), ORCID)
    assert result.existing_targets == ["_bibliography/papers.bib"]


@pytest.mark.parametrize("bad", ["0000-0002-1825-0098", "0000-0002-1825", "https://orcid.org/", "carberry"])
def test_bad_orcid_is_refused_before_writing(tmp_path, bad):
    with pytest.raises(UsageError, match="not a valid ORCID iD"):
        init_site(tmp_path, bad)
    assert list(tmp_path.iterdir()) == []


def test_missing_dir_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="is not a folder"):
        init_site(tmp_path / "nope", ORCID)


# ---- through the real command line ----------------------------------------------------------------

def test_cli_init_then_refuses_to_overwrite(tmp_path):
    tree(tmp_path, AL_FOLIO)
    first = run("init", "--orcid", ORCID, cwd=tmp_path, env=CLI_ENV)
    assert first.returncode == 0, first.stderr
    assert "al-folio" in first.stdout and (tmp_path / "config.toml").is_file()
    (tmp_path / "curation.toml").write_text('[works."x"]\nselected = true\n')
    written = (tmp_path / "config.toml").read_bytes()

    again = run("init", "--orcid", ORCID, cwd=tmp_path, env=CLI_ENV)
    assert again.returncode == 2
    assert "already exists" in again.stderr and "--force" in again.stderr and "Traceback" not in again.stderr
    assert (tmp_path / "config.toml").read_bytes() == written

    forced = run("init", "--orcid", ORCID, "--kind", "yaml", "--force", cwd=tmp_path, env=CLI_ENV)
    assert forced.returncode == 0, forced.stderr
    assert 'kind = "yaml"' in (tmp_path / "config.toml").read_text()
    assert (tmp_path / "curation.toml").read_text() == '[works."x"]\nselected = true\n'   # never replaced


def test_cli_bad_orcid_exits_2(tmp_path):
    proc = run("init", "--orcid", "0000-0002-1825-0098", "--dir", str(tmp_path), cwd=tmp_path, env=CLI_ENV)
    assert proc.returncode == 2
    assert "not a valid ORCID iD" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "config.toml").exists()


def test_cli_dir_option_and_loadable_output(tmp_path):
    site = tree(tmp_path / "site", HUGO)
    proc = run("init", "--orcid", ORCID, "--dir", str(site), "--name", "Josiah Carberry", cwd=tmp_path, env=CLI_ENV)
    assert proc.returncode == 0, proc.stderr
    cfg = load_config(site / "config.toml", env={})
    assert cfg.site_kind == "hugo" and cfg.formats == ["papers-yml"]
