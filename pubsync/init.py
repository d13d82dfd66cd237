"""`pubsync init`: detect the site layout, then write a commented config.toml and an empty curation.toml.

Nothing here touches the network: the person's name and Scholar id are read from the site's own config when it has
them, and everything else is left as commented-out lines for the user to fill in.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubsync.config import DEFAULT_FORMATS, parse_scholar_id
from pubsync.errors import UsageError
from pubsync.export import SITE_KINDS, default_path
from pubsync.files import write_atomic
from pubsync.records import canonical_orcid

HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", "config.yml")
JEKYLL_CONFIG = "_config.yml"
# Keys only a pubsync config has at its top level (config.py's schema); any other key means someone else's file.
PUBSYNC_TOP_KEYS = {"site", "people", "sources", "merge", "export", "curation"}
FALLBACK_CONFIG_NAME = "pubsync.toml"


@dataclass
class SiteLayout:
    kind: str                              # one of config.SITE_KINDS; "plain" when nothing was recognised
    evidence: list[str] = field(default_factory=list)   # the files that decided it, for the message to the user


def detect_site(root: Path) -> SiteLayout:
    """Which static-site layout `root` holds. The most specific layout wins: al-folio and academicpages are Jekyll
    sites that also have `_data/`, so they are checked before the generic YAML-data layout."""
    bib = root / "_bibliography" / "papers.bib"
    jekyll = root / JEKYLL_CONFIG
    if bib.is_file():
        if jekyll.is_file() and _has_top_level_key(jekyll, "scholar"):
            return SiteLayout("al-folio", [str(bib.relative_to(root)), f"{JEKYLL_CONFIG} (scholar:)"])
        return SiteLayout("al-folio", [str(bib.relative_to(root))])
    if (root / "_publications").is_dir():
        return SiteLayout("academicpages", ["_publications/"])
    hugo_config = next((name for name in HUGO_CONFIGS if (root / name).is_file()), None)
    if hugo_config is None and (root / "config" / "_default").is_dir():
        hugo_config = "config/_default/"
    if hugo_config and (root / "content").is_dir() and not _is_pubsync_config(root / hugo_config):
        return SiteLayout("hugo", [hugo_config, "content/"])
    if (root / "_data").is_dir():
        return SiteLayout("yaml", ["_data/"])
    return SiteLayout("plain", [])


def _has_top_level_key(path: Path, key: str) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(rf"^{re.escape(key)}\s*:", text, re.M) is not None


def _is_pubsync_config(path: Path) -> bool:
    """A TOML file whose top-level keys are all pubsync's (an empty file counts: nothing would be lost)."""
    if path.suffix != ".toml" or not path.is_file():
        return False
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return False
    return set(data) <= PUBSYNC_TOP_KEYS


# ---- what the site already says about its owner --------------------------------------------------

@dataclass
class SiteOwner:
    name: str = ""
    scholar: str = ""
    orcid: str = ""


def site_owner(root: Path, kind: str) -> SiteOwner:
    """Name, Scholar id and ORCID iD from the site's `_config.yml` (al-folio: first_name/last_name, scholar_userid;
    academicpages: author.name, author.googlescholar). Anything unreadable just yields nothing."""
    owner = SiteOwner()
    path = root / JEKYLL_CONFIG
    if kind not in ("al-folio", "academicpages", "yaml") or not path.is_file():
        return owner
    data = _load_yaml(path)
    if not isinstance(data, dict):
        return owner
    if kind == "al-folio":
        parts = [_text(data.get(k)) for k in ("first_name", "middle_name", "last_name")]
        owner.name = " ".join(p for p in parts if p)
        owner.scholar = parse_scholar_id(_text(data.get("scholar_userid")))
        owner.orcid = canonical_orcid(_text(data.get("orcid_id")))
    else:
        author = data.get("author") if isinstance(data.get("author"), dict) else {}
        owner.name = _text(author.get("name")) or _text(data.get("name"))
        owner.scholar = parse_scholar_id(_text(author.get("googlescholar")))
        owner.orcid = canonical_orcid(_text(author.get("orcid")))
    if owner.name.lower() in ("your name", "your sidebar name", "you"):   # template placeholders
        owner.name = ""
    return owner


