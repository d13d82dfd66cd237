"""CSL items: CSL-JSON for pandoc / Quarto / Zotero, and the base of every papers.yml item."""
from __future__ import annotations

import json
from typing import Any

from pubsync.export.markup import rich_csl
from pubsync.export.view import View, safe_id, safe_url, view
from pubsync.records import Work

CSL_TYPES = {
    "journal-article": "article-journal", "conference-paper": "paper-conference", "preprint": "article",
    "book-chapter": "chapter", "book": "book", "thesis": "thesis", "report": "report", "dataset": "dataset",
    "software": "software", "review": "review", "editorial": "article-journal", "other": "document",
    "peer-review": "review", "erratum": "document", "retraction": "document", "supplementary": "dataset",
    "paratext": "document",
}


def render(works: list[Work], ctx) -> dict[str, bytes]:
    """One item per line: a changed work is a one-line diff."""
    lines = [json.dumps(csl_item(work, view(work, ctx.people, ctx.site_kind), ctx.options["abstract"]),
                        ensure_ascii=False) for work in works]
    text = "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"
    return {"": text.encode("utf-8", "replace")}


def csl_item(work: Work, v: View, abstract: bool = True, mark_self: bool = False, markup=rich_csl) -> dict[str, Any]:
    """The CSL item; title, container-title and abstract as `markup` renders the sanitized inline markup (CSL's
    rich-text tags by default)."""
    authors: list[dict[str, Any]] = []
    for a in v.authors:
        if a.given:
            author: dict[str, Any] = {"family": a.family, "given": a.given}
        elif a.family:
            author = {"literal": a.family}
        else:
            continue
        if mark_self and a.mine:
            author["x-self"] = True
        authors.append(author)
    item: dict[str, Any] = {"id": work.key, "type": CSL_TYPES.get(work.type, "document"), "title": markup(v.title_rich),
                            "author": authors}
    if v.date_parts:
        item["issued"] = {"date-parts": [v.date_parts]}
    if work.venue:
        item["container-title"] = markup(v.venue_rich)
    doi = work.ids.get("doi")
    if doi:
        item["DOI"] = safe_id(doi)
    arxiv = work.ids.get("arxiv")
    url = safe_url(work.url) or safe_url(work.links.get("arxiv", "")) or \
        safe_url(f"https://arxiv.org/abs/{arxiv}" if arxiv else "") or safe_url(f"https://doi.org/{doi}" if doi else "")
    if url:
        item["URL"] = url
    if arxiv and work.type == "preprint":
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{arxiv}"
    if abstract and work.abstract:
        item["abstract"] = markup(v.abstract_rich)
    return item
