"""Matching: which records are the same work.

Three steps, each usable alone (the ER benchmarks call them directly):
  features(record)      precomputed, normalized comparison keys — computed once per record
  compare(a, b)         a Distance: named components — the additive model's prior and terms (matchmodel.py)
                        and the rules that fired, each a signed log-odds amount — their sum, and an outcome
  block(features)       candidate pairs that share a rare title word or surname or an identifier, so cost
                        grows near-linearly with the number of records instead of with all pairs

Identifiers are decisive when they speak: the same DOI/arXiv/OpenAlex/PMID, version DOIs of one deposit,
or a preprint naming its published DOI make a pair the same; two different non-preprint DOIs make it different.
Only when identifiers are silent do title, authors, year, venue and type decide.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Iterable, Sequence

import numpy as np

from pubsync import matchmodel
from pubsync.names import initial_key, surname_key
from pubsync.normalize import (MEETING_ABSTRACT_TITLE, TRUNCATION, cut_at_front, fold, notice_kind, repair,
                               sequel_of, series_part, title_key, title_parts, venue_key)
from pubsync.records import Record, canonical_arxiv, canonical_doi
from pubsync.settings import MAYBE_THRESHOLD, SAME_THRESHOLD
from pubsync.venues import known_venue, mostly_venue_words, names_only_a_venue, venue_kind, venue_word_share

# ---- weights and thresholds -------------------------------------------------------------------------
# Chosen on realdata/er DBLP-Scholar train/valid and DBLP-ACM (see benchmarks/er.py); overridable through
# MatchSettings. A component's contribution is in log-odds points; total > SAME is a match, total > MAYBE
# goes to the review queue.


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and the rule-based contributions around the learned model (pubsync/matchmodel.py, trained by
    `benchmarks/er.py train` on DBLP-Scholar train + DBLP-ACM train; its decision threshold, chosen on the valid
    splits, is folded into the model so that `same` = 0). Every field can be overridden."""
    same: float = SAME_THRESHOLD    # total above this: the same work
    maybe: float = MAYBE_THRESHOLD  # above this (and not same): the review queue
    year_far: float = -6.0          # years 3+ apart (no preprint first): 30 of 587 such similar-title train pairs match
    part_conflict: float = -12.0    # the titles name different parts, volumes or days ('Part I' / 'Part II', 'Letter,
                                    # 3 Jan 1916' / 'Letter, 11 Aug 1916'): 7 of 7 train pairs differ; no question
                                    # for the review queue either (at -5 Einstein's page asked 29 such pairs)
    venue_conflict: float = -3.0    # two clean records (given names written out) name different well-known
                                    # venues (SIGMOD vs VLDB, VLDB vs VLDB Journal): all 33 such similar-title
                                    # DBLP-ACM train pairs differ; -1 … -5 score alike on valid
    authors_disjoint: float = -3.0  # two clean records (given names written out) share no author's surname, nor
                                    # one spelt nearly alike: 63 of 71 such similar-title train pairs differ (the
                                    # model learns little from them: Scholar's author lists are often wrong)
    notice: float = -12.0           # one record is a correction or retraction notice, or a comment or reply, the
                                    # other not: a work of its own about the other (merged in, it hides the paper)
    meeting_abstract: float = -12.0 # one record is a meeting abstract ('Abstract 3917: …'), the other not: two
                                    # publications (the README's definition), linked by the merge
    title_prefixed: float = -2.0    # the longer title is the whole shorter one after words ending in a preposition
                                    # ('a system for watermarking relational databases' / 'watermarking relational
                                    # databases', 'design of sentinel: …' / 'sentinel: …'): a work on the other's
                                    # subject; 6 of 154 such train pairs match; -2 scores best on train (-1 … -8)
    identity: float = 30.0          # an identifier both records share
    id_conflict: float = -30.0      # two different non-preprint DOIs, or two arXiv submissions under two titles


DEFAULT_SETTINGS = MatchSettings()

# DOI prefixes of preprint servers: a preprint's DOI differing from the journal DOI is no conflict.
PREPRINT_DOI_PREFIXES = (
    # bioRxiv, medRxiv (10.1101/2020.06.04.135186, 10.1101/819961); not the journals Cold Spring Harbor publishes
    # under the same prefix (10.1101/gad.…, 10.1101/gr.…, 10.1101/sqb.…, 10.1101/cshperspect.…)
    *(f"10.1101/{digit}" for digit in "0123456789"),
    "10.48550/",      # arXiv
    "10.21203/",      # Research Square
    "10.20944/",      # Preprints.org
    "10.2139/",       # SSRN
    "10.31219/", "10.31234/", "10.31235/", "10.31222/", "10.31223/", "10.31224/", "10.31226/",
    "10.31227/", "10.31228/", "10.31229/", "10.31230/", "10.31231/", "10.31232/", "10.31233/",
    "10.31236/", "10.31237/", "10.33767/", "10.35542/", "10.32942/",   # OSF-hosted preprint servers
    "10.22541/",      # Authorea
    "10.7287/",       # PeerJ Preprints
    "10.36227/",      # TechRxiv
    "10.26434/",      # ChemRxiv
    "10.1002/essoar.",  # ESS Open Archive
    "10.21428/",      # PubPub
    "10.20935/",      # AcademiaPreprints / Al
    "10.55458/",
    "10.2196/preprints.",  # JMIR Preprints
    "10.5194/egusphere",
)
ZENODO_PREFIX = "10.5281/zenodo."

_FIGSHARE_VERSION = re.compile(r"^(10\.\d+/.*figshare.*?)\.v\d+$")
_F1000_VERSION = re.compile(r"^(10\.12688/[a-z0-9\-]+\.\d+)\.\d+$")
_PEERJ_PREPRINT_VERSION = re.compile(r"^(10\.7287/peerj\.preprints\.\d+)v\d+$")
_GENERIC_VERSION = re.compile(r"^(10\.\d+/.+?)[./]v\d+$")


matchmodel.configure_identity(PREPRINT_DOI_PREFIXES, ZENODO_PREFIX)


@lru_cache(maxsize=1 << 16)
def doi_family(doi: str) -> str:
    """The DOI of a deposit with its version suffix removed, so versions of one deposit compare equal.

    figshare '10.6084/m9.figshare.123.v2' -> '10.6084/m9.figshare.123'; F1000 '10.12688/f1000research.7035.2'
    -> '10.12688/f1000research.7035'; PeerJ preprint '…preprints.1234v2' -> '…preprints.1234'; Dryad/other
    '….v3' deposits likewise. Anything else is its own family."""
    for pattern in (_FIGSHARE_VERSION, _F1000_VERSION, _PEERJ_PREPRINT_VERSION, _GENERIC_VERSION):
        m = pattern.match(doi)
        if m:
            return m.group(1)
    return doi


def is_preprint_doi(doi: str) -> bool:
    return doi.startswith(PREPRINT_DOI_PREFIXES)


# ---- features ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class Features:
    """Everything compare() needs, normalized once per record."""
    ref: str
    title: str                       # folded title
    title_words: frozenset[str]
    truncated: bool
    surnames: tuple[str, ...]        # folded surnames in author order ('' for unparseable names dropped)
    surname_set: frozenset[str]
    authors_complete: bool
    year: int | None
    venue: str
    type: str
    doi: str = ""
    doi_family: str = ""
    arxiv: str = ""
    ids: dict[str, str] = field(default_factory=dict)     # openalex, pmid, pmcid, scholar, … exact-match ids
    linked_dois: frozenset[str] = frozenset()               # published_doi and related DOIs the record names
    journal_ref: str = ""
    is_preprint: bool = False
    title_flat: str = ""                                    # folded title without spaces
    surname_text: str = ""                                  # the distinct surnames, sorted, space-joined
    initial_keys: frozenset[str] = frozenset()              # 'j carberry' per author with a known initial
    venue_kind: str = ""                                    # journal | conference | '' (see venues.venue_kind)
    known_venue: str = ""                                   # 'sigmod', 'sigmod record', 'vldb', … or '' (venues)
    full_names: float = 0.0                                 # share of authors with a written-out given name
    text_blob: str = ""                                     # title and surnames without spaces (citation strings)
    generic: bool = False                                   # 'Editorial', 'Book review column', …
    parts: frozenset[str] = frozenset()                     # part/volume numbers the title names (normalize)
    sequel_of: str = ""                                     # the title a sequel continues ('bivector fields')
    notice: str = ""                                        # 'correction' ('Erratum: …'), 'discussion' ('Comment on …')
    meeting_abstract: bool = False                          # 'Abstract 3917: …' (normalize.MEETING_ABSTRACT_TITLE)
    cut_front: bool = False                                 # the title was cut at its start ('… of the VLDB')
    name_words: frozenset[str] = frozenset()                # every word of 3+ letters of the authors' names
    # derived once here so that batch scoring touches each pair only in C (see matchmodel.pair_rows)
    # (features() passes them from its caches; derived here when not given)
    numberish: frozenset[str] | None = None                 # title words that are numbers or roman numerals
    long_surnames: tuple[str, ...] | None = None            # surnames of 4+ letters (searched in the other text)
    first_surname: str | None = None
    word_ids: np.ndarray | None = None                      # sorted ids of title_words (matchmodel.id_array)
    surname_ids: np.ndarray | None = None
    initial_ids: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.numberish is None:
            self.numberish = frozenset(w for w in self.title_words if w.isdigit() or w in matchmodel.NUMBERISH)
        if self.long_surnames is None:
            self.long_surnames = tuple(s for s in self.surnames if len(s) >= 4)
        if self.first_surname is None:
            self.first_surname = self.surnames[0] if self.surnames else ""
        if self.word_ids is None:
            self.word_ids = matchmodel.id_array(self.title_words)
        if self.surname_ids is None:
            self.surname_ids = matchmodel.id_array(self.surname_set)
        if self.initial_ids is None:
            self.initial_ids = matchmodel.id_array(self.initial_keys)


