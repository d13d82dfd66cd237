"""`site-data`: a data list the site's own templates read (`_data/publications.yml`, `publications.json`), written
back in the site's own schema. Each adopted item is written with the keys and values its owner gave it, in the file's
own order and grouping (a flat list, a list under one key, or `- year: …` groups); a work the site did not have is
added in the same shape (title, authors like the other items', venue, year), first in its group; its text is HTML, as
in papers.yml (the owner's items are written as the owner wrote them).

The target is the adopted file (`[export.site-data] path`); `.json` targets are written as JSON, others as YAML.
"""
from __future__ import annotations

import html
import json
from typing import Any

from pubsync.export import yamlout
from pubsync.export.markup import one_line, rich_html_value
from pubsync.export.view import view
from pubsync.records import Work


def render(works: list[Work], ctx) -> dict[str, bytes]:
    adopted = [w for w in works if (w.extra.get("_site") or {}).get("form") == "data"]
    new = [w for w in works if w not in adopted]
    adopted.sort(key=lambda w: (w.extra["_site"].get("position", 0), w.key))
    groups: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for work in adopted:
        group = work.extra["_site"].get("group") or {}
        groups.setdefault(json.dumps(group, sort_keys=True), (group, []))[1].append(_owners_item(work))
    shape = _shape(adopted)
    for work in reversed(new):                 # newest first, each at the top of its group
        group = _group_for(work, [g for g, _ in groups.values()])
        groups.setdefault(json.dumps(group, sort_keys=True), (group, []))[1].insert(0, _new_item(work, ctx, shape))
    data = _nest(list(groups.values()))
    if str(ctx.options.get("path", "")).lower().endswith(".json"):
        return {"": (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    return {"": yamlout.dump(data).encode("utf-8")}


def _owners_item(work: Work) -> dict[str, Any]:
    keys = work.extra["_site"].get("keys") or []
    return {k: work.extra[k] for k in keys if k in work.extra}


def _shape(adopted: list[Work]) -> dict[str, Any]:
    """How this file writes a paper: the key of its venue, and whether authors are a list of {name} or a string."""
    items = [_owners_item(w) for w in adopted]
    venue_key = next((k for item in items for k in ("venue", "booktitle", "journal", "conference") if k in item),
                     "venue")
    authors = next((item["authors"] for item in items if "authors" in item), "")
    kind = "names" if isinstance(authors, list) and authors and isinstance(authors[0], dict) else \
        "list" if isinstance(authors, list) else "text"
    return {"venue": venue_key, "authors": kind, "date": any("date" in item for item in items)}


def _new_item(work: Work, ctx, shape: dict[str, Any]) -> dict[str, Any]:
    v = view(work, ctx.people, ctx.site_kind)
    # a source's text is HTML here, as in papers.yml (docs/papers-yml.md): templates print data values as they are
    names = [html.escape(one_line(a.display), quote=True) for a in v.authors]
    item: dict[str, Any] = {"title": rich_html_value(v.title_rich)}
    if names:
        item["authors"] = [{"name": n} for n in names] if shape["authors"] == "names" else \
            names if shape["authors"] == "list" else ", ".join(names)
    if v.venue:
        item[shape["venue"]] = rich_html_value(v.venue_rich)
    if work.year:
        item["year"] = work.year
    if shape["date"] and work.date:
        item["date"] = work.date
    link = v.links.get("doi") or v.links.get("arxiv") or v.links.get("html")
    if link:
        item["url"] = link
    return item


def _group_for(work: Work, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The group a new work joins: the one of its year when the file groups by year, else the first."""
    for group in groups:
        if "year" in group and str(group["year"]) == str(work.year):
            return group
    if groups and "year" in groups[0]:
        return {**{k: v for k, v in groups[0].items() if k != "year"}, "year": work.year}
    return groups[0] if groups else {}


def _nest(groups: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> Any:
    """The file's structure back from the groups its items stood in."""
    if not groups:
        return []
    if len(groups) == 1 and not groups[0][0]:
        return groups[0][1]
    if all(set(g) == {"list"} for g, _ in groups):                      # papers: [...] (possibly several keys)
        return {g["list"]: items for g, items in groups}
    ordered = sorted(groups, key=lambda gi: -int(gi[0]["year"]) if str(gi[0].get("year", "")).isdigit() else 0)
    return [{**{k: v for k, v in g.items() if k != "list"}, g.get("list", "papers"): items} for g, items in ordered]
