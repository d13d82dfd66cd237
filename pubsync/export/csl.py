"""CSL items (CSL-JSON for pandoc / Quarto / Zotero; papers.yml builds on the same item)."""
from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from pubsync.export.prepared import View, json_string
from pubsync.export.workview import safe_url
from pubsync.records import Work
from pubsync.settings import Person

CSL_TYPES = {
    "journal-article": "article-journal", "conference-paper": "paper-conference", "preprint": "article",
    "book-chapter": "chapter", "book": "book", "thesis": "thesis", "report": "report", "dataset": "dataset",
    "software": "software", "review": "review", "editorial": "article-journal", "other": "document",
}


def csl_authors(work: Work, people: list[Person], mark_self: bool = False,
                view: View | None = None) -> list[dict[str, Any]]:
    if view is None:
        view = View(work, people)
    out: list[dict[str, Any]] = []
    for family, given, _, _, mine in view.authors:
        if given:
            item: dict[str, Any] = {"family": family, "given": given}
        elif family:
            item = {"literal": family}
        else:
            continue
        if mark_self and mine:
            item["x-self"] = True
        out.append(item)
    return out


def csl_item(work: Work, people: list[Person], abstract: bool = True, mark_self: bool = False,
             view: View | None = None) -> dict[str, Any]:
    if view is None:
        view = View(work, people)
    item: dict[str, Any] = {"id": work.key, "type": CSL_TYPES.get(work.type, "document"), "title": view.title,
                            "author": csl_authors(work, people, mark_self, view)}
    parts = view.date_parts
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if work.venue:
        item["container-title"] = view.venue
    ids = work.ids
    doi = ids.get("doi")
    if doi:
        item["DOI"] = doi
    arxiv = ids.get("arxiv")
    url = csl_url(work, arxiv, doi)
    if url:
        item["URL"] = url
    if arxiv and work.type == "preprint":
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{arxiv}"
    if abstract and work.abstract:
        item["abstract"] = view.abstract
    return item


def csl_url(work: Work, arxiv: str | None, doi: str | None) -> str:
    """The item's URL: the work's own, else its arXiv page, else its DOI; '' when none is safe."""
    url = safe_url(work.url) or safe_url(work.links.get("arxiv", "")) or \
        (f"https://arxiv.org/abs/{arxiv}" if arxiv else "") or (f"https://doi.org/{doi}" if doi else "")
    return safe_url(url) if url else ""


_ENCODER = json.JSONEncoder(ensure_ascii=False)     # what json.dumps(ensure_ascii=False) builds on every call
_TYPES_JSON = {k: encode_basestring(v) for k, v in CSL_TYPES.items()}


def json_line(work: Work, view: View, abstract: bool) -> str | None:
    """_ENCODER.encode(csl_item(work, …, abstract, False, view)) written directly, strings through the encoder's own
    string escaping; None for a work with a non-text key or id (then the encoder writes it)."""
    q = encode_basestring
    key, ids = work.key, work.ids
    doi, arxiv = ids.get("doi"), ids.get("arxiv")
    if type(key) is not str or (doi and type(doi) is not str) or (arxiv and type(arxiv) is not str):
        return None
    authors = [f'{{"family": {q(family)}, "given": {q(given)}}}' if given else f'{{"literal": {q(family)}}}'
               for family, given, _, _, _ in view.authors if given or family]
    parts = [f'{{"id": {q(key)}, "type": {_TYPES_JSON.get(work.type, _DOCUMENT_JSON)}, '
             f'"title": {json_string(view.title)}, "author": [{", ".join(authors)}]']
    add = parts.append
    dates = view.date_parts
    if dates:
        add(f', "issued": {{"date-parts": [[{", ".join([str(d) for d in dates])}]]}}')
    if work.venue:
        add(f', "container-title": {json_string(view.venue)}')
    if doi:
        add(f', "DOI": {q(doi)}')
    url = csl_url(work, arxiv, doi)
    if url:
        add(f', "URL": {q(url)}')
    if arxiv and work.type == "preprint":
        add(f', "publisher": "arXiv", "number": {q("arXiv:" + arxiv)}')
    if abstract and work.abstract:
        add(f', "abstract": {view.json_abstract()}')
    add("}")
    return "".join(parts)


_DOCUMENT_JSON = encode_basestring("document")


class Renderer:
    # One item per line: a changed work is a one-line diff, and json's C encoder only runs without indent.
    def __init__(self, ctx) -> None:
        self.people = ctx.people
        self.abstract = ctx.options["abstract"]

    def plan(self, works: list[Work]) -> None:
        return None

    def fragment(self, work: Work, view: View, arg: None) -> bytes:
        line = json_line(work, view, self.abstract)
        if line is None:
            line = _ENCODER.encode(csl_item(work, self.people, self.abstract, False, view))
        return line.encode("utf-8", "replace")

    def assemble(self, works: list[Work], fragments: list[bytes]) -> dict[str, bytes]:
        if not fragments:
            return {"": b"[]\n"}
        return {"": b",\n".join([b"[\n" + fragments[0], *fragments[1:-1], fragments[-1] + b"\n]\n"])
                if len(fragments) > 1 else b"[\n" + fragments[0] + b"\n]\n"}
