"""Venues people recognise: "ICLR 2025", "NeurIPS 2023", "Findings of ACL 2024", the TMLR badge.

The display venue of a work comes from the best source: DBLP's venue and year (a published DBLP record in the
cluster), else the table of well-known venues in venues.json keyed by DBLP stream, ISSN, OpenAlex source id or full
name, else the full container title as the sources give it. A conference shows as "ABBR YEAR"; a journal keeps its
full name and gets ABBR as the badge (al-folio's `abbr`). The long name stays in `extra["venue_full"]`. Curation is
applied after the merge, so a pinned venue or a curated `abbr` always wins.

The matcher asks the same table which venue a free-text venue names (`recognise`, `known_venue`, `venue_kind`), so
that two spellings of one venue agree and the conference is not taken for its newsletter or journal.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pubsync.normalize import TRUNCATION, fold, repair
from pubsync.records import Record, Work

_FINDINGS = re.compile(r"\bfindings\b", re.I)
_WORKSHOP = re.compile(r"\(Workshops?\)")
_DBLP_PART = re.compile(r"\s*\([^()]*\)\s*$")     # "ACL (1)", "ACL (Findings)", "PG (Poster Papers)"
_YEARS_AND_ORDINALS = re.compile(r"\b(?:19|20)\d\d\b|\b\d+(?:st|nd|rd|th)\b|\b\d+\b")
_PROCEEDINGS_OF = re.compile(r"^(?:proceedings of (?:the )?|proc\.? (?:of )?(?:the )?)")
_ACRONYM_YEAR = re.compile(r",\s*([A-Z][A-Za-z0-9@/&+-]*[A-Za-z0-9])\s+(?:19|20)\d\d\s*(?:,|$)")
_PREPRINT_VENUES = {"arxiv", "corr", "arxiv cornell university", "biorxiv", "medrxiv", "ssrn"}

# journals whose names say "proceedings", and words that make a venue a journal or a conference
# (venue_kind asks the table of known venues first)
_JOURNAL_NAMES = ("proceedings of the national academy", "proceedings of the ieee", "proceedings of the royal society")
_JOURNAL_WORDS = frozenset({"journal", "j", "transactions", "trans", "record", "letters", "lett", "magazine",
                            "bulletin", "bull", "review", "reviews", "acta", "annals", "surveys", "quarterly",
                            "newsletter"})
_CONFERENCE_WORDS = frozenset({"conference", "conf", "proceedings", "proc", "symposium", "symp", "workshop",
                               "congress", "meeting", "colloquium"})


@dataclass(frozen=True)
class Venue:
    abbr: str
    kind: str           # "conference" | "journal"
    name: str


@lru_cache(maxsize=1 << 14)
def name_key(name: str) -> str:
    """'Proceedings of the 2022 IEEE/CVF Conference on Computer Vision…' → 'ieee cvf conference on computer vision…'."""
    text = _PROCEEDINGS_OF.sub("", fold(name or ""))
    text = _YEARS_AND_ORDINALS.sub(" ", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@lru_cache(maxsize=1)
def _entries() -> list[dict]:
    return json.loads(resources.files("pubsync").joinpath("venues.json").read_text(encoding="utf-8"))["venues"]


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, Venue]]:
    index: dict[str, dict[str, Venue]] = {"dblp": {}, "issn": {}, "openalex": {}, "name": {}}
    for entry in _entries():
        venue = Venue(entry["abbr"], entry["kind"], entry["name"])
        for stream in entry.get("dblp", []):
            index["dblp"][stream] = venue
        for issn in entry.get("issn", []):
            index["issn"][issn.upper()] = venue
        for source in entry.get("openalex", []):
            index["openalex"][source] = venue
        for name in [entry["name"], *entry.get("names", [])]:
            if name_key(name):
                index["name"].setdefault(name_key(name), venue)
    return index


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[tuple[str, ...], Venue], ...]:
    """Every table venue's names and its abbreviation (4 letters or more: 'VLDB', not 'CHI'), folded into words,
    the longest first."""
    phrases = set()
    for entry in _entries():
        venue = Venue(entry["abbr"], entry["kind"], entry["name"])
        for name in [entry["name"], *entry.get("names", [])] + ([entry["abbr"]] if len(entry["abbr"]) >= 4 else []):
            if fold(name):
                phrases.add((tuple(fold(name).split()), venue))
    return tuple(sorted(phrases, key=lambda p: (-len(" ".join(p[0])), p[0], p[1].abbr)))


@lru_cache(maxsize=1 << 14)
def recognise(venue: str | None) -> Venue | None:
    """The table venue a free-text venue names, or None: the longest of its names the text holds as words
    ('ACM SIGMOD Record' is SIGMOD Record, not SIGMOD; 'Proc. ACM SIGMOD Int. Conf. on Management of Data' is
    SIGMOD). A venue cut short ('… International Conference on Very Large …') also names a venue whose name
    starts with its last three words or more."""
    text = repair(venue)
    cut = bool(TRUNCATION.search(text))
    words = fold(TRUNCATION.sub("", text)).split()
    if not words:
        return None
    padded = f" {' '.join(words)} "
    for phrase, known in _phrases():
        if f" {' '.join(phrase)} " in padded:
            return known
    if cut:
        overlaps = [(n, known) for phrase, known in _phrases()
                    for n in range(min(len(words), len(phrase) - 1), 2, -1) if tuple(words[-n:]) == phrase[:n]]
        if overlaps:
            return max(overlaps, key=lambda o: o[0])[1]
    return None


def known_venue(venue: str | None) -> str:
    """A key of the table venue a venue names ('sigmod', 'sigmod record', 'vldbj'), or ''."""
    known = recognise(venue)
    return fold(known.abbr) if known else ""


# words that name no venue of their own around a venue's name ('Proc. ACM SIGMOD Int. Conf.', '… archive')
_AROUND_A_NAME = _CONFERENCE_WORDS | {"acm", "ieee", "international", "intl", "int", "annual", "of", "the", "on",
                                      "in", "and", "source", "archive", "vol", "pp", "pages"}


@lru_cache(maxsize=1)
def _venue_words() -> dict[str, frozenset[str]]:
    """Per table venue (its abbreviation), the words of its names; under '' the words of all of them."""
    own = {entry["abbr"]: frozenset(w for name in [entry["name"], entry["abbr"], *entry.get("names", [])]
                                    for w in fold(name).split()) for entry in _entries()}
    own[""] = frozenset().union(*own.values()) | _AROUND_A_NAME
    return own


def names_only_a_venue(text: str | None) -> bool:
    """The text is a known venue's name and nothing more ('SIGMOD Conference', 'Proceedings of the VLDB
    Endowment', 'Very large data bases'), not a title that mentions one ('TODS reviewers', 'Very large databases:
    how large, how different')."""
    vocabulary = _venue_words()[""]
    for word in (text or "").lower().split():              # most titles: quickly out at a word no venue's name has
        word = word.strip(".,:;()[]'\"")
        if word and word not in vocabulary and not word[:1].isdigit():
            return False
    words = set(name_key(text).split())
    known = recognise(text) if words else None
    return bool(known) and words <= _venue_words()[known.abbr] | _AROUND_A_NAME


