"""al-folio's `_data/citations.yml`, the file its bin/update_scholar_citations.py writes and bib.liquid reads:

    metadata: {last_updated: 'YYYY-MM-DD'}
    papers: {"<scholar_user>:<paper_id>": {citations: N, title: …, year: 'YYYY'}}

Keys sorted, year a string, as the script writes them; only works with a Scholar id and a Scholar count appear
(the badge says "scholar", so no other source's count is put under it).
"""
from __future__ import annotations

import re
from typing import Any

from pubsync.export import yamlout
from pubsync.export.engine import SKIP
from pubsync.export.prepared import View
from pubsync.records import Work

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


class Renderer:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def plan(self, works: list[Work]) -> list[Any]:
        """Each work's paper key, or SKIP: no Scholar count, no key, or a later work with the same key."""
        from pubsync.export import ExportError
        if not _DATE.match(self.ctx.data_date or ""):
            raise ExportError(f"citations-yml needs the data date as YYYY-MM-DD (got {self.ctx.data_date!r}); "
                              "the pipeline passes the date of the data in ExportContext.data_date")
        keys: list[Any] = [SKIP] * len(works)
        last: dict[str, int] = {}
        for i, work in enumerate(works):
            if work.citations.get("scholar") is not None:
                key = paper_key(work, self.ctx)
                if key:
                    last[key] = i
        for key, i in last.items():
            keys[i] = key
        return keys

    def fragment(self, work: Work, view: View, key: str) -> tuple[str, bytes]:
        year = str(work.year) if work.year else ""
        q = yamlout.quote
        return key, (f"  {yamlout.key(key)}:\n    citations: {int(work.citations['scholar'])}\n"
                     f"    title: {q(view.title)}\n    year: {q(year)}").encode("utf-8", "replace")

    def assemble(self, works: list[Work], fragments: list[tuple[str, bytes] | None]) -> dict[str, bytes]:
        # What yamlout.dump writes for {metadata: {last_updated}, papers: {key: {citations, title, year}}}, spelled out.
        papers = sorted(f for f in fragments if f is not None)
        lines = [f"metadata:\n  last_updated: {yamlout.quote(self.ctx.data_date)}".encode("utf-8", "replace")]
        if papers:
            lines.append(b"papers:")
            lines.extend([text for _, text in papers])
        else:
            lines.append(b"papers: {}")
        return {"": b"\n".join(lines) + b"\n"}
