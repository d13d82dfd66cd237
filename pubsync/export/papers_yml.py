"""`_data/papers.yml` / Hugo `data/papers.yaml`: a list of CSL-YAML items plus flat display fields.

Schema: docs/papers-yml.md and docs/papers-yml.schema.json. Strings are plain text (templates escape them); `authors`
is pre-rendered Markdown (or HTML, option authors_format) with its own characters already escaped.
"""
from __future__ import annotations

from typing import Any

from pubsync.export import yamlout
from pubsync.export.csl import csl_item
from pubsync.export.markup import authors_html, authors_markdown, one_line, rich_html_value
from pubsync.export.view import LINK_TYPES, safe_id, safe_url, short_venue, site_file, view
from pubsync.records import Work

# Curation extras with a field of their own here; link-type extras go to `links`, the rest to `extra`.
_OWN_FIELDS = {"selected", "abbr", "preview", "annotation", "award", "award_name", "additional_info",
               "bibtex_show"}
_RENAMED = (("annotation", "note"), ("award", "award"), ("award_name", "award_name"),
            ("additional_info", "additional_info"))


def render(works: list[Work], ctx) -> dict[str, bytes]:
    items: list[Any] = [item(work, ctx) for work in works]
    if ctx.options["group_by"] == "year":
        years: dict[Any, list[dict[str, Any]]] = {}
        for work, entry in zip(works, items):
            years.setdefault(work.year, []).append(entry)
        items = [{"year": year, "papers": entries} for year, entries in years.items()]
    root = ctx.options["root_key"]
    return {"": yamlout.dump({root: items} if root else items).encode("utf-8")}


def item(work: Work, ctx) -> dict[str, Any]:
    opts = ctx.options
    v = view(work, ctx.people, ctx.site_kind)
    out = csl_item(work, v, opts["abstract"], mark_self=True, markup=rich_html_value)
    out["year"] = work.year
    out["venue"] = rich_html_value(short_venue(work))
    out["authors"] = (authors_html if opts["authors_format"] == "html" else authors_markdown)(v, work.authors_complete)
    out["selected"] = bool(work.extra.get("selected"))
    out["links"] = [{"type": kind, "url": url} for kind, url in v.links.items()]
    out["citations"] = dict(sorted(work.citations.items()))
    out["ids"] = {k: safe_id(value) for k, value in sorted(work.ids.items())}
    preview = work.extra.get("preview")
    if isinstance(preview, str) and preview.strip():
        image = safe_url(site_file(preview.strip(), "preview", ctx.site_kind))
        if image:
            out["image"] = image
    for src, dst in _RENAMED:
        if work.extra.get(src) not in (None, "", False):
            out[dst] = one_line(work.extra[src])
    rest = {k: _scalar(value) for k, value in sorted(work.extra.items())
            if k not in _OWN_FIELDS and k not in LINK_TYPES and k not in v.links and value is not None
            and not k.startswith("_")}
    if rest:
        out["extra"] = rest
    return out


def _scalar(value: Any) -> Any:
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, (list, tuple)):
        return [_scalar(v) if isinstance(v, (dict, list, tuple)) else one_line(v) for v in value]
    if isinstance(value, dict):          # a site's own structured field (adopted), e.g. links: [{type, url}]
        return {str(k): _scalar(v) for k, v in value.items() if v is not None}
    return one_line(value)