_EXACT_ID_TYPES = ("openalex", "pmid", "pmcid", "scholar", "mag", "isbn", "eid", "wosuid", "dblp")


# BASE (via ORCID) joins a title with its translations: "Title ; Título" or "Title,Título"
_TRANSLATION_JOIN = re.compile(r"\s;\s|,(?=[A-ZÀ-Ý\"“])")
_DOUBLED_PREFIX = re.compile(r"^(10\.\d{4,9}/)\1")


def main_title(title: str) -> str:
    parts = _TRANSLATION_JOIN.split(title or "")
    return parts[0] if len(parts) > 1 and all(len(p.strip()) >= 15 for p in parts) else title or ""


@lru_cache(maxsize=1 << 17)
def _author_keys(name: str, family: str, given: str) -> tuple[str, str, bool, tuple[str, ...]]:
    """(surname key, initial key, given name written out?, words of 3+ letters of the whole name) of one author;
    names repeat across records."""
    surname = surname_key(name, family)
    words = fold(repair(f"{family} {given}" if family else name)).split()
    written = fold(repair(given)).split() if family else [t for t in words if t != surname]
    return surname, initial_key(name, family, given), any(len(t) >= 3 for t in written), \
        tuple(w for w in words if len(w) >= 3)


@lru_cache(maxsize=1 << 14)
def _venue_keys(venue: str) -> tuple[str, str, str]:
    """(comparable venue words with acronym, journal|conference|'', well-known venue key) of a venue name."""
    return _with_acronym(venue_key(venue)), venue_kind(venue), known_venue(venue)


# what kind of item a paper is, written into its title by some sources and not others ('Editorial: Charter and
# scope' / 'Charter and scope', '… (experience paper)', '…, tutorial'). Not a demo, poster, abstract, erratum or
# review: those are items of their own beside the paper of that title; nor '(Extended Abstract)', which ICDE and
# IJCAI put on a conference item of an earlier journal paper (two works by the README's definition).
_LEADING_LABEL = re.compile(r"^\W*(?:guest\s+)?(?:editorial|tutorial|panel|keynote(?:\s+(?:talk|address))?|"
                            r"invited\s+(?:talk|paper))\s*(?::|\s-\s)\s*(?=\w)", re.IGNORECASE)
_LABEL_IN_BRACKETS = re.compile(r"\s*[(\[]\s*(?:panel(?:\s+(?:abstract|session))?|tutorial|experience\s+paper|summary|"
                                r"keynote(?:\s+(?:talk|address))?|invited\s+(?:talk|paper))\s*[)\]]", re.IGNORECASE)
_TRAILING_LABEL = re.compile(r",\s*tutorial\W*$", re.IGNORECASE)


def _without_labels(title: str) -> str:
    bare = _LEADING_LABEL.sub("", title)
    if "(" in bare or "[" in bare:                              # most titles: no brackets, no comma to scan for
        bare = _LABEL_IN_BRACKETS.sub("", bare)
    if "," in bare:
        bare = _TRAILING_LABEL.sub("", bare)
    return bare or title


@lru_cache(maxsize=1 << 17)
def _title_bits(raw_title: str) -> dict:
    """Everything features() derives from a title alone (titles repeat across sources)."""
    title, truncated = title_key(_without_labels(main_title(raw_title)))
    cut_front = truncated and cut_at_front(main_title(raw_title))
    words = frozenset(title.split())
    flat = title.replace(" ", "")
    return dict(title=title, truncated=truncated, cut_front=cut_front, title_words=words, title_flat=flat,
                # a 'title' that only names a venue (a Scholar row naming no paper, a venue read into the title
                # field) says no more about which paper it is than 'Editorial'
                generic=title in GENERIC_TITLES or names_only_a_venue(title),
                parts=title_parts(title) | series_part(repair(raw_title)), sequel_of=sequel_of(title),
                meeting_abstract=bool(MEETING_ABSTRACT_TITLE.match(raw_title)),
                numberish=frozenset(w for w in words if w.isdigit() or w in matchmodel.NUMBERISH),
                word_ids=matchmodel.id_array(words))


