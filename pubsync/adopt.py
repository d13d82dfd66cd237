"""`pubsync adopt [PATH …]`: the site's hand-kept publication list becomes pubsync's starting point.

Each file is read by the `site` source (sources/site.py) into raw records stored under the person's profile like
every source's; re-adopting a file replaces what it gave before (an entry the owner deleted goes); the merge then
matches them with the other sources' records. A BibTeX entry keeps its citation key, so `{% cite %}` tags and the
`_bibliography` file it lives in stay valid.

With no PATH, the files the config's exports point at, then the site kind's usual places, whichever exist.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pubsync.config import DEFAULT_FORMATS, Config
from pubsync.errors import UsageError
from pubsync.sources import RawRecord, SourceError, site
from pubsync.store import Store

# Where each site kind keeps its list by hand (globs under the site root), beyond the configured export paths.
USUAL_PLACES = {
    "al-folio": ["_bibliography/*.bib"],
    "academicpages": ["_publications/*.md", "_pages/publications.md"],
    "hugo": ["data/publications.yaml", "data/publications.yml", "data/papers.yaml", "data/publications.json",
             "content/publication/*/index.md", "content/publications/*/index.md"],        # Hugo Blox: a page each
    "yaml": ["_data/papers.yml", "_data/publications.yml", "_data/publications.json"],
    "plain": ["*.bib", "publications.json", "publications.md", "publications.html", "index.html", "index.md"],
}
_ADOPTABLE_FORMATS = ("bibtex", "site-data", "papers-yml", "academicpages", "markdown", "html")
# Keys every item of pubsync's own papers.yml has (docs/papers-yml.md) and a hand-kept list does not have together.
_PAPERS_YML_KEYS = {"ids", "citations", "links", "authors"}
_SUFFIXES = (".bib", ".md", ".markdown", ".html", ".htm", ".yml", ".yaml", ".json")
# Marks of files pubsync generated (academicpages pages): not the owner's list, unless it is a page adopted earlier
# and written back (`adopted: true`), which the owner may keep editing.
_WRITTEN_BY_PUBSYNC = ("generated_by: pubsync",)


@dataclass
class SiteFile:
    path: Path
    name: str                      # relative to the site root (posix): the entries' source ids start with it
    form: str
    raws: list[RawRecord]


@dataclass
class AdoptSummary:
    files: list[SiteFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)    # "path: why" for usual places that hold no list
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    keys_kept: int = 0             # works whose citation key is the site's own


def site_files(cfg: Config, paths: list[Path]) -> tuple[list[SiteFile], list[str]]:
    """The files to adopt, read: those named (a folder stands for the files in it), else the default places. A
    named file that holds no list is a usage error; a default place without one is skipped, with the reason."""
    named = bool(paths)
    found, skipped = [], []
    for path in _expand(paths) if named else _default_places(cfg):
        name = _site_name(path, cfg.site_root)
        try:
            site_file, problems = _read(path, name)
        except _NoList as e:
            if named:
                raise UsageError(f"{name}: cannot adopt: {e}; fix the file or leave it out of the PATHs") from None
            skipped.append(f"{name}: {e}")
            continue
        found.append(site_file)
        skipped += [f"an entry of {name} (fix it and adopt again, or exports leave it out): {problem}"
                    for problem in problems]
    pages = [f for f in found if f.form in ("markdown", "html")]
    if pages and not named:
        # A page that lists the papers by hand is what the site shows; paper pages beside it are not rendered
        # (academicpages' collection loop is then commented out, as on yifei-he.github.io).
        for f in [f for f in found if f.form == "academicpages"]:
            found.remove(f)
            skipped.append(f"{f.name}: not shown on the site ({pages[0].name} lists the papers by hand)")
    if not found and not named:
        raise UsageError(f"no publication list found in {cfg.site_root} (looked at "
                         f"{', '.join(USUAL_PLACES[_kind(cfg)])} and the configured exports); name the file: "
                         "pubsync adopt PATH")
    return found, skipped


class _NoList(Exception):
    """The file holds no list to adopt; str(e) says why."""


def _read(path: Path, name: str) -> tuple[SiteFile, list[str]]:
    """The file's entries, and one line per BibTeX entry that could not be read. Raises _NoList."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    if any(mark in text for mark in _WRITTEN_BY_PUBSYNC) and "\nadopted: true\n" not in text:
        raise _NoList("written by pubsync, not by hand")
    try:
        raws, problems = site.read(text.encode("utf-8"), name)
        if problems and not raws:
            raise SourceError(problems[0])
        for raw in raws:
            site.parse(raw)
    except (SourceError, ValueError, KeyError, StopIteration) as e:
        raise _NoList(str(e).removeprefix(f"{name}: ")) from None
    if not raws:
        raise _NoList("no publication entries found in it; name the file that holds the list")
    form = site.form_of(name, text)
    if form == "data" and all(_PAPERS_YML_KEYS <= set(json.loads(raw.payload)["item"]) for raw in raws):
        raise _NoList("pubsync's own papers.yml (written by the papers-yml export), not by hand")
    return SiteFile(path, name, form, raws), problems