_LINKING = frozenset({"a", "an", "the", "of", "on", "in", "and", "for", "to", "at"})


def mostly_venue_words(text: str | None) -> bool:
    """Three words or more, nearly all of them words of venues' names, and saying what kind of venue ('the VLDB
    journal the international journal on very large …', 'ACM Trans. Database Systems', '… of the very large data
    bases (VLDB) conference, Cairo, Egypt'). Some titles read so too ('Transactions in relational databases'):
    it tells a venue only beside a field that reads as a title."""
    words = _content_words(text)
    return len(words) >= 3 and _share_of_venue_words(words) >= 0.75 and bool(venue_kind(text))


def venue_word_share(text: str | None) -> float:
    """The share of the text's words (leaving out 'of', 'the', … and numbers) that are words of venues' names."""
    return _share_of_venue_words(_content_words(text))


def _content_words(text: str | None) -> list[str]:
    return [w for w in fold(TRUNCATION.sub(" ", repair(text))).split() if not w[:1].isdigit() and w not in _LINKING]


def _share_of_venue_words(words: list[str]) -> float:
    vocabulary = _venue_words()[""]
    return sum(w in vocabulary for w in words) / len(words) if words else 0.0


def venue_kind(venue: str | None) -> str:
    """'journal', 'conference' or '' (unknown, e.g. a venue cut short): the table's word for a venue it knows,
    else the venue's words ('Journal', 'Transactions', 'Record' make a journal and win over 'Proceedings')."""
    known = recognise(venue)
    if known:
        return known.kind
    text = fold(TRUNCATION.sub("", repair(venue)))
    words = set(text.split())
    if text.startswith(_JOURNAL_NAMES) or words & _JOURNAL_WORDS:
        return "journal"
    return "conference" if words & _CONFERENCE_WORDS else ""