# how a venue's name opens ('Proceedings of the 22nd International Conference on …', 'Journal of …',
# '… of the 27th International Conference …' cut at the front); a paper's title does not open that way
_VENUE_OPENING = re.compile(r"^\W*(?:in\s*:?\s*)?(?:of\s+)?(?:the\s+)?(?:\d+\s*(?:st|nd|rd|th)?\s*)?(?:annual\s+)?"
                            r"(?:(?:international|intl|int)\s*)?(?:procs?\b|proceedings\b|conference\s+on\b|"
                            r"conference\s+of\b|symposium\s+on\b|journal\s+of\b|transactions\s+on\b|"
                            r"(?:technical|tech\.?)\s*rep(?:ort|\.)?\b|submitted\s+(?:for|to)\s+publication\b)",
                            re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def _reads_as_venue(text: str) -> bool:
    """A venue's name and no paper's title: 'SIGMOD Conference', 'Proceedings of the VLDB Endowment'."""
    return bool(_VENUE_OPENING.match(text)) or names_only_a_venue(text)


@lru_cache(maxsize=1 << 17)
def _author_bits(names: tuple[tuple[str, str, str], ...]) -> dict:
    """Everything features() derives from an author list alone ((name, family, given) per author)."""
    people = [_author_keys(*n) for n in names]
    surnames = tuple(p[0] for p in people if p[0])
    surname_set = frozenset(surnames)
    initials = frozenset(p[1] for p in people if p[1])
    name_words = frozenset(w for p in people for w in p[3])
    return dict(surnames=surnames, surname_set=surname_set, surname_text=" ".join(sorted(surname_set)),
                name_words=name_words,
                initial_keys=initials, full_names=sum(p[2] for p in people) / len(people) if people else 0.0,
                long_surnames=tuple(s for s in surnames if len(s) >= 4),
                first_surname=surnames[0] if surnames else "",
                surname_ids=matchmodel.id_array(surname_set), initial_ids=matchmodel.id_array(initials))


# ---- fields in the wrong place: a citation string or a Scholar row read into title/authors/venue/year -------------
_SHORT_WORDS = r"(?:the|and|of|for|on|in|to|how|why|new|our|its)"          # not initials
_NAME = rf"(?!{_SHORT_WORDS}\b)[^\W\d_]{{1,3}}\.?(?:\s?[^\W\d_]\.)*\s+[^\W\d_][\w'’-]+"  # 'j smith', 'hg molina'
_PARTICLES = frozenset({"van", "von", "der", "den", "del", "della", "dos", "das", "de", "da", "di", "le", "la"})
_SENTENCE = re.compile(r"\b(?:the|of|for|in|on|with|to|an|and|using|from|by|via|is|are)\b")
_AND = r"\s*(?:,\s*(?:and\s+)?|\s+(?:and|&)\s+)"                              # ', ' ', and ' ' and ' ' & '
_NAMES = rf"{_NAME}(?:{_AND}{_NAME})*"
_ELLIPSIS = r"(?:…|\.\.\.)"
_CUT_SHORT = rf"(?:\s*,\s*[^\W\d_]{{1,3}}\b)?(?:\s*,?\s*{_ELLIPSIS})?\s*,?"      # '…, m' / '…, mj …' at a cut
_NAME_LIST = re.compile(rf"\s*{_NAMES}{_CUT_SHORT}\s*", re.IGNORECASE)
_NAMES_LEAD = re.compile(rf"\s*({_NAMES}(?:\s*,?\s*{_ELLIPSIS})?)(\s*[.:,]\s+|\s+)(\S+\s+\S.*)", re.IGNORECASE)
_ONE_NAME = re.compile(rf"\s*{_NAME}\s*", re.IGNORECASE)
# reference lists write the surname first: 'Smith, J., Jones, B.: Title', 'Smith J, Jones B (1998) Title',
# 'SMITH, J. AND JONES, B. 1998. Title', 'Smith J, Jones B. Title. VLDB J. 1998;7:1-10'
_NAME_SF = rf"(?!{_SHORT_WORDS}\b)[^\W\d_][\w'’-]+,?\s+[^\W\d_]{{1,3}}\.?(?:\s?-?[^\W\d_]\.)*"
_SURNAME_FIRST = re.compile(rf"\s*({_NAME_SF})(?=\s*(?:,|\band\b|&|$))", re.IGNORECASE)
_SURNAME_FIRST_LEAD = re.compile(
    rf"\s*({_NAME_SF}(?:(?:\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+){_NAME_SF})*(?:\s*,?\s*et\s+al\.?)?)"
    rf"(\s*\(\s*((?:19|20)\d\d)[a-z]?\s*\)\s*[.:]?\s*|\s*,?\s+((?:19|20)\d\d)[a-z]?\s*[.:]\s*|\s*[.:]\s+|\s+)"
    rf"(\S+\s+\S.*)", re.IGNORECASE)
_REFERENCE_NUMBER = re.compile(r"^\s*\[\d{1,3}\]\s*")                     # '[12] J. Smith, …'
_DIGIT = re.compile(r"\d")
# the author list after the title, perhaps the venue after it: 'Title J Smith, B Jones SIGMOD Conference'
_NAMES_TRAILING = re.compile(rf"(?P<title>.*?\S)\s*[,.]?\s+(?P<names>{_NAME}(?:{_AND}{_NAME})+)"
                             rf"(?P<rest>\s*[,.]?(?:\s+.*)?)", re.IGNORECASE)

_YEAR_AT_END = re.compile(r"[\s,.;(]*\b((?:19|20)\d\d)\b[\s).]*$")
# where a venue run into a title may start: after a comma, full stop or semicolon ('Title. Journal of …',
# 'Title, in: Proc. …'), or after a space where the words say so ('Title proc. of the 20th VLDB', 'Title ACM SIGMOD
# Record'); a title's own words ('… in nested transactions', '… : a journal editor's view') do not open one
_VENUE_OPENS = re.compile(r"\s*[,.;]\s*(?:in\s*:?\s*)?(?:the\s+)?(?=(?:procs?|proceedings|acm|ieee|journal|"
                          r"transactions|lecture\s+notes)\b)|\s+(?:in\s*:?\s+)?(?=(?:procs?|proceedings|acm|ieee)\b)",
                          re.IGNORECASE)
# 'Title (1998)', 'Title [1998]', 'Title, 1998.'; not '(ECIR 2002)' nor 'Findings of WMT 2019'
_YEAR_CLOSING = re.compile(r"(?:[\s.,]*[(\[]\s*((?:19|20)\d\d)\s*[)\]]|\s*[.,]\s*((?:19|20)\d\d))[\s.]*$")
_YEAR_OPENING = re.compile(r"^\s*[(\[]\s*((?:19|20)\d\d)[a-z]?\s*[)\]]\s*[.:]?\s*")  # '(1998) Title', after names


def _names_in(text: str) -> list[str]:
    text = re.sub(rf"{_ELLIPSIS}|\b(?:19|20)\d\d\b", "", text)
    return [n.strip() for n in re.split(_AND, text) if len(n.strip()) > 2]


def _sentence(name: str) -> bool:
    """An author 'name' that reads as words of a title: a colon, or three words or more with a function word
    ('the', 'of', …) and a long word ('R A de By' is a name), or four long words."""
    words = re.findall(r"[^\W\d_]+", name.lower())
    long_words = [w for w in words if len(w) > 3 and w not in _PARTICLES]
    return ":" in name or len(words) >= 3 and bool(long_words) and bool(_SENTENCE.search(" ".join(words))) \
        or len(long_words) >= 4


def read_fields(title: str, names: list[str], venue: str, year: int | None) -> tuple[str, list[str], str, int | None]:
    """The record's title, author names, venue and year, put back where they belong when a citation string or a
    Scholar row was read into the wrong fields (for matching only; what is published is the record as given):
    the year closing or opening the title ('… (1998)', '…, 1998', '(1998) …'); a venue run into the title's end
    when the venue field is empty ('… proc . of the 20th VLDB conference'); title and authors exchanged (the title
    lists people, the authors do not); the author list, or all but its first name, run into the title ('D Raei,
    A Mendelzon Similarity-based queries'), or one whole citation string there ('J Smith, B Jones. Title. Venue,
    1998.'), or the end of an author list cut short there ('Hill, and M. Skounakis. Weaving relations …',
    _names_off), or a reference-list string with the surnames first ('Smith, J., Jones, B.: Title. In: Proc. VLDB
    (1998)', when there is no authors field), or the authors after the title ('Title J Smith, B Jones SIGMOD
    Conference'); the title in the venue field when the title field is empty or reads as a venue. Names are
    recognised only in the initials-and-surname forms citations use, and a rule fires only where the field it
    fills is empty or garbled."""
    if title.lstrip()[:1] == "[":
        title = _REFERENCE_NUMBER.sub("", title)
    if year is None and (_DIGIT.search(title, max(0, len(title) - 8)) or title.lstrip()[:1] in "(["):
        closing = _YEAR_CLOSING.search(title) or _YEAR_OPENING.search(title)
        if closing:
            year = int(closing.group(1) or closing.group(2))
            title = title[:closing.start()] + title[closing.end():]
    if not venue:
        title, venue = _venue_off(title)
    elif venue.strip().count(" ") >= (2 if title.strip() else 1) and _reads_as_title(venue) \
            and (not title.strip() or _reads_as_venue(title) or mostly_venue_words(title)):
        title, venue = venue, title                             # the title in the venue field
        if not venue.strip():
            title, venue = _venue_off(title)
    listed = _NAME_LIST.fullmatch(title) if names else None
    lead = _NAMES_LEAD.fullmatch(title)
    if not (listed or lead):                                    # most records: the title does not open with names
        reference = None if names else _SURNAME_FIRST_LEAD.fullmatch(title)
        if reference:
            people = [re.sub(r"^([^\s,]+),?\s+", r"\1, ", n) for n in _SURNAME_FIRST.findall(reference.group(1))]
            if len(people) >= 2 or reference.group(2).strip():
                year = year or int(reference.group(3) or reference.group(4) or 0) or None
                title, venue, year = _citation_rest(reference.group(5), venue, year)
                return title, people, venue, year
        trailing = None if names else _title_then_names(title, venue, year)
        if trailing:
            return trailing
        if names and _few_plain_words(title) and any(len(n.split()) >= 4 and _SENTENCE.search(n.lower())
                                                      for n in names):  # 'SSKRP Shenoy' by a title
            return _cut_names_off(", ".join(names), _names_in(title), venue, year)
        return _cut_names_off(title, names, venue, year)
    garbled = any(_sentence(n) for n in names)
    one_name = len(names) == 1 and bool(_ONE_NAME.fullmatch(names[0]))
    if listed and (garbled or len(names) == 1 and "," in title and not one_name or _names_not_people(title, names)):
        if _reads_as_venue(", ".join(names)):                   # the names in the title, the venue in the authors
            return "", _names_in(title), venue or ", ".join(names), year
        return _cut_names_off(", ".join(names), _names_in(title), venue, year)
    if garbled:
        if lead and (len(_names_in(lead.group(1))) >= 2 or not re.match(r"an?\s", lead.group(1), re.IGNORECASE)):
            # the venue follows the names (one 'name' may be the article that opens a title: 'A cost model …')
            return ", ".join(names), _names_in(lead.group(1)), venue or lead.group(3).strip(" ,."), year
        return _cut_names_off(title, names, venue, year)
    if not lead or names and not one_name or len(_names_in(lead.group(1))) < 2 and lead.group(2).strip() != "." \
            and not (not names and _cut_short_citation(title, lead.group(1))):
        # one 'name' then words: 'Hot topics: mobile …', or an article: 'An orthogonally persistent Java MP
        # Atkinson, MJ Jordan'
        article = not names and re.match(r"an?\s", lead.group(1), re.IGNORECASE)
        return (article and _title_then_names(title, venue, year)) or _cut_names_off(title, names, venue, year)
    more, text = _names_off(lead.group(3))                     # 'J Smith, B Jones and C. Li. Title': the list's end
    title, venue, year = _citation_rest(text if more else lead.group(3), venue, year)
    return title, names + _names_in(lead.group(1)) + _names_in(more), venue, year


def _reads_as_title(text: str) -> bool:
    """No venue's name: no venue word ('Journal', 'Proceedings'), or four words and more, most of them no words
    of venues' names ('The need for asynchronous distributed transactions'), which abbreviated venue names are not
    ('Trans. Comput. Sci.')."""
    return not _reads_as_venue(text) and (not venue_kind(text) or len(text.split()) >= 4
                                          and venue_word_share(text) < 0.5)


def _names_not_people(title: str, names: list[str]) -> bool:
    """The title lists people by initials ('JM Hellerstein') and none of the authors is written so ('Practical
    predicate placement'): title and authors exchanged. An article is not an initial ('An overview')."""
    people = _names_in(title)
    return bool(people) and all(_opens_with_initials(p) and p.split()[0].lower() not in ("a", "i") for p in people) \
        and not any(_ONE_NAME.fullmatch(n) for n in names)


def _title_then_names(title: str, venue: str, year: int | None) -> tuple[str, list[str], str, int | None] | None:
    """The fields of 'Title J Smith, B Jones SIGMOD Conference' (see _names_after_title), or None."""
    found = _NAMES_TRAILING.fullmatch(title) if "," in title or " and " in title or "&" in title else None
    if not (found and _names_after_title(found)):
        return None
    return found.group("title"), _names_in(found.group("names")), venue or found.group("rest").strip(" ,."), year


def _names_after_title(found: re.Match) -> bool:
    """A title of three words or more, then two names or more that open with initials, then nothing or a
    venue ('… J Smith, B Jones SIGMOD Conference'); not a title's own words ('… in DB systems, ML pipelines and
    …') nor the people a title is about ('On a possibility of artificial reason: J. McCarthy, I. Kant, and A.
    Turing')."""
    people = _names_in(found.group("names"))
    rest = found.group("rest").strip(" ,.")
    return len(found.group("title").split()) >= 3 and not found.group("title").endswith(":") and len(people) >= 2 \
        and all(_opens_with_initials(p) for p in people) \
        and (not rest or bool(known_venue(rest) or venue_kind(rest)))


def _citation_rest(text: str, venue: str, year: int | None) -> tuple[str, str, int | None]:
    """(title, venue, year) of what follows the names in a citation string: the first sentence of three words or
    more is the title ('Si-Y. Dynamic buffer …': a stray name first), what follows it the venue (when the venue
    field is empty), a year closing it the year (when the year field is empty)."""
    opening = _YEAR_OPENING.search(text)
    if opening:
        text, year = text[opening.end():], year or int(opening.group(1))
    sentences = re.split(r"\.\s+", text.strip().rstrip("."))
    at = next((k for k, sentence in enumerate(sentences) if len(sentence.split()) >= 3), 0)
    rest = ". ".join(sentences[at + 1:])
    found = _YEAR_AT_END.search(rest)
    if found and year is None:
        year, rest = int(found.group(1)), rest[:found.start()]
    return sentences[at], venue or rest.strip(" ,."), year


# where a list of names ends and a title begins: '… Skounakis. Weaving', '… Wimmers: “The'
_HEAD_ENDS = re.compile(r"\s*(?:\.\s*[“”\"]?|[:,]?\s*[“”\"])\s*")
_HEAD_WORD = re.compile(r"[^\W\d_][\w'’-]*(\.?)")
_TITLE_WORDS = frozenset("the of for in on with to an a is are from by via using into at as its our how why what "
                         "new towards toward".split())


def _few_plain_words(title: str) -> bool:
    """Names that do not read as initials and surnames ('SSKRP Shenoy', 'YSADN Roussopoulos , Y Kotidis') where
    the authors field holds a title: two words, or a list of names of up to three words each, none a title's
    function word, no colon ('The ATLAS Collaboration' beside the title 'Higgs boson discovery' stays as it is)."""
    spaces = title.count(" ")                                 # most titles: out at the cheap checks first
    if spaces > 24 or spaces > 1 and "," not in title or ":" in title or _SENTENCE.search(title.lower()):
        return False
    parts = [part.split() for part in title.split(",")]
    return all(1 <= len(p) <= 3 for p in parts[:-1]) and len(parts[-1]) <= 3 and sum(map(len, parts)) <= 16 \
        and (len(parts) > 1 or len(parts[0]) <= 2)


def _cut_short_citation(title: str, name: str) -> bool:
    """A citation string cut short after one author's name and a few words ('DB Lomet High speed on-line …'): the
    record has no authors, the title ends in '…', and the name opens with initials, not a word ('Hot topics …')."""
    initials = name.split()[0].rstrip(".").lower()
    return bool(TRUNCATION.search(title)) and len(name.split()) == 2 and initials not in ("a", "i") \
        and (_initial(initials, False) or len(initials) == 3 and not re.search(r"[aeiouy]", initials))


def _cut_names_off(title: str, names: list[str], venue: str,
                   year: int | None) -> tuple[str, list[str], str, int | None]:
    head, rest = _names_off(title)
    return (rest, names + _names_in(head), venue, year) if head else (title, names, venue, year)


def _opens_with_initials(name: str) -> bool:
    """'JM Hellerstein', 'J. Smith': the name's first word is an initial or two."""
    first = name.split()[0]
    return _initial(first.rstrip(".").lower(), first.endswith("."))


def _initial(word: str, dotted: bool) -> bool:
    """'m.', 'j', 'hv', 'ii', 'jr': an initial or two or a name's suffix, not a short word ('zu', 'de', 'of')."""
    return len(word) == 1 or word in ("ii", "iii", "jr") \
        or len(word) == 2 and (dotted or not re.search(r"[aeiouy]", word))


def _names_off(title: str) -> tuple[str, str]:
    """(names, title) of a title that opens with the end of an author list, cut from a citation string
    ('Hill, and M. Skounakis. Weaving relations for cache performance', 'Thomas II and EL Wimmers: “The Garlic
    project”'); ('', title) otherwise. The names end at a full stop or an opening quote after a word of three
    letters or more (the full stop after an initial is not one); they are two words or more with an initial among
    them, at most two long words a name, and no title word ('the', 'of', …); the title that follows has two words
    or more and is not a venue. Only initials tell names from a title's words here ('Relativity, thermodynamics
    and cosmology. …', 'Bemerkung zu meiner Arbeit: “…”' keep their words): 0 of 12,278 DBLP titles are cut."""
    if "." not in title and "“" not in title and '"' not in title and "”" not in title:
        return "", title                                        # most titles: nothing could end a list of names
    found = ""
    for sep in _HEAD_ENDS.finditer(title):
        if sep.start() == 0 or not sep.group().strip():
            continue
        head = title[:sep.start()]
        words = [(m.group(0).rstrip(".").lower(), bool(m.group(1))) for m in _HEAD_WORD.finditer(head)]
        if len(words) > 8 or ":" in head or any(w in _TITLE_WORDS and not dotted or len(w) > 16
                                                for w, dotted in words):
            break                                               # the title has begun
        if len(words) < 2 or len(words[-1][0]) < 3:
            continue                                            # one word ('MiniCon. A scalable …'), an initial
        people = 1 + len(re.findall(r",|\band\b|\bund\b|&", head))
        long_words = sum(len(w) >= 3 and w not in ("and", "und") for w, _ in words)
        if long_words <= 2 * people and any(_initial(w, dotted) for w, dotted in words):
            found = head
            rest = title[sep.end():]
    if not found or len(re.findall(r"[^\W\d_]+", rest)) < 2 or known_venue(rest) or venue_kind(rest):
        return "", title
    return found, rest


def _venue_off(title: str) -> tuple[str, str]:
    """(title, venue) of a title with a venue run into its end ('Fast algorithms for mining association rules
    proc . of the 20th VLDB conference ,'): the first place a venue opens (_VENUE_OPENS) with a tail of two words
    or more that reads as one — 'ACM …'/'IEEE …' only as a known venue, the rest also by a journal's or a
    conference's words — after three words of title or more, the last of them not a function word ('A survey of
    ACM SIGMOD papers')."""
    for found in _VENUE_OPENS.finditer(title):
        head, tail = title[:found.start()], title[found.end():].strip(" ,.")
        words = re.findall(r"[^\W\d_]+", head.lower())
        if len(words) < 3 or _SENTENCE.fullmatch(words[-1]) or len(tail.split()) < 2:
            continue
        publisher = tail[:4].lower() in ("acm ", "ieee")
        if known_venue(tail) or not publisher and venue_kind(tail):
            return head, tail
    return title, ""


def features(record: Record) -> Features:
    given_names = [a.name or "" for a in record.authors]
    title_text, names, venue_text, year = read_fields(record.title or "", given_names, record.venue or "", record.year)
    if names == given_names:
        author_keys = tuple((a.name or "", a.family or "", a.given or "") for a in record.authors)
    else:
        author_keys = tuple((n, "", "") for n in names)
    title = _title_bits(title_text)
    people = _author_bits(author_keys)
    raw_doi = record.ids.get("doi", "")
    doi = _DOUBLED_PREFIX.sub(r"\1", canonical_doi(raw_doi)) if raw_doi else ""
    arxiv = canonical_arxiv(record.ids.get("arxiv", ""))
    if not arxiv and doi.startswith("10.48550/arxiv."):
        arxiv = canonical_arxiv(doi)
    linked = {canonical_doi(record.published_doi)} if record.published_doi else set()
    for rel in record.extra.get("related_dois", ()) or ():
        linked.add(canonical_doi(rel))
    linked.discard("")
    exact = {k: str(record.ids[k]).lower() for k in _EXACT_ID_TYPES if record.ids.get(k)}
    venue, kind, known = _venue_keys(venue_text)
    return Features(
        ref=record.ref,
        **title,
        **people,
        authors_complete=record.authors_complete,
        year=year,
        venue=venue,
        type=record.type,
        doi=doi,
        doi_family=doi_family(doi) if doi else "",
        arxiv=arxiv,
        ids=exact,
        linked_dois=frozenset(linked),
        journal_ref=fold(repair(record.journal_ref)) if record.journal_ref else "",
        is_preprint=record.type == "preprint" or bool(arxiv) and not doi or is_preprint_doi(doi),
        venue_kind=kind,
        known_venue=known,
        notice="correction" if record.type in ("erratum", "retraction") else notice_kind(title_text),
        text_blob=title["title_flat"] + "".join(people["surnames"]),
    )


def _with_acronym(venue: str) -> str:
    """'very large data bases' -> 'very large data bases vldb', so an acronym matches the spelt-out name."""
    words = venue.split()
    return f"{venue} {''.join(w[0] for w in words)}" if len(words) >= 3 else venue


# ---- the score ---------------------------------------------------------------------------------------

@dataclass
class Distance:
    """A pair's score as named log-odds contributions (printable per component, like beets' Distance).

    `total` sums the components; `score` is the matching probability it implies; `outcome` is
    "same" | "maybe" | "different". `reason` names a decisive identifier ("doi:10.…") when there is one."""
    components: dict[str, float]
    total: float
    outcome: str
    reason: str = ""

    @property
    def score(self) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.total))))

    def __str__(self) -> str:
        parts = ", ".join(f"{name} {value:+.2f}" for name, value in self.components.items())
        why = f" [{self.reason}]" if self.reason else ""
        return f"{self.outcome} {self.score:.3f} (total {self.total:+.2f}: {parts}){why}"


