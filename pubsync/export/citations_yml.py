"""al-folio's `_data/citations.yml`, the file its bin/update_scholar_citations.py writes and bib.liquid reads:

    metadata: {last_updated: 'YYYY-MM-DD'}
    papers: {"<scholar_user>:<paper_id>": {citations: N, title: …, year: 'YYYY'}}

Keys sorted, year a string, as the script writes them. Like the script, every work with a Scholar id appears, with
0 when the profile shows no count; works without a Scholar id do not (the badge says "scholar", so no other
source's count is put under it).
"""
from __future__ import annotations

import re
from typing import Any

from pubsync.errors import ExportError
from pubsync.export import yamlout
from pubsync.export.markup import plain, rich
from pubsync.records import Work

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def render(works: list[Work], ctx) -> dict[str, bytes]:
    if not _DATE.match(ctx.data_date or ""):
        raise ExportError(f"citations-yml needs the data date as YYYY-MM-DD (got {ctx.data_date!r}); "
                          "the pipeline passes the date of the data in ExportContext.data_date")
    papers: dict[str, dict[str, Any]] = {}
    for work in works:                  # a later work with the same paper key replaces an earlier one
        key = paper_key(work, ctx)
        if key:
            papers[key] = {"citations": int(work.citations.get("scholar") or 0), "title": plain(rich(work.title)),
                           "year": str(work.year) if work.year else ""}
    data = {"metadata": {"last_updated": ctx.data_date}, "papers": dict(sorted(papers.items()))}
    return {"": yamlout.dump(data).encode("utf-8")}


def paper_key(work: Work, ctx) -> str:
    """'<user>:<paper id>': the user from the id itself ('USER:PAPER', Scholar's citation_for_view), else from the
    owner's Person.scholar, else the site's first Scholar user; '' when none is known."""
    scholar = work.ids.get("scholar", "").strip()
    if not scholar:
        return ""
    if ":" in scholar:
        return scholar
    users = [p.scholar for p in ctx.people if p.scholar and p.key in work.people] + list(ctx.scholar_users)
    return f"{users[0]}:{scholar}" if users else ""