def _load_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    try:
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8", errors="replace"))
    except (YAMLError, OSError, ValueError):
        return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# ---- the files written ---------------------------------------------------------------------------

def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _merge_examples() -> str:
    """Commented examples built from the merger's own defaults, so they stay valid when uncommented."""
    from pubsync.settings import DEFAULT_FIELD_ORDER, MergeSettings
    defaults = MergeSettings()
    title_order = ", ".join(_toml_str(s) for s in DEFAULT_FIELD_ORDER["title"])
    return (f"# preprint_display = {_toml_str(defaults.preprint_display)}"
            '   # "link": a preprint and its published version are one entry (the preprint as a link); "separate": two\n'
            f"# title = [{title_order}]   # the source that wins a field (also authors, venue, date, …)")


HUGO_BLOX_FOLDERS = ("content/publication", "content/publications")   # Wowchemy/Hugo Blox, and newer Hugo Blox


def hugo_blox_folder(root: Path) -> str:
    """The publication folder of a Hugo Blox (Wowchemy) site, '' when there is none."""
    return next((rel for rel in HUGO_BLOX_FOLDERS if (root / rel).is_dir()), "")


def render_config(orcid: str, kind: str, name: str = "", scholar: str = "", email: str = "",
                  evidence: list[str] | None = None, hugo_blox: str = "") -> str:
    """The commented config.toml text. `orcid` must already be canonical. `hugo_blox`: the site's Hugo Blox
    publication folder; its page bundles are then the export."""
    formats = ", ".join(_toml_str(f) for f in (["hugoblox"] if hugo_blox else DEFAULT_FORMATS[kind]))
    export_example = (f'[export.hugoblox]\npath = {_toml_str(hugo_blox)}   # one page bundle per work; bundles you wrote '
                      'are never touched\n# author_pages = { "Your Name" = "admin" }   # you, as your author page'
                      if hugo_blox else '# [export.bibtex]\n# path = "_bibliography/papers.bib"   # where a format is '
                      'written, relative to the site root')
    detected = f"  (detected from {', '.join(evidence)})" if evidence else ""
    name_line = f"name = {_toml_str(name)}" if name else 'name = "Your Name"            # CHANGE ME: as your site shows it'
    scholar_line = (f"scholar = {_toml_str(scholar)}           # Google Scholar user id (from your site's config)"
                    if scholar else '# scholar = "qc6CJjYAAAAJ"      # Google Scholar user id: the user= part of your profile URL')
    mailto_line = f"mailto = {_toml_str(email)}" if email else '# mailto = "you@example.org"    # contact sent to OpenAlex/Crossref (their polite pool)'
    return f"""\
# pubsync configuration — written by `pubsync init`. Every key is explained beside it; delete what you do not need.
# Check it with `pubsync status`, preview what a sync would change with `pubsync diff`, then run `pubsync sync`.

[site]
kind = {_toml_str(kind)}{' ' * max(1, 20 - len(kind))}# {' | '.join(SITE_KINDS)}{detected}
root = "."                      # the site's root folder, relative to this file
# name = "lab"                  # a label for this profile in the database

[[people]]                      # one [[people]] table per person (lab mode: add more)
{name_line}
orcid = {_toml_str(orcid)}
# openalex = "A5003721947"      # OpenAlex author id; found from the ORCID iD when left out
{scholar_line}
# arxiv = {{ query = "au:Carberry_J", ids = ["1707.08567"] }}   # an arXiv author query and/or ids
# aliases = ["J. Carberry"]     # other spellings of the name, for marking you in author lists
# years = [2019, 2024]          # lab mode: the years this person was a member

[sources]
{mailto_line}
# Secrets never go in this file: OpenAlex reads its API key from env OPENALEX_API_KEY, ORCID a token from ORCID_TOKEN.

# [sources.scholar]
# enabled = true                # Google Scholar is opt-in: it has no API and may block scripts (a block never fails a sync)

# [sources.arxiv]
# timeout = 20                  # seconds per request; arXiv asks for 3 s between requests, which pubsync keeps

[merge]
{_merge_examples()}

[export]
formats = [{formats}]
# exclude_types = ["dataset", "other"]
{export_example}

[curation]
path = "curation.toml"          # your decisions and site extras (selected, pdf, code, …); pubsync never rewrites your edits
"""