# the identifier checks, in the order _identity_verdicts applies them (the first that holds decides): a shared
# DOI, arXiv id or exact id, DOIs of one deposit, a DOI the other record names as its published version, Zenodo
# concept/version DOIs (one work only with the same title and people), two different non-preprint DOIs, two arXiv
# submissions under different titles ('subgraph2vec: …' / 'graph2vec: …'; one paper posted twice keeps its title)
_ID_CHECKS = ("doi", "arxiv", *matchmodel.EXACT_ID_COLUMNS, "doi-family", "published-doi", "zenodo", "doi-conflict",
              "arxiv-conflict")


def _identity_reason(check: str, verdict: float, a: Features, b: Features) -> str:
    """What an identifier check that decided a pair says: 'doi:10.…', 'published-doi:10.…', 'doi-conflict:x|y'."""
    if check in ("doi", "arxiv"):
        return f"{check}:{getattr(a, check)}"
    if check in matchmodel.EXACT_ID_COLUMNS:
        return f"{check}:{a.ids[check]}"
    if check == "doi-family":
        return f"doi-family:{a.doi_family}"
    if check == "published-doi":
        return f"published-doi:{a.doi if a.doi and a.doi in b.linked_dois else b.doi}"
    if check == "zenodo" and verdict > 0:
        return f"zenodo-versions:{min(a.doi, b.doi)}"
    if check == "arxiv-conflict":
        return f"arxiv-conflict:{a.arxiv}|{b.arxiv}"
    return f"doi-conflict:{a.doi}|{b.doi}"


