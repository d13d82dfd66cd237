"""Author names: splitting into family/given, ASCII folding, and finding the site owner(s) in an author list.

Owners are recognised by identifier first (Author.orcid / Author.openalex equal to a Person's): an author who carries
an id that is not the person's is never the person, whatever the name says (al-folio #100: a same-surname co-author
got highlighted). Only authors without any id fall back to a name match against Person.name and Person.aliases.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pubsync.records import Author, Work
from pubsync.settings import Person

PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "del", "della", "du", "la", "le", "dos", "das", "ter",
             "ten", "zu", "al", "el", "bin", "ibn"}
# Equal-contribution / corresponding-author marks as people write them after a name ("Yifei He*", "A. Einstein†").
MARKS = "*∗†‡§¶#"
_TRAILING_MARKS = re.compile(rf"[\s{re.escape(MARKS)}]+$")

# Letters NFKD does not decompose into ASCII.
_ASCII_EXTRA = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l",
                              "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"})


@lru_cache(maxsize=1 << 16)
def ascii_fold(text: str) -> str:
    """'Łukasz Müller' → 'Lukasz Muller'; characters with no ASCII form are dropped. Cached: names recur."""
    return fold_uncached(text)


def fold_uncached(text: str) -> str:
    """ascii_fold() of a text unlikely to recur (a title)."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.translate(_ASCII_EXTRA))
    return text.encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=1 << 16)
def split_marks(name: str) -> tuple[str, str]:
    """'Yifei He*†' → ('Yifei He', '*†')."""
    m = _TRAILING_MARKS.search(name)
    if not m:
        return name.strip(), ""
    return name[:m.start()].strip(), "".join(ch for ch in m.group() if not ch.isspace())


@lru_cache(maxsize=1 << 16)
def split_name(name: str) -> tuple[str, str]:
    """A display name → (family, given). 'Carberry, Josiah' and 'Josiah Carberry' give ('Carberry', 'Josiah');
    lower-case particles stay with the family name ('Ludwig van Beethoven' → ('van Beethoven', 'Ludwig'))."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    tokens = name.split(" ")
    if len(tokens) == 1:
        return tokens[0], ""
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in PARTICLES and tokens[start - 1][:1].islower():
        start -= 1
    return " ".join(tokens[start:]), " ".join(tokens[:start])


def family_given(author: Author) -> tuple[str, str]:
    if author.family:
        return split_marks(author.family)[0], split_marks(author.given)[0]
    return split_name(split_marks(author.name)[0])


def person_family_given(person: Person) -> tuple[str, str]:
    return split_name(person.name)


def display(author: Author) -> str:
    """'Given Family' without marks, for lists."""
    bare = split_marks(author.name)[0]
    if bare and "," not in bare:
        return bare
    family, given = family_given(author)
    return f"{given} {family}".strip()


def marks_of(author: Author) -> str:
    return split_marks(author.name)[1] or split_marks(author.family)[1] or split_marks(author.given)[1]


@lru_cache(maxsize=1 << 16)
def author_parts(name: str, family: str, given: str) -> tuple[str, str, str, str]:
    """(family, given, display, marks) of an author with these fields: family_given(), display() and marks_of()
    at once, cached — every format asks, and co-authors recur across works."""
    if not family and not given and "," not in name:
        last = name[-1:]
        if last and not last.isspace() and last not in MARKS:     # no trailing marks: split_marks() keeps it whole
            bare = name.strip()
            return (*split_name(bare), bare, "")
    author = Author(name=name, family=family, given=given)
    fam, giv = family_given(author)
    return fam, giv, display(author), marks_of(author)


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Comparable form: 'He, Yifei*' and 'Yifei  He' → 'yifei he'."""
    bare = split_marks(name)[0]
    if "," in bare:
        family, _, given = bare.partition(",")
        bare = f"{given} {family}"
    bare = ascii_fold(bare).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", bare).split())


def owners(work: Work, people: list[Person]) -> list[Person | None]:
    """For each author of `work`, the Person it is (or None).

    Ids decide first, against every person. Names decide only for authors without ids, and only for the people the
    work belongs to (work.people; everyone when that is empty), and never for a person already found by id."""
    authors = work.authors
    found: list[Person | None] = [None] * len(authors)
    by_orcid, by_openalex = _id_index(tuple((p.orcid, p.openalex) for p in people))
    by_id: set[str] = set()
    unidentified = False
    for i, author in enumerate(authors):
        orcid, openalex = author.orcid, author.openalex
        if not orcid and not openalex:
            unidentified = True
            continue
        # The first person (in list order) whose orcid or openalex id is the author's, as a loop over people finds.
        first = by_orcid.get(orcid.upper(), _NONE) if orcid else _NONE
        if openalex:
            first = min(first, by_openalex.get(openalex.upper(), _NONE))
        if first != _NONE:
            person = people[first]
            found[i] = person
            by_id.add(person.key)
    if not unidentified:
        return found
    candidates = [p for p in people if (not work.people or p.key in work.people) and p.key not in by_id]
    if not candidates:
        return found
    names = [(p, {name_key(n) for n in [p.name, *p.aliases] if name_key(n)}) for p in candidates]
    for i, author in enumerate(authors):
        if found[i] is not None or author.orcid or author.openalex:
            continue
        keys = {name_key(author.name)}
        if author.family:
            keys.add(name_key(f"{author.given} {author.family}"))
        for person, person_keys in names:
            if keys & person_keys:
                found[i] = person
                break
    _match_initials(work, authors, found, candidates)
    return found


def _match_initials(work: Work, authors: list[Author], found: list[Person | None], candidates: list[Person]) -> None:
    """Scholar and some ORCID entries abbreviate every given name ("A Einstein", "PGR De Almeida"). On a work that
    belongs to the person and where nobody is them yet, the one author with their family name and first initial
    is them; two such authors (a sibling on the same paper) are left unmarked."""
    for person in candidates:
        if person.key not in work.people or any(f is person for f in found):
            continue
        fam, initial = _family_initial(person.name)
        if not fam or not initial:
            continue
        fits = [i for i, author in enumerate(authors)
                if found[i] is None and not author.orcid and not author.openalex
                and _author_family_initial(author.name, author.family, author.given) == (fam, initial)]
        if len(fits) == 1:
            found[fits[0]] = person


@lru_cache(maxsize=1 << 10)
def _family_initial(name: str) -> tuple[str, str]:
    family, given = split_name(name)
    return ascii_fold(family).lower(), ascii_fold(given)[:1].lower()


@lru_cache(maxsize=1 << 16)
def _author_family_initial(name: str, family: str, given: str) -> tuple[str, str]:
    a_family, a_given = family_given(Author(name, family, given))
    return ascii_fold(a_family).lower(), ascii_fold(a_given)[:1].lower()


_NONE = 1 << 30


@lru_cache(maxsize=64)
def _id_index(ids: tuple[tuple[str, str], ...]) -> tuple[dict[str, int], dict[str, int]]:
    """{ORCID: index of the first person with it}, the same for OpenAlex ids."""
    by_orcid: dict[str, int] = {}
    by_openalex: dict[str, int] = {}
    for i, (orcid, openalex) in enumerate(ids):
        if orcid:
            by_orcid.setdefault(orcid.upper(), i)
        if openalex:
            by_openalex.setdefault(openalex.upper(), i)
    return by_orcid, by_openalex