CURATION_TEMPLATE = """\
# pubsync curation — your decisions and per-work site extras. pubsync reads this on every merge, so nothing here is
# lost when the database is rebuilt. `pubsync same A B` / `pubsync different A B` append entries for you.
# A work is named by its key (see `pubsync explain KEY`), or by "doi:10.…", "arxiv:2101.00001", "orcid:PUT-CODE".
#
# [works."carberry2021psychoceramics"]
# selected = true                 # al-folio: shown on the about page
# abbr = "ICML"
# pdf = "carberry2021.pdf"
# code = "https://github.com/you/project"
# hide = true                     # keep it in the database, leave it off the site
# not_mine = true                 # a work wrongly attributed to you
# pin = { title = "The corrected title" }   # field values that win over every source
#
# [[same]]                        # these are one work, whatever the matcher says
# works = ["doi:10.1000/a", "arxiv:2101.00001"]
#
# [[different]]                   # these are never one work
# works = ["doi:10.1000/a", "doi:10.1000/b"]
"""


@dataclass
class InitResult:
    config_path: Path
    curation_path: Path | None             # None when a curation file was already there (it is never replaced)
    layout: SiteLayout
    kind: str
    owner: SiteOwner
    existing_targets: list[str] = field(default_factory=list)   # export files already on disk that sync will rewrite
    notes: list[str] = field(default_factory=list)


def init_site(directory: Path, orcid: str, *, kind: str = "", config_name: str = "config.toml",
              config_explicit: bool = False, name: str = "", email: str = "", force: bool = False) -> InitResult:
    """Write config.toml (+ curation.toml) into `directory`. Raises UsageError (exit 2) for a bad iD, a bad kind,
    a missing directory, or an existing config without `force`."""
    bare = canonical_orcid(orcid)
    if not bare:
        raise UsageError(f"--orcid: {orcid!r} is not a valid ORCID iD (format 0000-0000-0000-000X, and the last "
                         "character is a checksum); copy it from your ORCID record, e.g. 0000-0002-1825-0097")
    if kind and kind not in SITE_KINDS:
        raise UsageError(f"--kind: unknown site kind {kind!r}; one of {', '.join(SITE_KINDS)}")
    if not directory.is_dir():
        raise UsageError(f"--dir: {directory} is not a folder; create it or point --dir at your site's root")
    layout = detect_site(directory)
    chosen = kind or layout.kind
    notes: list[str] = []
    if kind and layout.kind != "plain" and kind != layout.kind:
        notes.append(f"this folder has the {layout.kind} layout ({', '.join(layout.evidence)}), "
                     f"but --kind {kind} was given; using {kind}")

    config_path = directory / config_name
    if config_path.exists() and not _is_pubsync_config(config_path):
        # e.g. Hugo's own config.toml: never replace another tool's file, not even with --force.
        if config_explicit or config_name == FALLBACK_CONFIG_NAME:
            raise UsageError(f"{config_path}: exists and is not a pubsync config; choose another name with "
                             f"--config, e.g. --config {FALLBACK_CONFIG_NAME}")
        config_path = directory / FALLBACK_CONFIG_NAME
        notes.append(f"{config_name} belongs to your site generator, so pubsync's config is {FALLBACK_CONFIG_NAME}: "
                     f"run pubsync with --config {FALLBACK_CONFIG_NAME} (or export PUBSYNC_CONFIG={FALLBACK_CONFIG_NAME})")
    if config_path.exists() and not force:
        raise UsageError(f"{config_path}: a config already exists; pubsync init never overwrites one — edit it, "
                         "or pass --force to replace it")

    owner = site_owner(directory, chosen)
    if owner.orcid and owner.orcid != bare:
        notes.append(f"the site's config names ORCID iD {owner.orcid}, but --orcid is {bare}; using {bare}")
    person_name = name.strip() or owner.name
    if not person_name:
        notes.append(f"set your name in {config_path.name} ([[people]] name): it marks you in author lists")
    hugo_blox = hugo_blox_folder(directory) if chosen == "hugo" else ""
    if hugo_blox:
        notes.append(f"{hugo_blox}/ holds Hugo Blox page bundles: the config writes one per work there (hugoblox); "
                     "bundles without 'generated_by: pubsync' are never touched")
    text = render_config(bare, chosen, name=person_name, scholar=owner.scholar, email=email.strip(),
                         evidence=layout.evidence if chosen == layout.kind else None, hugo_blox=hugo_blox)
    write_atomic(config_path, text.encode("utf-8"))

    curation_path: Path | None = directory / "curation.toml"
    if curation_path.exists():
        notes.append(f"{curation_path.name} exists already and was kept as it is")
        curation_path = None
    else:
        write_atomic(curation_path, CURATION_TEMPLATE.encode("utf-8"))
    return InitResult(config_path, curation_path, layout, chosen, owner,
                      existing_targets=_existing_targets(directory, chosen), notes=notes)


