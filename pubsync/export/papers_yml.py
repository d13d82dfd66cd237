"""`_data/papers.yml` / Hugo `data/papers.yaml`: a list of CSL-YAML items plus flat display fields.

Schema: docs/papers-yml.md and docs/papers-yml.schema.json. Strings are plain text (templates escape them); `authors`
is pre-rendered Markdown (or HTML, option authors_format) with its own characters already escaped.
"""
from __future__ import annotations

from typing import Any

from pubsync.export import yamlout
from pubsync.export.csl import csl_item
from pubsync.export.markup import authors_html, authors_markdown
from pubsync.export.workview import LINK_TYPES, links, one_line, safe_url, short_venue, site_file, sort_works
from pubsync.records import Work

# Curation extras with a field of their own here; link-type extras go to `links`, the rest to `extra`.
_OWN_FIELDS = {"selected", "abbr", "preview", "annotation", "award", "award_name", "additional_info",
               "bibtex_show"}


def _scalar(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, (list, tuple)):
        return [one_line(v) for v in value]
    return one_line(value)


def item(work: Work, ctx) -> dict[str, Any]:
    opts = ctx.options
    out = csl_item(work, ctx.people, opts["abstract"], mark_self=True)
    out["year"] = work.year
    out["venue"] = short_venue(work)
    out["authors"] = (authors_html if opts["authors_format"] == "html" else authors_markdown)(work, ctx.people)
    out["selected"] = bool(work.extra.get("selected"))
    work_links = links(work, ctx.site_kind)
    out["links"] = [{"type": kind, "url": url} for kind, url in work_links.items()]
    out["citations"] = {source: n for source, n in sorted(work.citations.items())}
    out["ids"] = {k: one_line(v) for k, v in sorted(work.ids.items())}
    preview = work.extra.get("preview")
    if isinstance(preview, str) and preview.strip():
        image = safe_url(site_file(preview.strip(), "preview", ctx.site_kind))
        if image:
            out["image"] = image
    for src, dst in (("annotation", "note"), ("award", "award"), ("award_name", "award_name"),
                     ("additional_info", "additional_info")):
        if work.extra.get(src) not in (None, "", False):
            out[dst] = one_line(work.extra[src])
    rest = {k: _scalar(v) for k, v in sorted(work.extra.items())
            if k not in _OWN_FIELDS and k not in LINK_TYPES and k not in work_links and v is not None and not isinstance(v, dict)}
    if rest:
        out["extra"] = rest
    return out


def render(works: list[Work], ctx) -> dict[str, bytes]:
    opts = ctx.options
    items = [item(w, ctx) for w in sort_works(works)]
    data: Any = items
    if opts["group_by"] == "year":
        groups: dict[Any, list] = {}
        for it in items:
            groups.setdefault(it["year"], []).append(it)
        data = [{"year": year, "papers": papers} for year, papers in groups.items()]
    if opts["root_key"]:
        data = {opts["root_key"]: data}
    return {"": yamlout.dump(data).encode("utf-8", "replace")}