def _expand(paths: list[Path]) -> list[Path]:
    out = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return out


def _default_places(cfg: Config) -> list[Path]:
    root = cfg.site_root
    places: list[Path] = []
    for fmt in cfg.formats or DEFAULT_FORMATS.get(cfg.site_kind, []):
        if fmt not in _ADOPTABLE_FORMATS:
            continue
        target = cfg.export_path(fmt)
        if fmt == "bibtex":
            places += sorted(target.parent.glob("*.bib"))
        elif target.is_dir():
            places += sorted(target.glob("*.md"))
        elif target.is_file():
            places.append(target)
    for pattern in USUAL_PLACES.get(_kind(cfg), []):
        places += sorted(root.glob(pattern))
    unique: dict[Path, None] = {}
    for path in places:
        if path.is_file():
            unique.setdefault(path.resolve(), None)
    return list(unique)


def _kind(cfg: Config) -> str:
    """The site kind: the config's, or (running without a config file) the one `pubsync init` would detect."""
    if cfg.path is not None:
        return cfg.site_kind
    from pubsync.init import detect_site
    return detect_site(Path(cfg.site_root)).kind


def _site_name(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def store_site_files(store: Store, profile: str, files: list[SiteFile], summary: AdoptSummary) -> None:
    """Each file's entries stored (one transaction); entries an earlier adopt of the same file gave and the file
    no longer has are removed: for the site's own list the file is the truth."""
    names = {f.name for f in files}
    current = {raw.source_id for f in files for raw in f.raws}
    stored = {raw.source_id: raw for _, owner, raw in store.iter_raw()
              if owner == profile and raw.source == site.NAME and raw.source_id in current}
    # An entry whose record is the same as before is kept as first stored: re-adopting the file pubsync wrote
    # (formatting normalised, values the same) changes nothing.
    raws = [stored[raw.source_id] if raw.source_id in stored and _same_record(stored[raw.source_id], raw) else raw
            for f in files for raw in f.raws]
    with store.transaction():
        counts = store.save_raw(profile, raws)
        gone = [sid for sid in store.known_markers(profile, site.NAME)
                if sid.rsplit("#", 1)[0] in names and sid not in current]
        summary.removed = store.delete_raw(profile, site.NAME, sorted(gone))
    summary.new, summary.changed, summary.unchanged = counts["new"], counts["changed"], counts["unchanged"]


def _same_record(old: RawRecord, new: RawRecord) -> bool:
    try:
        return [r.to_dict() for r in site.parse(old)] == [r.to_dict() for r in site.parse(new)]
    except Exception:               # an old payload this version cannot read: take the new one
        return False


def formatting_only(path: Path, old: bytes | None, new: bytes | None, root: Path) -> bool:
    """True when writing `new` over `old` changes only the formatting of a list the site source reads: both give the
    same entries with the same values (the first write after `pubsync adopt` normalises a hand-kept file once)."""
    if old is None or new is None:
        return False
    name = _site_name(path, root)
    try:
        before = [r.to_dict() for raw in site.load(old, name) for r in site.parse(raw)]
        after = [r.to_dict() for raw in site.load(new, name) for r in site.parse(raw)]
    except Exception:                 # not a list the site source reads: a real change, shown as such
        return False
    return bool(before) and _canonical(before) == _canonical(after)


def _canonical(records: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in records)
