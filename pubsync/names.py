"""Person names, in one place: family/given (nameparser: particles such as "van", "de", "dos" and suffixes such as
"Jr" stay with the family name), equal-contribution marks, ASCII folding, comparable keys and initials, slugs, and
which author of a work is a person of the site.

Every source that has to split a display name, the matcher, citation keys and the exporters use these functions,
so one name gives one answer everywhere: "Ludwig van Beethoven" is ("van Beethoven", "Ludwig") from any source,
and its citation-key surname is "beethoven" whichever source won the authors field.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from nameparser import HumanName
from nameparser.config import Constants

from pubsync.normalize import fold, repair

if TYPE_CHECKING:
    from pubsync.records import Author, Work
    from pubsync.settings import Person

# nameparser without its list of titles: "King", "Prince", "Judge" or "Model" is a given name in an author list.
_NAME_PARTS = Constants(titles=[], first_name_titles=[])
# What a citation key and the matcher's surname key leave out of a family name.
PARTICLES = frozenset({"van", "von", "der", "den", "de", "da", "di", "del", "della", "du", "la", "le", "dos", "das",
                       "do", "ter", "ten", "zu", "al", "el", "bin", "ibn"})
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "junior", "filho", "neto"})
# Equal-contribution / corresponding-author marks as people write them after a name ("Yifei He*", "A. Einstein†").
MARKS = "*∗†‡§¶#"
_TRAILING_MARKS = re.compile(rf"[\s{re.escape(MARKS)}]+$")

# Letters NFKD does not decompose into ASCII.
_ASCII_EXTRA = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l",
                              "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"})


def ascii_fold(text: str) -> str:
    """'Łukasz Müller' → 'Lukasz Muller'; characters with no ASCII form are dropped."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.translate(_ASCII_EXTRA))
    return text.encode("ascii", "ignore").decode("ascii")


# ---- display names ---------------------------------------------------------------------------------

def split_marks(name: str) -> tuple[str, str]:
    """'Yifei He*†' → ('Yifei He', '*†')."""
    m = _TRAILING_MARKS.search(name)
    if not m:
        return name.strip(), ""
    return name[:m.start()].strip(), "".join(ch for ch in m.group() if not ch.isspace())


def _is_suffix(token: str) -> bool:
    return token.rstrip(".").lower() in SUFFIXES


@lru_cache(maxsize=1 << 14)       # every format asks for the names of every work, and co-authors recur
def split_name(name: str) -> tuple[str, str]:
    """A display name → (family, given), by nameparser. 'Carberry, Josiah' and 'Josiah Carberry' give ('Carberry',
    'Josiah'); particles and a suffix stay with the family name: 'Ludwig van Beethoven' → ('van Beethoven',
    'Ludwig'), 'PGR De Almeida' → ('De Almeida', 'PGR'), 'Carlos Denner dos Santos Jr' → ('dos Santos Jr',
    'Carlos Denner'); a single word is a family name ('Plato' → ('Plato', ''))."""
    name = " ".join(name.split())
    parsed = HumanName(name, constants=_NAME_PARTS)
    family = " ".join(part for part in (parsed.last, parsed.suffix) if part)
    given = " ".join(part for part in (parsed.first, parsed.middle) if part)
    if not family:
        return given or name, ""
    return family, given


def family_given(author: Author) -> tuple[str, str]:
    """(family, given) of an author, without marks: the source's own split when it gave one."""
    if author.family:
        return split_marks(author.family)[0], split_marks(author.given)[0]
    return split_name(split_marks(author.name)[0])


def author_parts(author: Author) -> tuple[str, str, str, str]:
    """(family, given, display, marks): family_given(), the 'Given Family' display name without marks, and the
    equal-contribution marks written after the name (or after the family or given part)."""
    bare, marks = split_marks(author.name)
    if author.family:
        (family, family_marks), (given, given_marks) = split_marks(author.family), split_marks(author.given)
        marks = marks or family_marks or given_marks
    else:
        family, given = split_name(bare)
    return family, given, bare if bare and "," not in bare else f"{given} {family}".strip(), marks


def person_display(name: str) -> str:
    """'Carberry, Josiah' → 'Josiah Carberry': how a person of the site is shown in a list."""
    family, given = split_name(name) if "," in name else ("", "")
    return f"{given} {family}".strip() if family else " ".join(name.split())