def _zenodo_same_people(a: Features, b: Features) -> bool:
    if not a.surname_set or not b.surname_set:
        return not a.surname_set and not b.surname_set
    return len(a.surname_set & b.surname_set) >= 0.8 * min(len(a.surname_set), len(b.surname_set))


GENERIC_TITLES = frozenset({
    "editorial", "guest editorial", "editor s notes", "editors notes", "editor s note", "guest editor s introduction",
    "guest editors introduction", "introduction", "preface", "foreword", "keynote address", "keynote", "book review",
    "book reviews", "book review column", "reviews", "erratum", "corrigendum", "correction", "in memoriam",
    "obituary", "panel", "announcements", "news", "call for papers", "chair s message", "letter from the editor",
    "letter to the editor", "response", "reply", "abstracts", "index", "front matter", "back matter",
    "table of contents", "reminiscences on influential papers", "treasurer s message", "poster", "presentation",
})


def score(a: Features, b: Features, s: MatchSettings = DEFAULT_SETTINGS) -> tuple[float, dict[str, float], str]:
    """(total, named components, identity reason) of one pair: score_pairs on a batch of one, so one code path
    scores, clusters and explains. The components are the model's terms plus the rules that fired; they add up
    to the total exactly."""
    scored = _score_batch(matchmodel.RecordTable([a, b]), [a, b], np.array([0]), np.array([1]), s)
    [comps] = _components(scored, np.array([0]))
    return float(scored.totals[0]), comps, scored.reason(0, [a, b], np.array([0]), np.array([1]))


def score_pairs(feats: Sequence[Features] | matchmodel.RecordTable, pairs: Sequence[tuple[int, int]] | np.ndarray,
                s: MatchSettings = DEFAULT_SETTINGS, records: Sequence[Features] | None = None,
                model: matchmodel.AdditiveModel | None = None) -> tuple[np.ndarray, list[str]]:
    """Totals and identity reasons of many pairs (i, j) of `feats` at once: what the clusterer and the
    benchmarks use. `feats` may be a matchmodel.RecordTable built once from `records` (then pass `records` too),
    so that repeated calls skip the per-record preparation. `model` replaces the shipped model (benchmarks/er.py
    train scores a model it is fitting)."""
    if isinstance(feats, matchmodel.RecordTable):
        table, items = feats, records
        if items is None:
            raise TypeError("score_pairs: pass records= with a RecordTable")
    else:
        table, items = matchmodel.RecordTable(feats), feats
    index = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    scored = _score_batch(table, items, index[:, 0], index[:, 1], s, model)
    return scored.totals, [scored.reason(k, items, index[:, 0], index[:, 1]) for k in range(len(index))]


# the rules added after the model's terms, in this order: an identifier shared or in conflict, years 3+ apart,
# different parts ('Part I' / 'Part II'), two clean records naming different well-known venues or sharing no
# author, a correction notice or a comment against the work it is about, a meeting abstract against the paper
_OVERLAP = matchmodel.FEATURE_NAMES.index("authors.overlap")
_FULL_NAMES = matchmodel.FEATURE_NAMES.index("authors.full_names")
_FUZZY = matchmodel.FEATURE_NAMES.index("authors.fuzzy")
_LCS_SHORT = matchmodel.FEATURE_NAMES.index("title.lcs_short")
_CONTAINMENT = matchmodel.FEATURE_NAMES.index("title.containment")
_VENUE_WORDS = matchmodel.FEATURE_NAMES.index("venue.words")
_NOTICE_KINDS = {"": 0, "correction": 1, "discussion": 2}
_RULES = ("ids", "year.far", "title.parts", "venue.known_conflict", "authors.disjoint", "title.notice",
          "title.meeting_abstract", "title.prefixed")


@dataclass
class _Scored:
    model: matchmodel.AdditiveModel
    totals: np.ndarray        # prior + terms + rules, added in that order
    verdict: np.ndarray       # an identifier proves one work (+1), two works (-1), or is silent (0), per pair
    check: np.ndarray         # which of _ID_CHECKS decided (its index; -1: none)
    extra: np.ndarray         # (pairs, len(_RULES)) the rules' contributions (0 where a rule did not fire)
    rows: np.ndarray          # the pairs' feature rows

    def reason(self, k: int, items: Sequence[Features], ii: np.ndarray, jj: np.ndarray) -> str:
        """The identity reason of pair k ('' when no identifier decided it)."""
        if not self.verdict[k]:
            return ""
        return _identity_reason(_ID_CHECKS[self.check[k]], self.verdict[k], items[ii[k]], items[jj[k]])


