"""A YAML/JSON data list the site's templates loop over (`_data/papers.yml`, `publications.yml`, a hand-written
`publications.json`): a list of papers, possibly under one key (`papers:`, `main:`) or grouped (`- year: …` /
`papers: [...]`). Schemas vary by site, so known keys are read through their usual names and every key is kept
under its own name."""
from __future__ import annotations

import json
import re
from typing import Any

from pubsync.records import Record, canonical_arxiv, canonical_doi
from pubsync.sources import SourceError
from pubsync.sources.site_lists import parse_authors
from pubsync.sources.site_pages import jekyll_yaml

TITLE_KEYS = ("title", "name")
VENUE_KEYS = ("venue", "booktitle", "journal", "conference", "publication", "container-title")
# A `venue` that only says what kind of venue it is: the site's category, not the venue's name.
_CATEGORY = {"conference", "journal", "workshop", "preprint", "thesis", "book", "other"}
AUTHOR_KEYS = ("authors", "author")
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", re.I)
_DOI = re.compile(r"(10\.\d{4,9}/[^\s\"'<>]+)")


def _load(text: str, name: str) -> Any:
    if name.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise SourceError(f"{name}: not JSON: {e}") from None
    from ruamel.yaml.error import YAMLError
    try:
        return jekyll_yaml().load(text)
    except YAMLError as e:
        raise SourceError(f"{name}: not YAML: {' '.join(str(e).split())[:120]}") from None


def _is_paper(item: Any) -> bool:
    return isinstance(item, dict) and any(isinstance(item.get(k), str) and item.get(k) for k in TITLE_KEYS)


def _papers(data: Any, group: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(paper, the group it stands in) for every paper in the data, in file order."""
    if isinstance(data, list):
        out = []
        for item in data:
            if _is_paper(item):
                out.append((item, group))
            elif isinstance(item, dict):
                lists = {k: v for k, v in item.items() if isinstance(v, list)}
                scalars = {k: v for k, v in item.items() if not isinstance(v, (list, dict))}
                for key, value in lists.items():
                    out += _papers(value, {**group, **scalars, "list": key})
        return out
    if isinstance(data, dict):
        return [pair for key, value in data.items() if isinstance(value, (list, dict))
                for pair in _papers(value, {**group, "list": key})]
    return []


def items(text: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    papers = _papers(_load(text, name), {})
    if not papers:
        raise SourceError(f"{name}: no list of papers found (items with a title)")
    out = []
    for i, (paper, group) in enumerate(papers, 1):
        key = str(paper.get("key") or paper.get("id") or f"{i:03d}")
        out.append((key, {"item": json.loads(json.dumps(paper, default=str)), "group": group, "position": i}))
    return out


def _authors(value: Any) -> tuple[list, bool]:
    if isinstance(value, list):
        names = [str(a.get("name", "")) if isinstance(a, dict) else str(a) for a in value]
        return parse_authors(", ".join(n.replace(",", " ") for n in names if n))
    if isinstance(value, str):
        return parse_authors(value)
    return [], True


def item_record(item: dict[str, Any], source: str, source_id: str) -> tuple[Record, dict[str, Any]]:
    rec = Record(source=source, source_id=source_id)
    rec.title = " ".join(str(next(item[k] for k in TITLE_KEYS if item.get(k))).split())
    venue = next((str(item[k]) for k in VENUE_KEYS if item.get(k) and str(item[k]).lower() not in _CATEGORY), "")
    rec.venue = " ".join(venue.split())
    rec.authors, rec.authors_complete = _authors(next((item[k] for k in AUTHOR_KEYS if item.get(k)), None))
    for key in ("date", "year"):
        m = re.match(r"(\d{4})(-\d\d(-\d\d)?)?", str(item.get(key, "")))
        if m:
            rec.date, rec.year = m.group(0), int(m.group(1))
            break
    if rec.year is None:
        m = re.search(r"\b(19[5-9]\d|20\d\d)\b", rec.venue)
        rec.year = int(m.group(1)) if m else None
        rec.date = str(rec.year) if rec.year else ""
    urls = [str(v) for v in _walk(item) if isinstance(v, str) and ("://" in v or v.startswith("10."))]
    for url in urls:
        arxiv, doi = _ARXIV.search(url), _DOI.search(url)
        if arxiv and "arxiv" not in rec.ids:
            rec.ids["arxiv"] = canonical_arxiv(arxiv.group(1))
        if doi and "doi" not in rec.ids and "arxiv" not in url:
            rec.ids["doi"] = canonical_doi(doi.group(1))
    rec.type = "preprint" if "arxiv" in rec.ids and (not rec.venue or "arxiv" in rec.venue.lower()) else "other"
    rec.extra = {"fields": dict(item)}
    return rec, {"key": source_id.rsplit("#", 1)[-1], "keys": list(item)}


def _walk(value: Any):
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value
