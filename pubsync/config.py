"""config.toml → validated settings. Every error names the file, the key (with its line) and what to do."""
from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubsync.errors import ConfigError, ExportError
from pubsync.export import FORMATS, OPTIONS, SITE_KINDS, default_path, validate_options
from pubsync.names import slugify
from pubsync.records import WORK_TYPES, canonical_arxiv, canonical_openalex, canonical_orcid
from pubsync.settings import DEFAULT_BASE_URLS, DEFAULT_MIN_INTERVAL, MergeSettings, Person, SourceSettings

SCHOLAR_ID = re.compile(r"^[A-Za-z0-9_-]{12}$")

# Work types a site leaves out unless [export] exclude_types says otherwise: not publications of the person's.
NOT_PUBLICATIONS = ("peer-review", "erratum", "retraction", "supplementary", "paratext")

# Which exports `pubsync sync` writes when the config names none.
DEFAULT_FORMATS = {
    "al-folio": ["bibtex", "citations-yml"],
    "academicpages": ["academicpages"],
    "hugo": ["papers-yml"],
    "yaml": ["papers-yml"],
    "plain": ["papers-yml"],
}


@dataclass
class Config:
    path: Path | None                      # None when running on defaults (no config file)
    site_kind: str = "al-folio"
    site_root: Path = Path(".")
    profile: str = "default"
    people: list[Person] = field(default_factory=list)
    sources: dict[str, SourceSettings] = field(default_factory=dict)
    merge: dict[str, Any] = field(default_factory=dict)
    formats: list[str] = field(default_factory=list)
    exclude_types: list[str] = field(default_factory=lambda: list(NOT_PUBLICATIONS))
    publish_unconfirmed: bool = False      # [attribution] unconfirmed = "publish": works pubsync would ask about
    export_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    curation_path: Path | None = None
    shrink_ratio: float = 0.5              # a complete fetch below this share of the stored records is suspect

    def export_path(self, fmt: str, person: Person | None = None) -> Path:
        """Where `fmt` is written: the whole list, or one person's list (`per_person`, else "<person>-<file>")."""
        opts = self.export_options.get(fmt, {})
        if person is not None:
            template = opts.get("per_person") or "{person}-" + Path(default_path(fmt, self.site_kind)).name
            return self.site_root / template.replace("{person}", slugify(person.name or person.key,
                                                                         fallback=person.key))
        return self.site_root / (opts.get("path") or default_path(fmt, self.site_kind))

    def person(self, ref: str) -> Person:
        for p in self.people:
            if ref in (p.key, p.orcid, p.name, p.openalex, p.scholar, p.dblp, p.semanticscholar):
                return p
        raise ConfigError(f"--person: nobody called {ref!r} in {self.path}; known: "
                          f"{', '.join(p.name for p in self.people) or 'no [[people]]'}")


# ---- schema -------------------------------------------------------------------------------------

_SOURCE_KEYS = {"enabled": bool, "base_url": str, "timeout": (int, float), "retries": int, "max_seconds": (int, float),
                "min_interval": (int, float), "mailto": str, "cache": bool, "cache_dir": str,
                "incremental": bool}
_PERSON_KEYS = {"name": str, "orcid": str, "openalex": str, "scholar": str, "arxiv": (str, dict), "aliases": list,
                "role": str, "years": list, "dblp": str, "semanticscholar": str}
_TOP_KEYS = {"site": dict, "people": list, "sources": dict, "merge": dict, "export": dict, "curation": dict,
             "attribution": dict}
_ATTRIBUTION_KEYS = {"unconfirmed": str}
_SITE_KEYS = {"kind": str, "root": str, "name": str}
_EXPORT_COMMON = {"formats": list, "exclude_types": list}
_CURATION_KEYS = {"path": str}
_TYPE_NAMES = {str: "a string", bool: "true or false", int: "a whole number", list: "a list", dict: "a table",
               float: "a number"}