def key_surname(family: str) -> str:
    """The surname a citation key starts with: ASCII letters of the family name without its particles and
    suffixes, whatever their case ('van Beethoven', 'Beethoven' → 'beethoven'; 'Dos Santos Jr' → 'santos';
    'García Márquez' → 'garciamarquez'); '' when nothing is left."""
    tokens = split_marks(family)[0].split()
    while len(tokens) > 1 and _is_suffix(tokens[-1]):
        tokens.pop()
    while len(tokens) > 1 and tokens[0].lower() in PARTICLES:
        tokens.pop(0)
    return re.sub(r"[^a-z]", "", ascii_fold("".join(tokens)).lower())


# ---- comparable keys (matching) -----------------------------------------------------------------------

def surname_key(name: str, family: str = "") -> str:
    """The comparable surname of one author: last significant token of the family name, folded.

    'Carberry, Josiah' → 'carberry'; 'PGR De Almeida' → 'almeida'; 'Carlos Denner dos Santos Jr' → 'santos';
    'j wфsch' → 'wasch'. Initials-only strings and junk give ''."""
    if family:
        tokens = fold(repair(family)).split()
    else:
        s = repair(name)
        if "," in s:
            head, _, tail = s.partition(",")
            tokens = fold(head).split() if fold(head) else fold(tail).split()
            if tokens and fold(tail) and len(fold(head).replace(" ", "")) <= 2 and len(fold(tail)) > 2:
                tokens = fold(tail).split()      # "J., Carberry" style: the long part is the surname
        else:
            tokens = fold(s).split()
    if tokens in (["et", "al"], ["others"], ["and", "others"]):   # a cut list's 'et al.' is nobody
        return ""
    while tokens and tokens[-1] in SUFFIXES:
        tokens.pop()
    while len(tokens) > 1 and tokens[-1] in PARTICLES:
        tokens.pop()
    return tokens[-1] if tokens else ""


def initial_key(name: str, family: str = "", given: str = "") -> str:
    """First initial + surname ('Josiah S. Carberry' → 'j carberry', 'JS Carberry' → 'j carberry');
    '' when there is no surname or no initial."""
    surname = surname_key(name, family)
    if not surname:
        return ""
    if family:
        rest = fold(repair(given))
    else:
        s = repair(name)
        if "," in s:
            head, _, tail = s.partition(",")
            rest = fold(tail) if surname in fold(head).split() else fold(head)
        else:
            tokens = fold(s).split()
            rest = " ".join(t for t in tokens if t != surname)
    return f"{rest[0]} {surname}" if rest else ""


def name_key(name: str) -> str:
    """Comparable whole name: 'He, Yifei*' and 'Yifei  He' → 'yifei he'."""
    bare = split_marks(name)[0]
    if "," in bare:
        family, _, given = bare.partition(",")
        bare = f"{given} {family}"
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_fold(bare).lower()).split())


# ---- is this printed name the person's? ------------------------------------------------------------------

AGREEMENTS = ("conflict", "compatible", "complete", "distinctive")   # weakest to strongest


def name_agreement(printed: str, names: list[str]) -> str:
    """How a name printed on a work agrees with a person's name and aliases:

    "conflict"     a name part or initial the person does not have, where their names show what stands there: a
                   middle name ('Carlos Carneiro dos Santos' or 'Santos, Carlos G. S.' for Carlos Denner dos
                   Santos), or another first name ('Jane Carberry' for Josiah Carberry);
    "compatible"   nothing against it, but only what every namesake shares ('Carlos Santos', 'Santos, Carlos D.',
                   'J. S. Carberry' for Josiah Carberry, whose middle name is unknown);
    "complete"     first and last name written out, for a person with no middle name known ('Josiah Carberry');
    "distinctive"  a middle name written out ('Carlos Denner Santos Jr.').
    Particles ('dos', 'van') and suffixes ('Jr', 'Júnior') are left out on both sides."""
    raw = _name_tokens(printed)
    firsts, middles, lasts = set(), set(), set()
    for name in names:
        family, given = split_name(name)
        parts = _name_tokens(given)
        firsts.update(parts[:1])
        middles.update(parts[1:])
        lasts.update(_name_tokens(family))
    known = firsts | middles | lasts
    initials = {t[0] for t in known}
    extra = [t for t in raw if (t not in known if len(t) > 1 else t not in initials)]
    has_first = any(t in firsts or (len(t) == 1 and t in {f[0] for f in firsts}) for t in raw)
    if not raw or (extra and (middles or not has_first or not set(raw) & lasts)):
        return "conflict"
    if {t for t in raw if len(t) > 1} & {m for m in middles if len(m) > 1}:
        return "distinctive"
    if not middles and not extra and set(raw) & firsts and set(raw) & lasts:
        return "complete"
    return "compatible"


