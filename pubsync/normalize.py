"""Text normalisation for matching: titles and venues reduced to comparable keys (person names: names.py).

Pure functions; nothing here is shown to users (display text stays as the source gave it).
Repairs what the sources and benchmarks actually contain: HTML entities (also tokenized ones like
`& hellip ;`), LaTeX markup, UTF-8-read-as-Latin-1 mojibake (`barbarã ¡`), the Latin-1-read-as-Cyrillic
damage of the DBLP tables (`wфsch`), accents, case, punctuation and truncation marks.
"""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# ---- repair ------------------------------------------------------------------------------------

_TOKENIZED_ENTITY = re.compile(r"\s?&\s?(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+\d*)\s?;\s?")

# Latin-1 text decoded as ISO-8859-5 puts Cyrillic letters where accented Latin ones belong ('wфsch' for 'wäsch',
# as in the DBLP benchmark tables); decoded back letter by letter, and only in text that is mostly Latin, so real
# Cyrillic stays.
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z]")

# UTF-8 bytes decoded as Latin-1/CP1252 (optionally lower-cased and split by a tokenizer): 'Ã¡' / 'ã ¡' -> 'á'.
_UTF8_AS_LATIN1 = re.compile(r"([\u00c2-\u00c3\u00e2-\u00e3])\s?([\u0080-\u00bf])")

_LATEX_HINT = re.compile(r"[\\{}$]")


def _unescape_entity(m: re.Match[str]) -> str:
    char = html.unescape(f"&{m.group(1)};")
    if char.startswith("&"):            # not an entity after all
        return m.group(0)
    # a letter was part of a word the tokenizer split ('lud &#228; scher'); anything else keeps its spacing
    return char if char.isalpha() else f" {char} "


def _latin1_read_as_cyrillic(m: re.Match[str]) -> str:
    return m.group(0).encode("iso8859_5", errors="ignore").decode("latin-1") or m.group(0)


def _fix_utf8_as_latin1(m: re.Match[str]) -> str:
    lead = m.group(1)
    if lead in "\u00e2\u00e3":          # a lower-cased lead byte: undo the case change first
        lead = lead.upper()
    try:
        return bytes([ord(lead), ord(m.group(2))]).decode("utf-8")
    except UnicodeDecodeError:
        return m.group(0)


@lru_cache(maxsize=1)
def _latex_converter():
    from pylatexenc.latex2text import LatexNodes2Text
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def latex_to_unicode(text: str) -> str:
    if not _LATEX_HINT.search(text):
        return text
    try:
        return _latex_converter().latex_to_text(text)
    except Exception:                   # pylatexenc is lenient, but a malformed title must never stop a merge
        return text


@lru_cache(maxsize=1 << 16)
def repair(text: str | None) -> str:
    """Undo entity, LaTeX and mojibake damage; NFC; whitespace collapsed. Keeps case and punctuation."""
    if not text:
        return ""
    s = _TOKENIZED_ENTITY.sub(_unescape_entity, text) if "&" in text else text
    s = html.unescape(s)
    s = latex_to_unicode(s)
    if "\u00c3" in s or "\u00e3" in s or "\u00c2" in s or "\u00e2" in s:
        s = _UTF8_AS_LATIN1.sub(_fix_utf8_as_latin1, s)
    if _CYRILLIC.search(s):
        n_cyr = len(_CYRILLIC.findall(s))
        if n_cyr * 3 < len(_LATIN.findall(s)):
            s = _CYRILLIC.sub(_latin1_read_as_cyrillic, s)
    s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


# ---- folding -----------------------------------------------------------------------------------

_FOLD_EXTRA = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                             "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "þ": "th", "ð": "d"})
_NON_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Accents stripped, case folded, every run of non-alphanumerics one space: 'Wäsch, J.' -> 'wasch j'."""
    if text.isascii():
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    s = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    return _NON_ALNUM.sub(" ", s).strip()


# ---- titles ------------------------------------------------------------------------------------

TRUNCATION = re.compile(r"(?:\s*(?:…|\.\.\.|\. \. \.)[\s,;.]*)$")
_LEADING_TRUNCATION = re.compile(r"^\s*(?:…|\.\.\.)\s*")
# a title cut with no mark where its subtitle or a list went on ('XML and information retrieval:', '…: scheme,')
_DANGLING_END = re.compile(r"(?:[:,;]|\s[-–—])\s*$")


def cut_at_front(title: str | None) -> bool:
    """'… of the VLDB broadening strategy': Scholar cut the title's opening words."""
    return bool(_LEADING_TRUNCATION.search(repair(title)))