class _Checker:
    def __init__(self, path: Path | None, text: str):
        self.path, self.text = path, text

    def where(self, dotted: str) -> str:
        """file:line of the key: the first line assigning it (`key =`, inline tables too) or a table header naming
        it; else the nearest parent key that can be found."""
        name = str(self.path) if self.path else "<config>"
        parts = [p.split("[")[0] for p in dotted.split(".") if p.split("[")[0]]
        lines = self.text.splitlines()
        for key in reversed(parts):
            k = re.escape(key)
            for i, line in enumerate(lines, 1):
                if re.search(rf'(^|[{{,\s])"?{k}"?\s*=', line) or re.match(rf'\s*\[+[^\]]*\b{k}\b[^\]]*\]', line):
                    return f"{name}:{i}"
        return name

    def fail(self, dotted: str, msg: str) -> None:
        raise ConfigError(f"{self.where(dotted)}: {dotted}: {msg}")

    def keys(self, table: dict, allowed: dict, prefix: str) -> None:
        for key, value in table.items():
            dotted = f"{prefix}.{key}" if prefix else key
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f" — did you mean '{close[0]}'?" if close else f" (known keys: {', '.join(sorted(allowed))})"
                self.fail(dotted, f"unknown key{hint}")
            expected = allowed[key]
            if expected is None:
                continue
            types = expected if isinstance(expected, tuple) else (expected,)
            ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
            if not ok:
                want = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
                self.fail(dotted, f"must be {want}, not {type(value).__name__} {value!r}")