def _name_tokens(name: str) -> list[str]:
    """The parts of a name, folded to ASCII lower case, initials as single letters, without particles and
    suffixes: 'CD Dos Santos' and 'Santos, C. D.' give ['c', 'd', 'santos'] and ['santos', 'c', 'd']."""
    bare = split_marks(name)[0]
    shouting = bare.isupper()
    out: list[str] = []
    for token in re.split(r"[\s,.]+", bare):
        word = " ".join(fold(repair(token)).split())
        if not word or word in PARTICLES or word in SUFFIXES:
            continue
        if token.isupper() and not shouting and len(word) <= 3 and " " not in word:
            out += list(word)                       # 'CD', 'PGR': initials run together
        else:
            out += word.split()
    return out


# ---- slugs ------------------------------------------------------------------------------------------

MAX_SLUG = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "untitled", max_len: int = MAX_SLUG) -> str:
    """A file-name-safe slug: ASCII [a-z0-9-] only, never empty, never '.', '..' or a path, cut at a word
    boundary: 'Localize-and-Stitch: Efficient …' → 'localize-and-stitch-efficient-…'."""
    slug = _NOT_SLUG.sub("-", ascii_fold(str(text)).lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut[1:] else slug[:max_len]
        slug = slug.strip("-")
    if not slug:
        slug = _NOT_SLUG.sub("-", ascii_fold(str(fallback)).lower()).strip("-")[:max_len] or "untitled"
    return slug


# ---- the site's people among a work's authors -----------------------------------------------------------

def owners(work: Work, people: list[Person]) -> list[Person | None]:
    """For each author of `work`, the Person it is (or None).

    Ids decide first, against every person: an author who carries an id that is not the person's is never the
    person, whatever the name says (al-folio #100: a same-surname co-author got highlighted). Names decide only for
    authors without ids, only for the people the work belongs to (work.people; everyone when that is empty), and
    never for a person already found by id."""
    authors = work.authors
    found: list[Person | None] = [None] * len(authors)
    by_id: set[str] = set()
    for i, author in enumerate(authors):
        if not author.orcid and not author.openalex:
            continue
        for person in people:            # the first person in list order whose id is the author's
            if (author.orcid and person.orcid and author.orcid.upper() == person.orcid.upper()) or \
                    (author.openalex and person.openalex and author.openalex.upper() == person.openalex.upper()):
                found[i] = person
                by_id.add(person.key)
                break
    candidates = [p for p in people if (not work.people or p.key in work.people) and p.key not in by_id]
    if not candidates or all(a.orcid or a.openalex for a in authors):
        return found
    keys_of = [(p, {name_key(n) for n in [p.name, *p.aliases] if name_key(n)}) for p in candidates]
    for i, author in enumerate(authors):
        if found[i] is not None or author.orcid or author.openalex:
            continue
        keys = {name_key(author.name)}
        if author.family:
            keys.add(name_key(f"{author.given} {author.family}"))
        for person, person_keys in keys_of:
            if keys & person_keys:
                found[i] = person
                break
    _match_initials(work, found, candidates)
    return found


def _match_initials(work: Work, found: list[Person | None], candidates: list[Person]) -> None:
    """Scholar and some ORCID entries abbreviate every given name ("A Einstein", "PGR De Almeida"). On a work that
    belongs to the person and where nobody is them yet, the one author with their family name and first initial
    is them; two such authors (a sibling on the same paper) are left unmarked."""
    for person in candidates:
        if person.key not in work.people or any(f is person for f in found):
            continue
        want = _family_initial(*split_name(person.name))
        if not all(want):
            continue
        fits = [i for i, author in enumerate(work.authors)
                if found[i] is None and not author.orcid and not author.openalex
                and _family_initial(*family_given(author)) == want]
        if len(fits) == 1:
            found[fits[0]] = person


def _family_initial(family: str, given: str) -> tuple[str, str]:
    return ascii_fold(family).lower(), ascii_fold(given)[:1].lower()
