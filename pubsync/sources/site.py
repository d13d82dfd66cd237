"""The `site` source: the publication list the site's owner keeps by hand, adopted by `pubsync adopt`.

Each entry of the site's list is one raw record; its payload is JSON {"form", "file", "text" | "item"}: the form
that read it, the file it came from (relative to the site root), and the entry as written. One module per form:

    bibtex         al-folio `_bibliography/*.bib`, any `.bib`        (here, with sources/bibtex.py's reader)
    academicpages  `_publications/*.md`, one page per paper          (site_pages.py)
    data           `_data/*.yml`, `publications.json`: a list        (site_data.py)
    markdown/html  a list in a page                                  (site_lists.py)

Every record carries extra["fields"] (what the owner wrote that the record has no attribute for, under the site's
own names, passed through to the exports) and extra["site"] = {"form", "file", "key", …} (where it came from, so an
entry goes back to its own file).
"""
from __future__ import annotations

import json
from pathlib import PurePosixPath

from pubsync.records import Record
from pubsync.sources import RawRecord, SourceError, bibtex, site_data, site_lists, site_pages

NAME = "site"
FORMS = ("bibtex", "academicpages", "data", "markdown", "html")


def form_of(name: str, text: str) -> str:
    """Which form a site file is, from its name (and, for a Markdown page, whether it is one paper's page)."""
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    if suffix == ".bib":
        return "bibtex"
    if suffix in (".yml", ".yaml", ".json"):
        return "data"
    if suffix in (".md", ".markdown"):
        return "academicpages" if site_pages.is_paper_page(text) else "markdown"
    if suffix in (".html", ".htm"):
        return "html"
    raise SourceError(f"{name}: pubsync cannot adopt a {suffix or 'suffix-less'} file; adopt .bib, .md, .html, "
                      ".yml/.yaml or .json files")


def load(data: bytes, name: str) -> list[RawRecord]:
    """The entries of one site file; `name` is its path relative to the site root (the source ids use it). Raises
    SourceError on the first entry it cannot read."""
    raws, problems = read(data, name)
    if problems:
        raise SourceError(f"{name}: {problems[0]}")
    return raws


def read(data: bytes, name: str) -> tuple[list[RawRecord], list[str]]:
    """(the entries of one site file it can read, one line per BibTeX entry it cannot): what `pubsync adopt` keeps of
    a hand-kept .bib with one broken entry. Other forms are read whole or not at all (SourceError)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{name}: not UTF-8 text") from None
    form = form_of(name, text)
    problems: list[str] = []
    if form == "bibtex":
        found, problems = bibtex.split_lenient(text)
        entries = [(entry.key, {"text": entry.text}) for entry in found]
    elif form == "academicpages":
        entries = [(PurePosixPath(name).stem, {"text": text})]
    elif form == "data":
        entries = site_data.items(text, name)
    else:
        entries = site_lists.items(text, form, name)
    return [RawRecord(source=NAME, source_id=f"{name}#{key}", content_type="json",
                      payload=json.dumps({"form": form, "file": name, **payload}, ensure_ascii=False, sort_keys=True))
            for key, payload in entries], problems


def parse(raw: RawRecord) -> list[Record]:
    payload = json.loads(raw.payload)
    form = payload["form"]
    if form == "bibtex":
        entry = bibtex.split(payload["text"])[0]
        rec = bibtex.entry_record(entry, NAME, raw.source_id)
        site = {"key": entry.key, "entry_type": rec.extra["entry_type"], "venue_field": rec.extra["venue_field"]}
        rec.extra = {"fields": rec.extra["fields"]}
    elif form == "academicpages":
        rec, site = site_pages.page_record(payload["text"], NAME, raw.source_id)
    elif form == "data":
        rec, site = site_data.item_record(payload["item"], NAME, raw.source_id)
        site["group"], site["position"] = payload.get("group", {}), payload.get("position", 0)
    else:
        rec, site = site_lists.item_record(payload, NAME, raw.source_id)
    rec.extra["site"] = {"form": form, "file": payload["file"], **site}
    return [rec]
