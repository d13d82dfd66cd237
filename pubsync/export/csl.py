"""CSL items (CSL-JSON for pandoc / Quarto / Zotero; papers.yml builds on the same item)."""
from __future__ import annotations

import json
from typing import Any

from pubsync.export.names import author_parts, owners, person_family_given
from pubsync.export.workview import date_parts, one_line, safe_url, sort_works
from pubsync.records import Work
from pubsync.settings import Person

CSL_TYPES = {
    "journal-article": "article-journal", "conference-paper": "paper-conference", "preprint": "article",
    "book-chapter": "chapter", "book": "book", "thesis": "thesis", "report": "report", "dataset": "dataset",
    "software": "software", "review": "review", "editorial": "article-journal", "other": "document",
}


def csl_authors(work: Work, people: list[Person], mark_self: bool = False) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for author, person in zip(work.authors, owners(work, people)):
        family, given = person_family_given(person) if person else author_parts(author.name, author.family,
                                                                                 author.given)[:2]
        if not family and not given:
            continue
        item: dict[str, Any] = {"family": family, "given": given} if given else {"literal": family}
        if mark_self and person:
            item["x-self"] = True
        out.append(item)
    return out


def csl_item(work: Work, people: list[Person], abstract: bool = True, mark_self: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {"id": work.key, "type": CSL_TYPES.get(work.type, "document"),
                            "title": one_line(work.title)}
    item["author"] = csl_authors(work, people, mark_self)
    parts = date_parts(work)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if work.venue:
        item["container-title"] = one_line(work.venue)
    if work.ids.get("doi"):
        item["DOI"] = work.ids["doi"]
    arxiv = work.ids.get("arxiv")
    url = safe_url(work.url) or safe_url(work.links.get("arxiv", "")) or \
        (f"https://arxiv.org/abs/{arxiv}" if arxiv else "") or (f"https://doi.org/{item['DOI']}" if "DOI" in item else "")
    url = safe_url(url)
    if url:
        item["URL"] = url
    if work.type == "preprint" and arxiv:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{arxiv}"
    if abstract and work.abstract:
        item["abstract"] = one_line(work.abstract)
    return item


_ENCODER = json.JSONEncoder(ensure_ascii=False)     # what json.dumps(ensure_ascii=False) builds on every call


def render(works: list[Work], ctx) -> dict[str, bytes]:
    # One item per line: a changed work is a one-line diff, and json's C encoder only runs without indent.
    encode = _ENCODER.encode
    lines = [encode(csl_item(w, ctx.people, ctx.options["abstract"])) for w in sort_works(works)]
    body = ",\n".join(lines)
    return {"": (f"[\n{body}\n]\n" if lines else "[]\n").encode("utf-8", "replace")}