def title_key(title: str | None) -> tuple[str, bool]:
    """(folded title, truncated?) — Scholar cuts long titles with '…' or '...'; citation strings stop at a ':', ',',
    ';' or dash (_DANGLING_END)."""
    s = repair(title)
    truncated = False
    if ("…" in s or ". ." in s or ".." in s) and (TRUNCATION.search(s) or _LEADING_TRUNCATION.search(s)):
        truncated = True
        s = _LEADING_TRUNCATION.sub("", TRUNCATION.sub("", s))
    elif _DANGLING_END.search(s):
        truncated = True
    return fold(s), truncated


_PART = re.compile(r"\b(?:part|pt|vol|volume)\s+([ivx]+|\d+)\b")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
          "x": "10"}


# a figure or table of another work, listed as an item of its own ('Figure 2, PBS buffer stability of …'), and its
# number in a folded title ('figure 2 pbs buffer …')
FIGURE_TITLE = re.compile(r"^\W*(?:fig|figure|table|scheme)\.?\s+s?\d+[a-z]?\s*[,:.]\s", re.I)
_FOLDED_FIGURE = re.compile(r"^(fig|figure|table|scheme) (s?\d+[a-z]?) ")
_FIGURE_KIND = {"fig": "figure"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) {_MONTH} ((?:1[5-9]|20)\d\d)\b")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH} (\d{{1,2}}) ((?:1[5-9]|20)\d\d)\b")
_YEAR_IN_TEXT = re.compile(r"(?:1[5-9]|20)\d\d\b")


# the number a journal series gives its papers after their common title, without the word 'part': '… from turkey
# erythrocytes. I. Purification and properties' (not an initial: 'J. McCarthy, I. Kant'; not a book's contents:
# 'Sidelights on Relativity,... I. Ether and Relativity. II. Geometry and Experience')
_ROMAN_HEADING = re.compile(r"(?<=\s)([IVX]{1,4})\.\s+(?=[A-Z0-9])")
_SENTENCE_END = re.compile(r"\w*[a-z]{3}\.")


def series_part(title: str) -> frozenset[str]:
    """The number of a paper in a journal series, roman numerals as digits ('…. II. P2Y-purinergic …' -> {'2'})."""
    if "I." not in title and "V." not in title and "X." not in title:       # most titles: no heading to look for
        return frozenset()
    headings = list(_ROMAN_HEADING.finditer(title))
    if len(headings) != 1:
        return frozenset()
    before = title[:headings[0].start()].split()
    if not before or not _SENTENCE_END.fullmatch(before[-1]):
        return frozenset()
    return frozenset([_ROMAN.get(headings[0][1].lower(), headings[0][1])])