def _existing_targets(root: Path, kind: str) -> list[str]:
    """Export targets already present: the first sync replaces them, so the user should look at `pubsync diff` first."""
    return [rel for fmt in DEFAULT_FORMATS[kind] if (root / (rel := default_path(fmt, kind))).exists()]


# ---- the nightly workflow -----------------------------------------------------------------------------

WORKFLOW_PATH = Path(".github") / "workflows" / "pubsync.yml"
WORKFLOW_SECRETS = (("OPENALEX_API_KEY", "required: OpenAlex asks for a key since 2026 (free, openalex.org)"),
                    ("S2_API_KEY", "optional: a Semantic Scholar key raises its rate limit"))


def render_workflow(config_name: str = "config.toml") -> str:
    """The site's `.github/workflows/pubsync.yml`: the pubsync Action on a nightly schedule and the Run button."""
    from pubsync import __version__
    config_line = f"          config: {config_name}\n" if config_name != "config.toml" else ""
    return f"""\
# pubsync nightly: pull the sources, merge, rewrite the publication files, and open a pull request when they
# changed. Written by `pubsync init --workflow`; see pubsync's docs/ci.md.
# Secrets (Settings → Secrets and variables → Actions): OPENALEX_API_KEY, optionally S2_API_KEY.
# Also: Settings → Actions → General → "Allow GitHub Actions to create and approve pull requests".
name: pubsync nightly

on:
  schedule:
    - cron: "17 4 * * *"            # daily at 04:17 UTC (off the hour: on-the-hour schedules are delayed the most)
  workflow_dispatch:                 # the "Run workflow" button

permissions:
  contents: write                    # push the pull request's branch
  pull-requests: write               # open or update the pull request
  actions: write                     # keepalive: re-enable this schedule before GitHub's 60-day inactivity cut-off

concurrency:                         # never two syncs at once: they share one cached database
  group: pubsync-nightly
  cancel-in-progress: false

jobs:
  sync:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: pubsync/pubsync@v{__version__}
        env:
          OPENALEX_API_KEY: ${{{{ secrets.OPENALEX_API_KEY }}}}
          S2_API_KEY: ${{{{ secrets.S2_API_KEY }}}}
          ORCID_TOKEN: ${{{{ secrets.ORCID_TOKEN }}}}
        with:
{config_line}          python-version: "3.12"
          pull-request: "true"
          # token: ${{{{ secrets.PUBSYNC_PR_TOKEN }}}}   # to have your other workflows run on pubsync's pull requests
"""


def write_workflow(directory: Path, config_name: str = "config.toml", force: bool = False,
                   config_given: bool = False) -> Path:
    """Write `.github/workflows/pubsync.yml` under `directory`; UsageError (exit 2) when one exists and not `force`.
    Unless the config's name was given, a site whose config.toml is its generator's and that has a pubsync.toml
    (what `pubsync init` writes for Hugo) gets a workflow that names pubsync.toml."""
    if not config_given and config_name == "config.toml" and not _is_pubsync_config(directory / "config.toml") \
            and (directory / FALLBACK_CONFIG_NAME).is_file():
        config_name = FALLBACK_CONFIG_NAME
    if not directory.is_dir():
        raise UsageError(f"--dir: {directory} is not a folder; create it or point --dir at your site's root")
    path = directory / WORKFLOW_PATH
    if path.exists() and not force:
        raise UsageError(f"{path}: a workflow already exists; pubsync init never overwrites one — edit it, or pass "
                         "--force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, render_workflow(config_name).encode("utf-8"))
    return path
