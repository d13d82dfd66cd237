"""Exporters: merged works → the files personal sites read. Pure renderers plus one careful writer.

    render(fmt, works, ctx) -> {relative path: bytes}     pure; "" = the target file itself
    render_many(works, {fmt: ctx}) -> {fmt: files}        several formats in one pass (what a sync does)
    write(fmt, files, target) -> [(path, "written" | "unchanged" | "removed")]

Formats and what `target` is:
  bibtex         a file (al-folio `_bibliography/papers.bib`)
  papers-yml     a file (`_data/papers.yml`, Hugo `data/papers.yaml`); schema in docs/papers-yml.md
  academicpages  a directory (`_publications`): one page per work; stale pages pubsync wrote are removed
  citations-yml  a file (al-folio `_data/citations.yml`)
  csl-json       a file (pandoc / Quarto / Zotero)
  markdown, html a hand-kept page: render gives the list, write() puts it between `<!-- pubsync:start -->` and
                 `<!-- pubsync:end -->` in the existing page (and refuses a page without them)
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pubsync.export.cache import FragmentCache
from pubsync.export.writer import END, START, ExportError, ExportWriteError, splice, write_single, write_spliced, write_tree
from pubsync.records import Work
from pubsync.settings import Person

__all__ = ["FORMATS", "SITE_KINDS", "OPTIONS", "CHOICES", "ExportContext", "FragmentCache", "ExportError",
           "ExportWriteError", "default_path", "validate_options", "render", "render_many", "write", "write_many",
           "splice", "START", "END"]

FORMATS: tuple[str, ...] = ("bibtex", "papers-yml", "academicpages", "citations-yml", "csl-json", "markdown", "html")
SITE_KINDS: tuple[str, ...] = ("al-folio", "academicpages", "hugo", "yaml", "plain")
JEKYLL_KINDS = ("al-folio", "academicpages")

# Keys of `[export.<format>]` in config.toml and their types. `path` and `enabled` belong to the pipeline (where to
# write, whether to); render ignores them. None as a default = decided by the site kind.
_COMMON = {"path": str, "enabled": bool}
OPTIONS: dict[str, dict[str, type]] = {
    "bibtex": {**_COMMON, "front_matter": bool, "encoding": str, "abstract": bool, "preprint_type": str,
               "bibtex_show": bool, "custom_fields": bool},
    "papers-yml": {**_COMMON, "group_by": str, "root_key": str, "abstract": bool, "authors_format": str},
    "academicpages": {**_COMMON, "slug": str, "excerpt_length": int},
    "citations-yml": {**_COMMON},
    "csl-json": {**_COMMON, "abstract": bool},
    "markdown": {**_COMMON, "group_by": str, "selected_only": bool, "link_order": list, "venue": str},
    "html": {**_COMMON, "group_by": str, "selected_only": bool, "link_order": list, "venue": str},
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
                 "venue": "full"},
    "html": {"group_by": "none", "selected_only": False, "link_order": ["html", "doi", "arxiv", "pdf", "url"],
             "venue": "full"},
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
    if options.get("excerpt_length", 1) < 0:
        raise ExportError(f"{where}: excerpt_length must be 0 or more")
    merged = {**DEFAULTS[fmt], **options}
    if fmt == "bibtex" and merged["front_matter"] is None:
        merged["front_matter"] = site_kind in JEKYLL_KINDS
    return merged


def render(fmt: str, works: list[Work], ctx: ExportContext, parallel: bool | None = None) -> dict[str, bytes]:
    """Pure: the bytes of every file of `fmt` for these works (already curated; keys assigned)."""
    return render_many(works, {fmt: ctx}, parallel)[fmt]


def render_many(works: list[Work], contexts: dict[str, ExportContext], parallel: bool | None = None,
                cache: FragmentCache | None = None) -> dict[str, dict[str, bytes]]:
    """render() of several formats of the same works for the same people, in one pass (engine.py): what a sync
    writes. `parallel` as engine.render_many takes it; `cache` keeps rendered fragments between runs (cache.py), so
    only changed works are rendered again; it writes them when the caller runs cache.flush()."""
    from pubsync.export.engine import naming, render_many as run
    renderers = {}
    slots = {}
    people = None
    for fmt, ctx in contexts.items():
        _check_format(fmt)
        _check_site_kind(ctx.site_kind)
        if people is not None and ctx.people != people:
            raise ValueError("render_many: every context must be for the same people")
        people = ctx.people
        with naming(fmt):
            ctx = replace(ctx, options=validate_options(fmt, ctx.options, ctx.site_kind))
            renderers[fmt] = _renderer(fmt, ctx)
        if cache is not None:
            # Everything a fragment may read off the context; the data date is left out (only assembly reads it).
            context = repr((fmt, sorted(ctx.options.items()), ctx.site_kind, ctx.scholar_users, ctx.people))
            group = "\0".join(p.key for p in ctx.people)
            slots[fmt] = cache.slot(fmt, group, context.encode("utf-8", "backslashreplace"))
    return run(works, renderers, people or [], parallel, slots or None)


def _renderer(fmt: str, ctx: ExportContext):
    if fmt == "bibtex":
        from pubsync.export.bibtex import Renderer
    elif fmt == "papers-yml":
        from pubsync.export.papers_yml import Renderer
    elif fmt == "academicpages":
        from pubsync.export.academicpages import Renderer
    elif fmt == "citations-yml":
        from pubsync.export.citations_yml import Renderer
    elif fmt == "csl-json":
        from pubsync.export.csl import Renderer
    elif fmt == "markdown":
        from pubsync.export.markdown import MarkdownRenderer as Renderer
    else:
        from pubsync.export.markdown import HtmlRenderer as Renderer
    return Renderer(ctx)


def write(fmt: str, files: dict[str, bytes], target: Path) -> list[tuple[str, str]]:
    """Write what render() produced to `target` (a file, or a directory for academicpages)."""
    _check_format(fmt)
    target = Path(target)
    if fmt == "academicpages":
        from pubsync.export.academicpages import is_ours
        from pubsync.export.engine import no_gc
        with no_gc():
            return write_tree(files, target, is_ours)
    if set(files) != {""}:
        raise ExportError(f"{fmt} is a single-file export; render() output must be {{'': bytes}}")
    if fmt in ("markdown", "html"):
        return write_spliced(files[""], target)
    return write_single(files[""], target)


def write_many(jobs: list[tuple[str, dict[str, bytes], Path]],
               cache: FragmentCache | None = None) -> list[list[tuple[str, str]]]:
    """write(fmt, files, target) of each job, then the fragment cache's flush(). Reports in the order of `jobs`;
    every job runs, then the error of the first that failed (in that order) is raised: one export the disk refuses
    does not hold back the others. The jobs of many files run in a thread beside the others: both spend their time
    in system calls, which let the other thread run."""
    from pubsync.export.engine import no_gc
    results: dict[int, Any] = {}

    def run(indexes: list[int]) -> None:
        for i in indexes:
            try:
                results[i] = write(*jobs[i])
            except Exception as e:             # raised below, in job order
                if isinstance(e, ExportError) and not e.format:
                    e.format = jobs[i][0]
                results[i] = e

    many = [i for i in range(len(jobs)) if len(jobs[i][1]) > 1]
    rest = [i for i in range(len(jobs)) if len(jobs[i][1]) <= 1]
    with no_gc():
        side = threading.Thread(target=run, args=(many,), name="pubsync-write") if many and rest else None
        if side is not None:
            side.start()
            try:
                run(rest)
            finally:
                side.join()
        else:
            run(many + rest)
        if cache is not None:
            cache.flush()
    for i in range(len(jobs)):
        if isinstance(results[i], Exception):
            raise results[i]
    return [results[i] for i in range(len(jobs))]