def _score_batch(table: matchmodel.RecordTable, items: Sequence[Features], ii: np.ndarray, jj: np.ndarray,
                 s: MatchSettings, model: matchmodel.AdditiveModel | None = None) -> _Scored:
    """Model totals plus the identity, year, part, venue and author rules of many pairs, as array operations."""
    model = model or matchmodel.default_model()
    rows = matchmodel.pair_rows_at(table, ii, jj)
    verdict, check = _identity_verdicts(table, items, ii, jj)
    ca, cb = table.numbers[ii], table.numbers[jj]
    ya, yb = ca[:, matchmodel._YEAR], cb[:, matchmodel._YEAR]
    with np.errstate(invalid="ignore"):
        gap = np.abs(ya - yb)
        earlier_preprint = np.where(ya < yb, ca[:, matchmodel._PREPRINT], cb[:, matchmodel._PREPRINT]) > 0
        far = (gap >= 3) & ~(earlier_preprint & (gap <= 3))
    pa, pb = ca[:, matchmodel._PARTS_ID], cb[:, matchmodel._PARTS_ID]
    sa, sb = ca[:, matchmodel._SEQUEL_OF], cb[:, matchmodel._SEQUEL_OF]
    ta, tb = ca[:, matchmodel._TITLE_ID], cb[:, matchmodel._TITLE_ID]
    parts = (pa >= 0) & (pb >= 0) & (pa != pb) | (sa >= 0) & (sa == tb) | (sb >= 0) & (sb == ta)
    va, vb = ca[:, matchmodel._KNOWN_VENUE], cb[:, matchmodel._KNOWN_VENUE]
    venue = (va >= 0) & (vb >= 0) & (va != vb) & \
        (np.minimum(ca[:, matchmodel._FULL], cb[:, matchmodel._FULL]) >= matchmodel.CLEAN_NAMES)
    extra = np.zeros((len(ii), len(_RULES)), dtype=np.float64)
    extra[:, 0] = np.where(verdict > 0, s.identity, np.where(verdict < 0, s.id_conflict, 0.0))
    extra[:, 1] = np.where(far, s.year_far, 0.0)
    extra[:, 2] = np.where(parts, s.part_conflict, 0.0)
    extra[:, 3] = np.where(venue, s.venue_conflict, 0.0)
    with np.errstate(invalid="ignore"):
        disjoint = (rows[:, _OVERLAP] == 0) & (rows[:, _FULL_NAMES] >= matchmodel.CLEAN_NAMES) & \
            (rows[:, _FUZZY] < 0.8)                         # 'Rosneblatt' and 'Rosenblatt' are one person
    for k in np.flatnonzero(disjoint):                      # 'Fernando Berzal Galiano' is 'Fernando Berzal'
        a, b = items[ii[k]], items[jj[k]]
        disjoint[k] = not (a.surname_set & b.name_words or b.surname_set & a.name_words)
    extra[:, 4] = np.where(disjoint, s.authors_disjoint, 0.0)
    notices = np.fromiter((_NOTICE_KINDS[f.notice] for f in items), dtype=np.int8, count=len(items))
    extra[:, 5] = np.where(notices[ii] != notices[jj], s.notice, 0.0)
    abstracts = np.fromiter((f.meeting_abstract for f in items), dtype=bool, count=len(items))
    extra[:, 6] = np.where(abstracts[ii] != abstracts[jj], s.meeting_abstract, 0.0)
    extra[:, 7] = np.where(_prefixed(items, ii, jj, ca, cb, rows), s.title_prefixed, 0.0)
    totals = model.totals(rows)
    for column in range(len(_RULES)):
        totals += extra[:, column]
    return _Scored(model, totals, verdict, check, extra, rows)


_ARTICLES = frozenset({"a", "an", "the"})
_PREPOSITIONS = frozenset("of for into in on to with from by over under about towards toward via beyond across "
                          "against within without through at".split())
# what a title may open with and still be the paper it names ('Panel on …', 'A tutorial on …', 'Demonstration of …')
_LABEL_WORDS = frozenset("panel tutorial demonstration demo preface keynote invited talk poster abstract title "
                         "extended short paper note notes".split())


def _prefixed(items: Sequence[Features], ii: np.ndarray, jj: np.ndarray, ca: np.ndarray, cb: np.ndarray,
              rows: np.ndarray) -> np.ndarray:
    """Per pair, whether the longer title is the whole shorter one after words that end in a preposition and
    say more than a label ('a system for …', 'design of …', 'ripple joins for …'; not 'on …', 'panel on …'),
    none of them a word of the authors' names (a citation string's authors run into the title). Titles cut with
    '…' are left alone."""
    with np.errstate(invalid="ignore"):
        maybe = (rows[:, _CONTAINMENT] == 1.0) & (ca[:, matchmodel._WORDS] != cb[:, matchmodel._WORDS]) \
            & (ca[:, matchmodel._TRUNCATED] == 0) & (cb[:, matchmodel._TRUNCATED] == 0)
    out = np.zeros(len(ii), dtype=bool)
    for k in np.flatnonzero(maybe).tolist():
        a, b = items[ii[k]], items[jj[k]]
        prefix = _title_prefix(a.title, b.title)
        out[k] = bool(prefix) and not (a.name_words & prefix or b.name_words & prefix)
    return out


@lru_cache(maxsize=1 << 14)
def _title_prefix(a: str, b: str) -> frozenset[str]:
    """The words before the preposition when the longer of two titles is the shorter one (2+ words) after words
    ending in a preposition (articles aside) and more than a label; else empty."""
    short, long = sorted((a.split(), b.split()), key=len)
    n = len(short)
    if n < 2 or len(long) == n or long[-n:] != short:
        return frozenset()
    words = long[:-n]
    while words and words[-1] in _ARTICLES:
        words.pop()
    if not words or words[-1] not in _PREPOSITIONS:
        return frozenset()
    rest = frozenset(words[:-1]) - _ARTICLES
    return rest if rest - _LABEL_WORDS else frozenset()


def _components(scored: _Scored, at: np.ndarray) -> list[dict[str, float]]:
    """The named components of the pairs at positions `at`: the prior, each model term, each rule that fired
    (a term or rule worth exactly 0 is left out). In the order _score_batch adds them, so that adding a
    pair's components up gives its total to the bit."""
    parts = np.hstack([scored.model.parts(scored.rows[at]), scored.extra[at]])
    names = scored.model.names + _RULES
    return [{name: value for name, value in zip(names, row) if value or name == "prior"} for row in parts.tolist()]