def lookup(*, dblp_stream: str = "", issn: str = "", openalex: str = "", name: str = "") -> Venue | None:
    """The well-known venue with this DBLP stream, ISSN, OpenAlex source id or full name, else None."""
    table = _table()
    return (table["dblp"].get(dblp_stream) or table["issn"].get((issn or "").upper())
            or table["openalex"].get(openalex) or table["name"].get(name_key(name)))


def _dblp_short(record: Record, known: Venue | None) -> str:
    """DBLP's venue as people cite it: 'ACL (1)' → 'ACL', 'EMNLP/IJCNLP (1)' → 'EMNLP', 'ACL (Findings)' →
    'Findings of ACL'; from a BibTeX export's long booktitle ('…, WAIN@ICSE 2021, Madrid, …') its acronym."""
    venue = record.venue
    if known:
        short = known.abbr
    elif _ACRONYM_YEAR.search(venue):
        short = _ACRONYM_YEAR.search(venue).group(1)
    elif re.search(r"\b(?:19|20)\d\d\b", venue) or venue.lower().startswith("proceedings"):
        short = ""                      # a long proceedings title without the acronym DBLP usually puts in it
    else:
        short = _DBLP_PART.sub("", venue)
        short = short.split("/")[0].strip() if " " not in short else short
    if short and _FINDINGS.search(venue):
        return f"Findings of {short}"
    return f"{short} Workshop" if short and _WORKSHOP.search(venue) else short


def _is_preprint_venue(venue: str) -> bool:
    return name_key(venue) in _PREPRINT_VENUES or "arxiv" in fold(venue)


def apply_display_venue(work: Work, records: list[Record]) -> None:
    """Set the work's display venue, `extra["venue_full"]` and the default `extra["abbr"]` from its records.
    A published DBLP record also makes a work other sources know only as a preprint a published one."""
    named_by_others = work.venue and not _is_preprint_venue(work.venue) \
        and not work.provenance.get("venue", "").startswith("dblp:")
    full = work.venue if named_by_others else ""
    dblp = sorted((r for r in records if r.source == "dblp" and r.type in ("conference-paper", "journal-article")),
                  key=lambda r: (r.type != "conference-paper", r.ref))
    if dblp:
        record = dblp[0]
        known = lookup(dblp_stream=record.extra.get("dblp_stream", ""))
        kind = "conference" if record.type == "conference-paper" else "journal"
        short = _dblp_short(record, known) if kind == "conference" else (known.abbr if known else "")
        year = record.year
        if work.type == "preprint":                  # e.g. OpenAlex knew only the arXiv version of an ICLR paper
            work.type, work.year, work.date = record.type, record.year, record.date or work.date
            work.provenance.update(type=record.ref, year=record.ref, date=record.ref)
        full = full or (known.name if known else record.venue if len(record.venue) > 25 else "")
    else:
        known = next(filter(None, (lookup(issn=str(r.extra.get("issn", "")), name=r.venue,
                                          openalex=str(r.extra.get("openalex_source", ""))) for r in records)), None)
        if known is None:
            return
        short, kind, year = known.abbr, known.kind, work.year
    if kind == "conference" and short:
        work.venue = f"{short} {year}" if year else short
        if dblp:
            work.provenance["venue"] = record.ref
    elif kind == "journal":
        work.venue = full or (known.name if known else work.venue)
    if full and full != work.venue:
        work.extra["venue_full"] = full
    if short:
        work.extra.setdefault("abbr", short)
