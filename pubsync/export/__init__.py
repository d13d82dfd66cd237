"""Exporters: merged works → the files personal sites read. Each format is a pure function of the works and the
context (render); writer.py puts the result on disk (plan, then apply), jobs.py says which exports a run writes.

    render(fmt, works, ctx) -> {relative path: bytes}      "" = the target file itself
    write(fmt, files, target) -> [(path, "written" | "unchanged" | "removed")]

Formats and what `target` is:
  bibtex         a file (al-folio `_bibliography/papers.bib`)
  papers-yml     a file (`_data/papers.yml`, Hugo `data/papers.yaml`); schema in docs/papers-yml.md
  academicpages  a directory (`_publications`): one page per work; stale pages pubsync wrote are removed
  citations-yml  a file (al-folio `_data/citations.yml`)
  csl-json       a file (pandoc / Quarto / Zotero)
  hugoblox       a directory (Hugo Blox `content/publication`): a page bundle <slug>/index.md + cite.bib per work;
                 stale bundles pubsync wrote are removed
  site-data      a file: a data list adopted from the site, written back in the site's own keys (site_data.py)
  markdown, html a hand-kept page: render gives the list, write() puts it between `<!-- pubsync:start -->` and
                 `<!-- pubsync:end -->` in the existing page (and refuses a page without them)

This module is imported by config loading, so it imports no renderer until one is asked for.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pubsync.errors import ExportError
from pubsync.records import Work
from pubsync.settings import Person

FORMATS: tuple[str, ...] = ("bibtex", "papers-yml", "academicpages", "citations-yml", "csl-json", "markdown", "html",
                           "hugoblox", "site-data")
SITE_KINDS: tuple[str, ...] = ("al-folio", "academicpages", "hugo", "yaml", "plain")
JEKYLL_KINDS = ("al-folio", "academicpages")

# Keys of `[export.<format>]` in config.toml and their types. `path` and `enabled` belong to the pipeline (where to
# write, whether to); render ignores them. None as a default = decided by the site kind.
_COMMON = {"path": str, "enabled": bool}
OPTIONS: dict[str, dict[str, type]] = {
    "bibtex": {**_COMMON, "front_matter": bool, "encoding": str, "abstract": bool, "preprint_type": str,
               "bibtex_show": bool, "custom_fields": bool, "files": dict},
    "papers-yml": {**_COMMON, "group_by": str, "root_key": str, "abstract": bool, "authors_format": str},
    "academicpages": {**_COMMON, "slug": str, "excerpt_length": int},
    "citations-yml": {**_COMMON},
    "csl-json": {**_COMMON, "abstract": bool},
    "markdown": {**_COMMON, "group_by": str, "selected_only": bool, "link_order": list, "venue": str, "order": str},
    "html": {**_COMMON, "group_by": str, "selected_only": bool, "link_order": list, "venue": str, "order": str},
    "hugoblox": {**_COMMON, "author_pages": dict},
    "site-data": {**_COMMON},
}
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("bibtex", "encoding"): ("utf-8", "latex"),
    ("bibtex", "preprint_type"): ("misc", "article"),
    ("papers-yml", "group_by"): ("none", "year"),
    ("papers-yml", "authors_format"): ("markdown", "html"),
    ("academicpages", "slug"): ("title", "key"),
    ("markdown", "group_by"): ("none", "year", "selected"),
    ("html", "group_by"): ("none", "year", "selected"),
    ("markdown", "venue"): ("full", "short"),
    ("html", "venue"): ("full", "short"),
    ("markdown", "order"): ("date", "site"),
    ("html", "order"): ("date", "site"),
}
LINK_ORDER_NAMES = ("html", "doi", "arxiv", "pdf", "url", "code", "website")
DEFAULTS: dict[str, dict[str, Any]] = {
    "bibtex": {"front_matter": None, "encoding": "utf-8", "abstract": True, "preprint_type": "misc",
               "bibtex_show": False, "custom_fields": True},
    "papers-yml": {"group_by": "none", "root_key": "", "abstract": True, "authors_format": "markdown"},
    "academicpages": {"slug": "title", "excerpt_length": 300},
    "citations-yml": {},
    "csl-json": {"abstract": True},
    "markdown": {"group_by": "none", "selected_only": False, "link_order": ["html", "doi", "arxiv", "pdf", "url"],
                 "venue": "full", "order": "date"},
    "html": {"group_by": "none", "selected_only": False, "link_order": ["html", "doi", "arxiv", "pdf", "url"],
             "venue": "full", "order": "date"},
    "hugoblox": {"author_pages": {}},
    "site-data": {},
}

_DEFAULT_PATHS: dict[str, dict[str, str]] = {
    "bibtex": {"al-folio": "_bibliography/papers.bib", "hugo": "static/papers.bib", "*": "papers.bib"},
    "papers-yml": {"al-folio": "_data/papers.yml", "academicpages": "_data/papers.yml", "hugo": "data/papers.yaml",
                   "*": "papers.yml"},
    "academicpages": {"*": "_publications"},
    "citations-yml": {"hugo": "data/citations.yaml", "*": "_data/citations.yml"},
    "csl-json": {"hugo": "static/papers.json", "*": "papers.json"},
    "markdown": {"al-folio": "_pages/publications.md", "academicpages": "_pages/publications.md",
                 "hugo": "content/publications.md", "*": "publications.md"},
    "html": {"*": "index.html"},
    "hugoblox": {"*": "content/publication"},
    "site-data": {"hugo": "data/publications.yaml", "*": "_data/publications.yml"},
}


@dataclass
class ExportContext:
    people: list[Person] = field(default_factory=list)
    site_kind: str = "plain"                 # one of SITE_KINDS
    options: dict[str, Any] = field(default_factory=dict)   # the [export.<format>] table
    data_date: str = ""                      # YYYY-MM-DD of the data; never "now" inside render
    scholar_users: list[str] = field(default_factory=list)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def _check_site_kind(site_kind: str) -> None:
    if site_kind not in SITE_KINDS:
        raise ExportError(f"unknown site kind {site_kind!r}; choose one of: {', '.join(SITE_KINDS)}")


def default_path(fmt: str, site_kind: str) -> str:
    _check_format(fmt)
    _check_site_kind(site_kind)
    paths = _DEFAULT_PATHS[fmt]
    return paths.get(site_kind, paths["*"])


def validate_options(fmt: str, options: dict[str, Any], site_kind: str = "plain") -> dict[str, Any]:
    """The [export.<fmt>] table checked (unknown keys, types, allowed values) and completed with defaults."""
    _check_format(fmt)
    where = f"[export.{fmt}]"
    allowed = OPTIONS[fmt]
    for name, value in options.items():
        if name not in allowed:
            raise ExportError(f"{where}: unknown option {name!r}; known options: {', '.join(sorted(allowed))}")
        want = allowed[name]
        if want is int and isinstance(value, bool) or not isinstance(value, want):
            raise ExportError(f"{where}: option {name!r} must be a {want.__name__}, not {value!r}")
        choices = CHOICES.get((fmt, name))
        if choices and value not in choices:
            raise ExportError(f"{where}: option {name!r} is {value!r}; choose one of: {', '.join(choices)}")
    if "link_order" in options:
        bad = [v for v in options["link_order"] if v not in LINK_ORDER_NAMES]
        if bad:
            raise ExportError(f"{where}: link_order holds {bad!r}; use names from: {', '.join(LINK_ORDER_NAMES)}")
    for work_type, name in (options.get("files") or {}).items():
        if not (isinstance(name, str) and name.endswith(".bib") and "/" not in name and "\\" not in name):
            raise ExportError(f"{where}: files.{work_type} = {name!r}: give a file name ending in .bib (it is written "
                              "beside the target file)")
    bad_pages = [k for k, v in options.get("author_pages", {}).items() if not isinstance(v, str) or not v.strip()]
    if bad_pages:
        raise ExportError(f"{where}: author_pages maps {bad_pages[0]!r} to {options['author_pages'][bad_pages[0]]!r}; "
                          'give the name of the author page, e.g. author_pages = {"Ada Lovelace" = "admin"}')
    if options.get("excerpt_length", 1) < 0:
        raise ExportError(f"{where}: excerpt_length must be 0 or more")
    merged = {**DEFAULTS[fmt], **options}
    if fmt == "bibtex" and merged["front_matter"] is None:
        merged["front_matter"] = site_kind in JEKYLL_KINDS
    return merged


def render(fmt: str, works: list[Work], ctx: ExportContext) -> dict[str, bytes]:
    """Pure: the bytes of every file of `fmt` for these works (already curated; keys assigned), in list order
    (newest first, then title and key) whatever the order they come in."""
    from pubsync.export import academicpages, bibtex, citations_yml, csl, hugoblox, markdown, papers_yml, site_data
    from pubsync.export.view import sort_key
    renderers = {"bibtex": bibtex.render, "papers-yml": papers_yml.render, "academicpages": academicpages.render,
                 "citations-yml": citations_yml.render, "csl-json": csl.render, "markdown": markdown.render_markdown,
                 "html": markdown.render_html, "hugoblox": hugoblox.render, "site-data": site_data.render}
    _check_format(fmt)
    _check_site_kind(ctx.site_kind)
    ctx = replace(ctx, options=validate_options(fmt, ctx.options, ctx.site_kind))
    return renderers[fmt](sorted(works, key=sort_key), ctx)


def write(fmt: str, files: dict[str, bytes], target: Path) -> list[tuple[str, str]]:
    """Write what render() produced to `target` (a file, or a directory for academicpages)."""
    from pubsync.export.writer import apply, plan
    _check_format(fmt)
    return apply(plan(fmt, files, Path(target)))