# a sequel numbered at the end of its title, whose first paper carries no number: 'bivector fields ii' after
# 'bivector fields', 'a generalization of the relativistic theory of gravitation ii' (not 'i': a word too)
_SEQUEL_NUMBERS = {"ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}


def _sequel(folded_title: str) -> tuple[str, str]:
    """(the title a sequel continues, its roman number) or ("", "")."""
    head, _, last = folded_title.rpartition(" ")
    return (head, last) if last in _SEQUEL_NUMBERS and " " in head else ("", "")


def sequel_of(folded_title: str) -> str:
    """The folded title of the paper a sequel continues ('bivector fields ii' -> 'bivector fields'), or ""."""
    return _sequel(folded_title)[0]


@lru_cache(maxsize=1 << 16)
def title_parts(folded_title: str) -> frozenset[str]:
    """The part/volume numbers a folded title names, roman numerals as digits ('… part ii', '… fields ii' -> {'2'}),
    the days it names ('… letter 31 may 1918' -> {'1918-05-31'}: a letter, a diary entry, a meeting's minutes), and
    the number of a figure or table listed on its own ('figure 2 pbs buffer …' -> {'figure 2'})."""
    days = []
    if _YEAR_IN_TEXT.search(folded_title):                          # most titles name no year: skip two scans
        days = [(y, _MONTHS.index(m), d) for d, m, y in _DAY_MONTH_YEAR.findall(folded_title)]
        days += [(y, _MONTHS.index(m), d) for m, d, y in _MONTH_DAY_YEAR.findall(folded_title)]
    figure = _FOLDED_FIGURE.match(folded_title)
    sequel = _sequel(folded_title)[1]
    numbered = "part " in folded_title or "pt " in folded_title or "vol" in folded_title
    return frozenset([_ROMAN.get(n, n.lstrip("0") or "0") for n in (_PART.findall(folded_title) if numbered else ())]
                     + ([_ROMAN[sequel]] if sequel else [])
                     + [f"{y}-{m + 1:02d}-{int(d):02d}" for y, m, d in days]
                     + ([f"{_FIGURE_KIND.get(figure[1], figure[1])} {figure[2]}"] if figure else []))


# ---- notices about another work ---------------------------------------------------------------------

# 'Erratum: …', 'Correction to: …', 'Corrigendum', 'Addendum to …', Nature's 'Author Correction: …' and 'Publisher
# Correction: …', PNAS's 'Correction for Smith et al., …', German 'Berichtigung zu …' and 'Nachtrag zu …' (not
# 'Correction of motion artifacts …', nor 'Correction for attenuation …')
CORRECTION_TITLE = re.compile(r"^(?:(?:(?:author|publisher)(?:['’]?s)?\s+)?(?:correction|addendum)"
                              r"(?:\s+to\b|\s*[:.]|\s*$)|(?:erratum|errata|corrigendum)\b"
                              r"|correction\s+for\s+[^,]{1,80}\bet\s+al\b"
                              r"|(?:berichtigung|nachtrag)\s+zu[rm]?\b)", re.I)
# a notice retracting a work or doubting it ('Retraction note to …', Springer's 'Editorial Note to: …'); 'RETRACTED:
# <title>' is the retracted work itself
RETRACTION_NOTICE_TITLE = re.compile(r"^(?:retraction(?: note| notice)?|notice of retraction|"
                                     r"(?:editorial\s+)?expression of concern|editorial note to)\b", re.I)


# A meeting abstract, by the number the meeting gave it: AACR's 'Abstract 3917: …', 'Abstract LB-418: …'. Every
# source prints it (it is part of the published title), unlike '(abstract)' or '(demo)', which ACM adds and DBLP
# leaves out.
MEETING_ABSTRACT_TITLE = re.compile(r"^\s*abstract\s+[a-z]{0,4}-?\d[\w-]*\s*:\s*", re.I)
# An extended abstract, poster, demo or meeting abstract of a paper, by its title: 'Poster: …', 'Demo Abstract: …',
# '… (Extended Abstract)', '…: (Demonstration)', '… (SoSyM abstract)', '…: poster abstract', 'Abstract 3917: …'.
_SHORT_VERSION_MARK = re.compile(
    rf"^\s*(?:poster|demo)(?:\s+abstract)?\s*:\s+|{MEETING_ABSTRACT_TITLE.pattern}"
    r"|\s*:?\s*\((?:[\w-]+\s+)?(?:abstract|demonstration|demo|poster)\)\s*\.?\s*$"
    r"|\s*:\s*(?:poster|demo)\s+abstract\s*\.?\s*$", re.I)


def short_version_title(title: str | None) -> str:
    """The title of the paper an extended abstract, poster or demo presents (its own title without the mark), or ""
    when the title names no such short version."""
    text = repair(title)
    lower = text.lower()
    if "abstract" not in lower and "demo" not in lower and "poster" not in lower:    # most titles: no mark
        return ""
    core = _SHORT_VERSION_MARK.sub("", text, count=1)
    return core.strip() if core != text else ""


# A comment on another work, or a reply to one ('Comment on "X"', 'Response to Comment on "X"', 'Authors' reply to
# …', 'Discussion of …', German 'Bemerkung zu …', 'Notiz zu …', 'Antwort auf …'): a publication of its own, by
# other people or a year later. A paper whose title merely opens so ('Response to detected errors in …') is flagged
# too, harmlessly: every record of it opens so.
_DISCUSSION_TITLE = re.compile(r"^(?:(?:(?:the\s+)?authors?['’]?s?\s+)?(?:response|reply|rejoinder|comments?"
                               r"|commentary|discussion|closure)\s+(?:to|on|of)[\s:]"
                               r"|(?:bemerkung(?:en)?|notiz|antwort|erwiderung|entgegnung)\s+(?:zu[rm]?|auf)\s)", re.I)


@lru_cache(maxsize=1 << 16)
def notice_kind(title: str | None) -> str:
    """What a title says the item is about another work: "correction" (a correction or retraction notice),
    "discussion" (a comment or reply) or ""."""
    text = re.sub(r"^[\W_]+", "", repair(title))
    if CORRECTION_TITLE.search(text) or RETRACTION_NOTICE_TITLE.search(text):
        return "correction"
    return "discussion" if _DISCUSSION_TITLE.search(text) else ""



# ---- venues ------------------------------------------------------------------------------------

_VENUE_NOISE = {"proceedings", "proc", "of", "the", "in", "on", "international", "intl", "int", "conference",
                "conf", "annual", "symposium", "symp", "workshop", "journal", "j", "acm", "ieee", "and", "for",
                "transactions", "trans", "st", "nd", "rd", "th", "vol", "volume", "no", "pp", "edition"}
_DIGITS = re.compile(r"\d+")


def venue_key(venue: str | None) -> str:
    """Distinctive venue words, folded, numbers and boilerplate dropped: 'Proc. of VLDB 2001' -> 'vldb'."""
    s = fold(TRUNCATION.sub("", repair(venue)))
    words = [w for w in _DIGITS.sub(" ", s).split() if w not in _VENUE_NOISE]
    return " ".join(words)