def _identity_verdicts(t: matchmodel.RecordTable, items: Sequence[Features], ii: np.ndarray,
                       jj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the verdict of the first identifier check in _ID_CHECKS that holds (+1 one work, -1 two works,
    0 none) and that check's index (-1 none), on interned identifiers."""
    ca, cb = t.numbers[ii], t.numbers[jj]
    verdict = np.zeros(len(ii), dtype=np.float64)
    check = np.full(len(ii), -1, dtype=np.int64)
    open_ = np.ones(len(ii), dtype=bool)

    def settle(mask: np.ndarray, value: float | np.ndarray, name: str) -> None:
        hit = open_ & mask
        verdict[hit] = value[hit] if isinstance(value, np.ndarray) else value
        check[hit] = _ID_CHECKS.index(name)
        open_[hit] = False

    def same(column: int) -> np.ndarray:
        return (ca[:, column] >= 0) & (ca[:, column] == cb[:, column])

    doi_a, doi_b = ca[:, matchmodel._DOI], cb[:, matchmodel._DOI]
    has_a, has_b = doi_a >= 0, doi_b >= 0
    settle(same(matchmodel._DOI), 1.0, "doi")
    settle(same(matchmodel._ARXIV), 1.0, "arxiv")
    for name, column in matchmodel.EXACT_ID_COLUMNS.items():
        settle(same(column), 1.0, name)
    a_linked_by_b = t.links(jj, doi_a.astype(np.int64))
    b_linked_by_a = t.links(ii, doi_b.astype(np.int64))
    both = has_a & has_b
    settle(both & same(matchmodel._DOI_FAMILY), 1.0, "doi-family")
    settle(both & (a_linked_by_b | b_linked_by_a), 1.0, "published-doi")
    zenodo = open_ & both & (ca[:, matchmodel._ZENODO] > 0) & (cb[:, matchmodel._ZENODO] > 0)
    zenodo_verdict = np.zeros(len(ii))
    for k in np.flatnonzero(zenodo).tolist():           # title and people decide: rare, done one by one
        a, b = items[ii[k]], items[jj[k]]
        zenodo_verdict[k] = 1.0 if a.title and a.title == b.title and _zenodo_same_people(a, b) else -1.0
    settle(zenodo, zenodo_verdict, "zenodo")
    settle(both & (ca[:, matchmodel._PREPRINT_DOI] == 0) & (cb[:, matchmodel._PREPRINT_DOI] == 0), -1.0,
           "doi-conflict")
    settle(~both & (has_a & a_linked_by_b | ~has_a & has_b & b_linked_by_a), 1.0, "published-doi")
    arxiv_a, arxiv_b = ca[:, matchmodel._ARXIV], cb[:, matchmodel._ARXIV]
    two_preprints = open_ & (arxiv_a >= 0) & (arxiv_b >= 0) & (arxiv_a != arxiv_b)
    for k in np.flatnonzero(two_preprints).tolist():
        two_preprints[k] = items[ii[k]].title != items[jj[k]].title
    settle(two_preprints, -1.0, "arxiv-conflict")
    return verdict, check


def outcome_of(total: float, s: MatchSettings = DEFAULT_SETTINGS) -> str:
    if total > s.same:
        return "same"
    if total > s.maybe:
        return "maybe"
    return "different"


def compare(a: Record | Features, b: Record | Features, settings: MatchSettings = DEFAULT_SETTINGS) -> Distance:
    fa = a if isinstance(a, Features) else features(a)
    fb = b if isinstance(b, Features) else features(b)
    total, comps, reason = score(fa, fb, settings)
    return Distance(rounded_components(comps), round(total, 6), outcome_of(total, settings), reason)


# ---- blocking ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BlockingSettings:
    """How candidate pairs are found. Records sharing an identifier always pair. Beyond that, each record is
    filed under its whole folded title, its title's first `prefix_words` words, and its `words_per_record`
    rarest title words and surnames that another record shares (a key filed under by more than `max_block`
    records is dropped), and keeps as candidates only the `neighbours` records sharing the heaviest keys with it
    (a shared key filed under by s records weighs 1/ln(1+s), a shared whole title `title_weight`), among them
    only those weighing at least `min_share` of its heaviest: cardinality node pruning (meta-blocking), so that
    candidates grow linearly with the records instead of with the square of a common word's block. Chosen on
    DBLP-ACM (link blocking recall) and on the DBLP-Scholar train+valid matches."""
    words_per_record: int = 4
    max_block: int = 100             # at most 255
    min_word_length: int = 3
    neighbours: int = 8              # 0: keep every pair the keys give
    min_share: float = 0.1
    prefix_words: int = 3            # 0: no prefix key
    title_weight: float = 3.0

    def __post_init__(self) -> None:
        if not 2 <= self.max_block <= 255:
            raise ValueError(f"BlockingSettings.max_block must be between 2 and 255, not {self.max_block}")


_MAX_TITLE_BLOCK = 255       # 'Editorial' × 1000: such records pair through identifiers and words only


def _id_keys(f: Features) -> list[str]:
    keys = []
    if f.doi:
        keys.append("doi:" + f.doi_family)
        if f.doi.startswith(ZENODO_PREFIX):
            keys.append("zenodo:" + f.title)
    if f.arxiv:
        keys.append("arxiv:" + f.arxiv)
    for d in f.linked_dois:
        keys.append("doi:" + doi_family(d))
    for k, v in f.ids.items():
        keys.append(f"{k}:{v}")
    return keys


def _blocking_words(f: Features, min_length: int) -> list[str]:
    """The title's words and the authors' surnames: a citation string with the authors run into the title, or
    the title in the authors field, still shares its rare words with the clean record."""
    words = [w for w in chain(f.title_words, f.surname_set) if len(w) >= min_length and not w.isdigit()]
    return words or list(f.title_words)


def _pairs_within_blocks(block_ids: np.ndarray, members: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of records filed under one block, as codes i * n + j (i < j), with that block's size; from
    the incidence arrays (block_ids[k], members[k]), with integer arrays only: no Python loop over pairs."""
    code = np.unique(block_ids * n + members)            # one entry per (block, record), ordered by block
    block_ids, members = np.divmod(code, n)
    starts = np.flatnonzero(np.concatenate([[True], block_ids[1:] != block_ids[:-1]]))
    sizes = np.diff(np.append(starts, len(code)))
    size_of = np.repeat(sizes, sizes)
    after = size_of - (np.arange(len(code)) - np.repeat(starts, sizes)) - 1    # partners later in the block
    first = np.repeat(np.arange(len(code)), after)
    second = np.arange(len(first)) - np.repeat(np.cumsum(after) - after, after) + 1 + first
    i, j = members[first], members[second]              # members ascend within a block, so i < j
    return i * n + j, size_of[first]


def _strongest_per_record(code: np.ndarray, weight: np.ndarray, n: int, k: int, share: float) -> np.ndarray:
    """The pair codes (i * n + j) that are among the k heaviest of i's or of j's pairs (ties: the lower
    partner first) and weigh at least `share` of that record's heaviest. One sort of composite integer keys
    (record, weight descending, partner)."""
    i, j = np.divmod(code, n)
    levels = np.round(weight * 1000).astype(np.int64)
    if share > 0:                         # drop first what both ends' share rule would drop (most pairs)
        heaviest = np.zeros(n, dtype=np.int64)
        np.maximum.at(heaviest, i, levels)
        np.maximum.at(heaviest, j, levels)
        light = (levels < share * heaviest[i]) & (levels < share * heaviest[j])
        i, j, levels = i[~light], j[~light], levels[~light]
    top = int(levels.max()) + 1
    bits = max(1, (n - 1).bit_length())
    if 2 * bits + top.bit_length() <= 62:
        inverse = top - 1 - np.concatenate([levels, levels])
        keys = np.sort((np.concatenate([i, j]) << (bits + top.bit_length())) | (inverse << bits)
                       | np.concatenate([j, i]))
        src, dst = keys >> (bits + top.bit_length()), keys & ((1 << bits) - 1)
        level = top - 1 - ((keys >> bits) & ((1 << top.bit_length()) - 1))
    else:                                                # beyond ~16M records: the same order, slower
        src, dst, lv = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([levels, levels])
        order = np.lexsort((dst, -lv, src))
        src, dst, level = src[order], dst[order], lv[order]
    starts = np.flatnonzero(np.concatenate([[True], src[1:] != src[:-1]]))
    sizes = np.diff(np.append(starts, len(src)))
    position = np.arange(len(src)) - np.repeat(starts, sizes)
    keep = (position < k) & (level >= share * np.repeat(level[starts], sizes))
    src, dst = src[keep], dst[keep]
    return np.unique(np.minimum(src, dst) * n + np.maximum(src, dst))


def block_array(items: Sequence[Features], settings: BlockingSettings = BlockingSettings(),
                left_count: int | None = None) -> np.ndarray:
    """block() as an (m, 2) int64 array of pairs (i, j), i < j, in ascending order."""
    n = max(len(items), 1)
    # the copies of one paper from several sources share their words: each distinct word list is read once
    word_lists = [(f.title_words, f.surname_set) for f in items]
    words_of: dict[tuple, list[str]] = {}
    doc_freq: Counter[str] = Counter()
    for f, key in zip(items, word_lists):
        words = words_of.get(key)
        if words is None:
            words = words_of[key] = _blocking_words(f, settings.min_word_length)
        doc_freq.update(words)
    rarity = {w: r for r, w in enumerate(sorted(doc_freq, key=lambda w: (doc_freq[w], w)))}.__getitem__
    keys_of: dict[tuple, list[int]] = {}            # the block ids of a word list's rarest shared words
    key_ids: dict[str, int] = {}
    key_id = key_ids.setdefault
    scored_block: list[int] = []          # words and prefixes: weighed, pruned
    scored_member: list[int] = []
    title_block: list[int] = []
    title_member: list[int] = []
    exact_block: list[int] = []           # identifiers: always pair
    exact_member: list[int] = []
    prefix_words = settings.prefix_words
    for i, (f, word_list) in enumerate(zip(items, word_lists)):
        # words no other record has pair nothing: the rarest of the rest (names and venues spilt into a citation
        # string's title are mostly such words, so the title's own words still count)
        rarest = keys_of.get(word_list)
        if rarest is None:
            rarest = keys_of[word_list] = [key_id(w, len(key_ids)) for w in sorted(
                (w for w in words_of[word_list] if doc_freq[w] >= 2), key=rarity)[: settings.words_per_record]]
        scored_block.extend(rarest)
        scored_member.extend([i] * len(rarest))
        if f.title:
            title_block.append(key_id("t:" + f.title, len(key_ids)))
            title_member.append(i)
            prefix = f.title.split(maxsplit=prefix_words)[:prefix_words]
            if prefix_words and len(prefix) == prefix_words:
                # a title extended by a subtitle or cut short ('…') keeps its first words
                scored_block.append(key_id("p:" + " ".join(prefix), len(key_ids)))
                scored_member.append(i)
        for key in _id_keys(f):
            exact_block.append(key_id(key, len(key_ids)))
            exact_member.append(i)

    def pairs_of(blocks: list[int], members: list[int], max_block: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
        block_ids, member_ids = np.array(blocks, np.int64), np.array(members, np.int64)
        if max_block is not None and len(block_ids):
            small = np.bincount(block_ids)[block_ids] <= max_block
            block_ids, member_ids = block_ids[small], member_ids[small]
        code, size = _pairs_within_blocks(block_ids, member_ids, n)
        if left_count is not None:
            cross = (code // n < left_count) & (code % n >= left_count)
            code, size = code[cross], size[cross]
        return code, size

    exact, _ = pairs_of(exact_block, exact_member)
    word_code, word_size = pairs_of(scored_block, scored_member, settings.max_block)
    title_code, _ = pairs_of(title_block, title_member, _MAX_TITLE_BLOCK)
    # one entry per (pair, shared key) with the key's size in the low byte (0: a shared whole title), sorted:
    # a pair's entries are adjacent and its weight is the sum over them
    shared = np.sort(np.concatenate([word_code << 8 | word_size, title_code << 8]))
    per_key = np.concatenate([[settings.title_weight], 1.0 / np.log1p(np.arange(1, 256))])[shared & 255]
    code = shared >> 8
    if len(code):
        starts = np.flatnonzero(np.concatenate([[True], code[1:] != code[:-1]]))
        code, weight = code[starts], np.add.reduceat(per_key, starts)
        if settings.neighbours:
            code = _strongest_per_record(code, weight, n, settings.neighbours, settings.min_share)
    pairs = np.union1d(code, exact)
    return np.stack(np.divmod(pairs, n), axis=1) if len(pairs) else np.zeros((0, 2), np.int64)


def block(items: Sequence[Features], settings: BlockingSettings = BlockingSettings(),
          left_count: int | None = None) -> list[tuple[int, int]]:
    """Candidate pairs (i, j), i < j, in ascending order (see BlockingSettings). With `left_count`,
    items[:left_count] and items[left_count:] are two tables and only cross pairs are returned (record
    linkage)."""
    return list(map(tuple, block_array(items, settings, left_count).tolist()))


# ---- clustering ---------------------------------------------------------------------------------------

def rounded_components(components: dict[str, float]) -> dict[str, float]:
    """Components as stored and shown (6 decimals); a stored score is their sum, so it adds up within 1e-6."""
    return {k: round(v, 6) for k, v in components.items()}


EVIDENCE_TERMS = 8


@dataclass
class Edge:
    """Why two records were put in one work."""
    a: int
    b: int
    total: float
    components: dict[str, float]
    reason: str                      # "decision", an identity ("doi:…", "doi-family:…"), or "match"
    scored: int = -1                 # the pair's position in the clusterer's scored batch (-1: not scored)

    def describe(self, refs: Sequence[str]) -> dict:
        d = {"a": refs[self.a], "b": refs[self.b], "reason": self.reason}
        if self.components:
            # a work's stored evidence keeps the strongest terms and the rest as one sum (the review queue keeps
            # every term); the score is still the sum of what is stored
            ranked = sorted(self.components.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
            kept = dict(ranked[:EVIDENCE_TERMS])
            if len(ranked) > EVIDENCE_TERMS:
                kept["other terms"] = sum(v for _, v in ranked[EVIDENCE_TERMS:])
            d["components"] = rounded_components(kept)
            d["score"] = round(sum(d["components"].values()), 6)
        return d


@dataclass
class Clustering:
    groups: list[list[int]]          # indices into the (sorted) feature list, each group sorted, groups sorted
    edges: list[list[Edge]]          # per group, the edges that joined it
    maybe: list[Edge]                # uncertain pairs left in different groups
    candidates: int = 0              # pairs blocking proposed (all were scored)
    # pairs in different groups that the model alone calls one work but a rule about versions keeps apart (years
    # 3+ apart, two well-known venues, two DOIs): a paper and its extended version, (earlier, later) by index
    related: list[tuple[int, int]] = field(default_factory=list)


def _hard_doi_key(f: Features) -> str:
    """The DOI that makes a record a distinct published item; preprints and untitled DOIs give none."""
    if not f.doi or is_preprint_doi(f.doi):
        return ""
    if f.doi.startswith(ZENODO_PREFIX):
        return "zenodo|" + f.title       # concept/version records of one deposit share their title
    return f.doi_family


def _other_submissions(a: dict[str, set[str]], b: dict[str, set[str]]) -> bool:
    return any(x != y and not titles_x & titles_y for x, titles_x in a.items() for y, titles_y in b.items())


def _fill_components(edges: list[Edge], scored: _Scored) -> None:
    """Named components of the edges shown to people (evidence, review), in one batch."""
    edges = [e for e in edges if e.scored >= 0]
    if edges:
        for e, comps in zip(edges, _components(scored, np.array([e.scored for e in edges], dtype=np.int64))):
            e.components = comps


def cluster(feats: Sequence[Features], forced: Iterable[tuple[int, int]] = (),
            cannot: Iterable[tuple[int, int]] = (), settings: MatchSettings = DEFAULT_SETTINGS,
            blocking: BlockingSettings = BlockingSettings(), apart: Sequence[str] = ()) -> Clustering:
    """Group records into works. `forced` pairs are joined first (a person said "same"); `cannot` pairs never
    end up in one group (a person said "different"), whatever identifiers or scores say. Then identity edges,
    then scored matches from the strongest down; a join that would put two different non-preprint DOIs, two arXiv
    submissions under different titles, or two titles naming different parts or days, in one group is refused
    unless a decision or a preprint/version relation asked for it. `apart` labels records (one label a record, ""
    for none): no group holds two records of one label (a list that names each publication once, such as the
    owner's site or DBLP), checked per group so it costs nothing per pair."""
    n = len(feats)
    parent = list(range(n))
    members: list[list[int]] = [[i] for i in range(n)]
    hard: list[set[str]] = [{k} if (k := _hard_doi_key(f)) else set() for f in feats]
    # the parts or days titles name ('Vol. 2', 'Letter, 31 May 1918'): one group never holds two, even through a
    # record that names none ('The collected papers of Albert Einstein' between its Vol. 2 and Vol. 8)
    named_parts: list[set[frozenset[str]]] = [{f.parts} if f.parts else set() for f in feats]
    # the titles each arXiv submission in a group is known by: one group never holds two submissions that share no
    # title, even through a published record between them
    preprints: list[dict[str, set[str]]] = [{f.arxiv: {f.title}} if f.arxiv else {} for f in feats]
    forbid: list[set[int]] = [set() for _ in range(n)]
    labels: list[set[str]] = [{label} if label else set() for label in apart] or [set() for _ in range(n)]
    for i, j in cannot:
        if i != j:
            forbid[i].add(j)
            forbid[j].add(i)
    joined: dict[int, list[Edge]] = defaultdict(list)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(edge: Edge, check_conflicts: bool) -> bool:
        ra, rb = find(edge.a), find(edge.b)
        if ra == rb:
            return False
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        if forbid[ra] and any(m in forbid[ra] for m in members[rb]):
            return False
        if labels[ra] & labels[rb]:
            return False
        if check_conflicts and (len(hard[ra] | hard[rb]) > 1 or len(named_parts[ra] | named_parts[rb]) > 1
                                or _other_submissions(preprints[ra], preprints[rb])):
            return False
        parent[rb] = ra
        members[ra].extend(members[rb])
        hard[ra] |= hard[rb]
        named_parts[ra] |= named_parts[rb]
        for arxiv, titles in preprints[rb].items():
            preprints[ra].setdefault(arxiv, set()).update(titles)
        labels[ra] |= labels[rb]
        forbid[ra] |= forbid[rb]
        joined[ra].extend(joined.pop(rb, []))
        joined[ra].append(edge)
        members[rb] = []
        return True

    for i, j in sorted({(min(p), max(p)) for p in forced if p[0] != p[1]}):
        union(Edge(i, j, math.inf, {}, "decision"), check_conflicts=False)

    candidates = block_array(feats, blocking)
    scored = _score_batch(matchmodel.RecordTable(feats), feats, candidates[:, 0], candidates[:, 1], settings)
    same: list[Edge] = []
    maybe: list[Edge] = []
    for k in np.flatnonzero(scored.totals > settings.maybe).tolist():
        i, j = candidates[k].tolist()
        total = float(scored.totals[k])
        reason = scored.reason(k, feats, candidates[:, 0], candidates[:, 1]) or "match"
        (same if outcome_of(total, settings) == "same" else maybe).append(Edge(i, j, total, {}, reason, k))
    # identity first, then strongest score; ties broken by index so the result never depends on input order
    same.sort(key=lambda e: (e.reason == "match", -e.total, e.a, e.b))
    for e in same:
        relation = e.reason.startswith(("published-doi:", "zenodo-versions:", "doi-family:"))
        union(e, check_conflicts=not relation)

    roots = sorted({find(i) for i in range(n)}, key=lambda r: min(members[r]))
    groups = [sorted(members[r]) for r in roots]
    edges = [sorted(joined.get(r, []), key=lambda e: (e.a, e.b)) for r in roots]
    open_maybe = sorted((e for e in maybe if find(e.a) != find(e.b) and e.b not in forbid[find(e.a)]
                         and not (forbid[find(e.a)] & set(members[find(e.b)]))
                         and not (labels[find(e.a)] & labels[find(e.b)])),
                        key=lambda e: (-e.total, e.a, e.b))
    # components only where the score decided: the scored edges that joined a group and the open questions (an
    # identifier or a decision explains itself)
    _fill_components([e for group in edges for e in group if e.reason == "match"] + open_maybe, scored)
    return Clustering(groups, edges, open_maybe, len(candidates), _related(scored, candidates, find, settings))


def _related(scored: _Scored, candidates: np.ndarray, find, s: MatchSettings) -> list[tuple[int, int]]:
    """The candidate pairs the model's terms call one work (prior + terms above `same`) that the year, venue or
    DOI rule settled as two, and no rule about parts, notices or meeting abstracts: another version of the same
    paper, with most of the shorter title inside the longer and in another venue (not a column a venue runs every
    year)."""
    ids, year_far, parts, venue, _, notice, abstract, _ = (scored.extra[:, k] for k in range(len(_RULES)))
    model_total = scored.totals - scored.extra.sum(axis=1)
    kept_apart = (ids < 0) | (year_far != 0) | (venue != 0)
    with np.errstate(invalid="ignore"):
        versions = (scored.rows[:, _LCS_SHORT] >= matchmodel.CUT_TITLE_LCS) & ~(scored.rows[:, _VENUE_WORDS] >= 0.9)
    hits = (model_total > s.same) & (scored.totals <= s.maybe) & kept_apart & (parts == 0) & (notice == 0) \
        & (abstract == 0) & versions
    return sorted({(int(i), int(j)) for i, j in candidates[np.flatnonzero(hits)].tolist() if find(i) != find(j)})
