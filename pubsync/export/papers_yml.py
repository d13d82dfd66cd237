"""`_data/papers.yml` / Hugo `data/papers.yaml`: a list of CSL-YAML items plus flat display fields.

Schema: docs/papers-yml.md and docs/papers-yml.schema.json. Strings are plain text (templates escape them); `authors`
is pre-rendered Markdown (or HTML, option authors_format) with its own characters already escaped.
"""
from __future__ import annotations

from typing import Any

from pubsync.export import yamlout
from pubsync.export.csl import CSL_TYPES, csl_item, csl_url
from pubsync.export.prepared import View, json_string
from pubsync.export.markup import authors_html, authors_markdown
from pubsync.export.workview import LINK_TYPES, links, one_line, safe_url, short_venue, site_file
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


class Renderer:
    def __init__(self, ctx) -> None:
        opts = ctx.options
        self.root = opts["root_key"]
        self.by_year = opts["group_by"] == "year"
        self.pad = "  " if self.root else ""
        self.indent = self.pad + ("      " if self.by_year else "  ")     # the column of an item's keys
        self.emit = _ItemWriter(ctx)

    def plan(self, works: list[Work]) -> None:
        return None

    def fragment(self, work: Work, view: View, arg: None) -> bytes:
        # yaml_safe() per item is yaml_safe() of the file: it escapes single characters, found only inside strings.
        return yamlout.yaml_bytes(self.emit(work, view, self.indent))

    def assemble(self, works: list[Work], fragments: list[bytes]) -> dict[str, bytes]:
        pad = self.pad
        if self.by_year:
            groups: dict[Any, list[bytes]] = {}
            for work, text in zip(works, fragments):
                groups.setdefault(work.year, []).append(text)
            out: list[bytes] = []
            for year, members in groups.items():
                out.append(f"{pad}- year: {_yaml_scalar(year)}\n{pad}  papers:".encode("utf-8", "replace"))
                out.extend(members)
        else:
            out = fragments
        if self.root:
            key = yamlout.key(self.root).encode("utf-8", "replace")
            return {"": key + b":\n" + b"\n".join(out) + b"\n" if out else key + b": []\n"}
        return {"": b"\n".join([*out, b""]) if out else b"[]\n"}


_yaml_scalar = yamlout.scalar
_TYPES = {k: yamlout.quote(v) for k, v in CSL_TYPES.items()}
_DOCUMENT = yamlout.quote("document")
_MARKED_FIELDS = (("annotation", "note"), ("award", "award"), ("award_name", "award_name"),
                  ("additional_info", "additional_info"))


class _ItemWriter:
    """item() as YAML text, written directly: what yamlout.dump writes for it as a list element, with its keys at
    column len(k). Strings go out through quote_json(); render() runs yaml_safe() over the whole file once."""

    def __init__(self, ctx) -> None:
        opts = ctx.options
        self.ctx = ctx
        self.people = ctx.people
        self.site_kind = ctx.site_kind
        self.abstract = opts["abstract"]
        self.authors_line = authors_html if opts["authors_format"] == "html" else authors_markdown

    def __call__(self, work: Work, view: View, k: str) -> str:
        q = yamlout.quote_json
        authors = []
        for family, given, _, _, mine in view.authors:
            if given:
                authors.append(f"\n{k}  - family: {q(family)}\n{k}    given: {q(given)}")
            elif family:
                authors.append(f"\n{k}  - literal: {q(family)}")
            else:
                continue
            if mine:
                authors.append(f"\n{k}    x-self: true")
        parts = [f"{k[:-2]}- id: {q(work.key) if type(work.key) is str else _yaml_scalar(work.key)}\n"
                 f"{k}type: {_TYPES.get(work.type, _DOCUMENT)}\n{k}title: {json_string(view.title)}\n{k}author:",
                 "".join(authors) if authors else " []"]
        add = parts.append
        dates = view.date_parts
        if dates:
            add(f"\n{k}issued:\n{k}  date-parts:\n{k}    - - " + f"\n{k}      - ".join([str(n) for n in dates]))
        if work.venue:
            add(f"\n{k}container-title: {json_string(view.venue)}")
        ids = work.ids
        doi = ids.get("doi")
        if doi:
            add(f"\n{k}DOI: {q(doi) if type(doi) is str else _yaml_scalar(doi)}")
        arxiv = ids.get("arxiv")
        url = csl_url(work, arxiv, doi)
        if url:
            add(f"\n{k}URL: {q(url)}")
        if arxiv and work.type == "preprint":
            add(f'\n{k}publisher: "arXiv"\n{k}number: {q(f"arXiv:{arxiv}")}')
        if self.abstract and work.abstract:
            add(f"\n{k}abstract: {view.json_abstract()}")
        year = work.year
        extra = work.extra
        add(f"\n{k}year: {year if type(year) is int else _yaml_scalar(year)}\n{k}venue: {q(short_venue(work))}\n"
            f"{k}authors: {q(self.authors_line(work, self.people, view))}\n"
            f"{k}selected: {'true' if extra.get('selected') else 'false'}\n{k}links:")
        work_links = view.links(work, self.site_kind)
        if work_links:
            parts.extend([f"\n{k}  - type: {q(kind)}\n{k}    url: {q(url)}" for kind, url in work_links.items()])
        else:
            add(" []")
        citations = work.citations
        if citations:
            add(f"\n{k}citations:")
            parts.extend([f"\n{k}  {_key(source)}: {n if type(n) is int else _yaml_scalar(n)}"
                          for source, n in sorted(citations.items())])
        else:
            add(f"\n{k}citations: {{}}")
        if ids:
            add(f"\n{k}ids:")
            parts.extend([f"\n{k}  {_key(name)}: {q(one_line(v))}" for name, v in sorted(ids.items())])
        else:
            add(f"\n{k}ids: {{}}")
        if extra:
            self._extras(work, extra, work_links, k, parts)
        return "".join(parts)

    def _extras(self, work: Work, extra: dict[str, Any], work_links: dict[str, str], k: str, parts: list[str]) -> None:
        q = yamlout.quote_json
        preview = extra.get("preview")
        if isinstance(preview, str) and preview.strip():
            image = safe_url(site_file(preview.strip(), "preview", self.site_kind))
            if image:
                parts.append(f"\n{k}image: {q(image)}")
        for src, dst in _MARKED_FIELDS:
            if extra.get(src) not in (None, "", False):
                parts.append(f"\n{k}{dst}: {q(one_line(extra[src]))}")
        rest = {name: _scalar(v) for name, v in sorted(extra.items())
                if name not in _OWN_FIELDS and name not in LINK_TYPES and name not in work_links and v is not None
                and not isinstance(v, dict)}
        if rest:
            lines: list[str] = []
            yamlout.emit_map(rest, k + "  ", lines)
            parts.append(f"\n{k}extra:\n" + "\n".join(lines))


def _key(name: Any) -> str:
    key = _KEY_CACHE.get(name) if type(name) is str else None
    if key is None:
        key = yamlout.key(name)
        if type(name) is str and len(_KEY_CACHE) < 4096:
            _KEY_CACHE[name] = key
    return key


_KEY_CACHE: dict[str, str] = {}