def load_config(path: Path | None, *, required: bool = False, env: dict[str, str] | None = None) -> Config:
    """Read and validate a config file; with no file (and not required) the defaults apply."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    text = ""
    if path is not None and path.exists():
        try:
            text = path.read_bytes().decode("utf-8")
            data = tomllib.loads(text)
        except UnicodeDecodeError as e:
            raise ConfigError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: malformed TOML: {e}; fix the syntax (see config.toml in the pubsync README)") from None
        except OSError as e:
            raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    elif path is not None and required:
        raise ConfigError(f"{path}: config file not found; create one with 'pubsync init' or pass --config PATH")
    chk = _Checker(path if text else None, text)
    chk.keys(data, _TOP_KEYS, "")
    cfg = Config(path=path if text else None)
    base = path.parent if (path is not None and text) else Path(".")

    site = data.get("site", {})
    chk.keys(site, _SITE_KEYS, "site")
    cfg.site_kind = site.get("kind", "al-folio")
    if cfg.site_kind not in SITE_KINDS:
        close = difflib.get_close_matches(cfg.site_kind, SITE_KINDS, n=1)
        chk.fail("site.kind", f"unknown site kind {cfg.site_kind!r}" + (f" — did you mean '{close[0]}'?" if close else "")
                 + f" (one of {', '.join(SITE_KINDS)})")
    cfg.site_root = base / site.get("root", ".")
    cfg.profile = site.get("name", "default")

    people = data.get("people", [])
    for i, p in enumerate(people):
        cfg.people.append(_person(chk, p, f"people[{i}]"))
    keys = [p.key for p in cfg.people]
    if len(set(keys)) != len(keys):
        chk.fail("people", "two people share one ORCID iD / name; each person must appear once")

    sources = data.get("sources", {})
    global_mailto = sources.get("mailto", "") if isinstance(sources.get("mailto"), str) else ""
    for name, table in sources.items():
        if name == "mailto":
            continue
        if name not in DEFAULT_BASE_URLS:
            close = difflib.get_close_matches(name, list(DEFAULT_BASE_URLS), n=1)
            chk.fail(f"sources.{name}", "unknown source" + (f" — did you mean '{close[0]}'?" if close else
                                                            f" (one of {', '.join(DEFAULT_BASE_URLS)})"))
        if not isinstance(table, dict):
            chk.fail(f"sources.{name}", "must be a table, e.g. [sources.%s]" % name)
        chk.keys(table, _SOURCE_KEYS, f"sources.{name}")
    for name in DEFAULT_BASE_URLS:
        table = sources.get(name, {})
        s = SourceSettings(name=name, min_interval=DEFAULT_MIN_INTERVAL[name], enabled=name not in ("scholar", "crossref"))
        for key, value in table.items():
            setattr(s, key, float(value) if key in ("timeout", "max_seconds", "min_interval") else value)
        s.base_url = env.get(f"PUBSYNC_{name.upper()}_URL") or s.base_url or DEFAULT_BASE_URLS[name]
        s.mailto = s.mailto or global_mailto
        if not re.match(r"^https?://", s.base_url):
            chk.fail(f"sources.{name}.base_url", f"{s.base_url!r} is not an http(s) URL")
        for key in ("timeout", "max_seconds"):
            if getattr(s, key) <= 0:
                chk.fail(f"sources.{name}.{key}", "must be greater than 0")
        if s.retries < 0 or s.min_interval < 0:
            chk.fail(f"sources.{name}", "retries and min_interval cannot be negative")
        if name == "arxiv" and s.min_interval < 3.0 and "PUBSYNC_ALLOW_FAST_ARXIV" not in env:
            chk.fail("sources.arxiv.min_interval", "arXiv's terms ask for at least 3 seconds between requests")
        cfg.sources[name] = s

    merge = data.get("merge", {})
    try:
        MergeSettings.from_config(merge)
    except ValueError as e:
        bad = next((k for k in merge if f" {k}" in str(e) or f"{k!r}" in str(e)), "")
        chk.fail(f"merge.{bad}" if bad else "merge", str(e).removeprefix("[merge] "))
    cfg.merge = merge

    export = data.get("export", {})
    allowed = dict(_EXPORT_COMMON, **{f: dict for f in FORMATS})
    chk.keys(export, allowed, "export")
    for fmt in FORMATS:
        if fmt in export:
            options = dict(export[fmt])
            chk.keys(options, dict(OPTIONS.get(fmt, {}), path=str, per_person=str), f"export.{fmt}")
            per_person = options.pop("per_person", None)
            if per_person is not None and "{person}" not in per_person:
                chk.fail(f"export.{fmt}.per_person", "must contain {person}, e.g. \"_bibliography/{person}.bib\"")
            try:
                validate_options(fmt, options, cfg.site_kind)
            except ExportError as e:
                chk.fail(f"export.{fmt}", str(e).split(": ", 1)[-1])
            if per_person is not None:
                options["per_person"] = per_person
            cfg.export_options[fmt] = options
    cfg.formats = list(export.get("formats") or [f for f in FORMATS if f in export] or DEFAULT_FORMATS[cfg.site_kind])
    cfg.formats = [f for f in cfg.formats if cfg.export_options.get(f, {}).get("enabled", True)]
    for f in cfg.formats:
        if f not in FORMATS:
            close = difflib.get_close_matches(str(f), FORMATS, n=1)
            chk.fail("export.formats", f"unknown format {f!r}" + (f" — did you mean '{close[0]}'?" if close else
                                                                  f" (one of {', '.join(FORMATS)})"))
    cfg.exclude_types = list(export.get("exclude_types", NOT_PUBLICATIONS))
    for t in cfg.exclude_types:
        if t not in WORK_TYPES:
            chk.fail("export.exclude_types", f"unknown work type {t!r} (one of {', '.join(WORK_TYPES)})")

    attribution = data.get("attribution", {})
    chk.keys(attribution, _ATTRIBUTION_KEYS, "attribution")
    unconfirmed = attribution.get("unconfirmed", "hold")
    if unconfirmed not in ("hold", "publish"):
        chk.fail("attribution.unconfirmed", f'is {unconfirmed!r}; use "hold" (ask first) or "publish"')
    cfg.publish_unconfirmed = unconfirmed == "publish"

    curation = data.get("curation", {})
    chk.keys(curation, _CURATION_KEYS, "curation")
    cfg.curation_path = base / curation.get("path", "curation.toml")
    return cfg


def _person(chk: _Checker, p: Any, where: str) -> Person:
    if not isinstance(p, dict):
        chk.fail(where, "each [[people]] entry must be a table")
    chk.keys(p, _PERSON_KEYS, where)
    if not p.get("name"):
        chk.fail(f"{where}.name", "every person needs a name")
    person = Person(name=p["name"].strip())
    if p.get("orcid"):
        person.orcid = canonical_orcid(p["orcid"])
        if not person.orcid:
            chk.fail(f"{where}.orcid", f"{p['orcid']!r} is not a valid ORCID iD (format 0000-0000-0000-000X, and the "
                                       "last character is a checksum); copy it from your ORCID record")
    if p.get("openalex"):
        person.openalex = canonical_openalex(p["openalex"], "A")
        if not person.openalex:
            chk.fail(f"{where}.openalex", f"{p['openalex']!r} is not an OpenAlex author id (like A5003721947)")
    if p.get("scholar"):
        person.scholar = parse_scholar_id(p["scholar"])
        if not person.scholar:
            chk.fail(f"{where}.scholar", f"{p['scholar']!r} is not a Google Scholar user id (12 characters, the "
                                         "'user=' part of your profile URL)")
    for key in ("dblp", "semanticscholar"):
        if p.get(key):
            try:
                setattr(person, key, parse_author_id(key, p[key]))
            except ConfigError as e:
                chk.fail(f"{where}.{key}", str(e))
    arxiv = p.get("arxiv")
    if isinstance(arxiv, str):
        arxiv = {"query": arxiv}
    if isinstance(arxiv, dict):
        chk.keys(arxiv, {"query": str, "ids": list}, f"{where}.arxiv")
        person.arxiv_query = arxiv.get("query", "")
        for raw in arxiv.get("ids", []):
            aid = canonical_arxiv(str(raw))
            if not aid:
                chk.fail(f"{where}.arxiv.ids", f"{raw!r} is not an arXiv id (like 1707.08567 or hep-th/9901001)")
            person.arxiv_ids.append(aid)
    person.aliases = [str(a) for a in p.get("aliases", [])]
    person.role = p.get("role", "")
    years = p.get("years", [])
    if years:
        if len(years) != 2 or not all(y is None or isinstance(y, int) for y in years):
            chk.fail(f"{where}.years", "must be [first, last] years, e.g. [2019, 2024]")
        person.years = (years[0], years[1])
    person.__post_init__()
    person.key = person.orcid or person.key
    return person


def parse_scholar_id(value: str) -> str:
    v = value.strip()
    m = re.search(r"[?&]user=([A-Za-z0-9_-]{12})", v)
    if m:
        v = m.group(1)
    return v if SCHOLAR_ID.match(v) else ""


def parse_author_id(source: str, value: str) -> str:
    """A DBLP pid (62/2078, or its dblp.org URL) or a Semantic Scholar author id (digits, or its URL).
    Raises ConfigError saying what is expected."""
    value = str(value).strip()
    if source == "dblp":
        from pubsync.sources.dblp import person_pid
        pid = person_pid(value)
        if not pid:
            raise ConfigError(f"{value!r} is not a DBLP person id (like 62/2078, the part after /pid/ in the "
                              "dblp.org URL)")
        return pid
    m = re.fullmatch(r"(?:(?:https?://)?(?:www\.)?semanticscholar\.org/author/(?:[^/]+/)?)?(\d+)/?", value)
    if not m:
        raise ConfigError(f"{value!r} is not a Semantic Scholar author id (digits, like 1723755, from the "
                          "semanticscholar.org/author/… URL)")
    return m.group(1)


def person_from_flags(orcid: str = "", openalex: str = "", arxiv: str = "", scholar: str = "", dblp: str = "",
                      semanticscholar: str = "") -> Person:
    """A person for `pubsync pull --orcid …` without a config file. Raises ConfigError naming the bad flag."""
    person = Person(name="")
    for flag, value in (("dblp", dblp), ("semanticscholar", semanticscholar)):
        if value:
            try:
                setattr(person, flag, parse_author_id(flag, value))
            except ConfigError as e:
                raise ConfigError(f"--{flag}: {e}") from None
    if orcid:
        person.orcid = canonical_orcid(orcid)
        if not person.orcid:
            raise ConfigError(f"--orcid: {orcid!r} is not a valid ORCID iD (format 0000-0000-0000-000X with a checksum)")
    if openalex:
        person.openalex = canonical_openalex(openalex, "A")
        if not person.openalex:
            raise ConfigError(f"--openalex: {openalex!r} is not an OpenAlex author id (like A5003721947)")
    if scholar:
        person.scholar = parse_scholar_id(scholar)
        if not person.scholar:
            raise ConfigError(f"--scholar: {scholar!r} is not a Google Scholar user id (12 characters)")
    if arxiv:
        ids = [canonical_arxiv(x) for x in re.split(r"[,\s]+", arxiv.strip()) if x]
        if ids and all(ids):
            person.arxiv_ids = ids
        else:
            person.arxiv_query = arxiv
    person.key = (person.orcid or person.openalex or person.scholar or person.dblp.replace("/", "-")
                  or person.semanticscholar and f"s2-{person.semanticscholar}" or "arxiv")
    return person
