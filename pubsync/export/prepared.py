"""What every format reads off a work, computed once per work for all the formats of an export run (engine.py):
the title and venue on one line, the date parts, the authors with the owners found, the links."""
from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

from pubsync.export.names import author_parts, owners, person_family_given
from pubsync.export.workview import date_parts, iso_date_of, links, month_of, one_line
from pubsync.records import Work
from pubsync.settings import Person

_PERSON_DISPLAY: dict[str, str] = {}


def _person_display(name: str) -> str:
    """'Carberry, Josiah' → 'Josiah Carberry'; how an owner is shown in a list."""
    out = _PERSON_DISPLAY.get(name)
    if out is None:
        bare = " ".join(name.split())
        if "," in bare:
            family, _, given = bare.partition(",")
            bare = f"{given.strip()} {family.strip()}"
        out = _PERSON_DISPLAY[name] = one_line(bare)
    return out


def json_string(text: str) -> str:
    """json.encoder.encode_basestring(text) of a text on one line (workview.one_line: no control characters), which
    only a quote or a backslash changes. The C encoder reads every character twice; two memchr scans are far
    quicker over a title or an abstract."""
    if '"' in text or "\\" in text:
        return encode_basestring(text)
    return f'"{text}"'


class View:
    """One work as the formats see it. `authors` holds (family, given, display, marks, is_owner) per author, with an
    owner's family/given/display taken from the Person (the site writes the owner's name one way); display names
    and marks are on one line."""
    __slots__ = ("title", "venue", "abstract", "date_parts", "iso_date", "month", "authors", "_links", "_json_abstract",
                 "cached")

    def __init__(self, work: Work, people: list[Person]) -> None:
        self.title = one_line(work.title)
        self.venue = one_line(work.venue)
        self.abstract = one_line(work.abstract)     # four formats write it; a long text is worth one pass
        parts = self.date_parts = date_parts(work)
        self.iso_date = iso_date_of(parts)
        self.month = month_of(parts)
        authors = []
        for author, person in zip(work.authors, owners(work, people)):
            family, given, display, marks = author_parts(author.name, author.family, author.given)
            if person is not None:
                family, given = person_family_given(person)
                display = _person_display(person.name)
            else:
                display = one_line(display)
            authors.append((family, given, display, marks, person is not None))
        self.authors = authors
        self._links: dict[str, dict[str, str]] = {}
        self._json_abstract: str | None = None
        self.cached: dict[str, Any] = {}     # what more than one format writes the same way (markup's author lines)

    def json_abstract(self) -> str:
        """The abstract as a JSON string literal, which CSL-JSON and papers.yml both write."""
        out = self._json_abstract
        if out is None:
            out = self._json_abstract = json_string(self.abstract)
        return out

    def links(self, work: Work, site_kind: str) -> dict[str, str]:
        """workview.links(work, site_kind) of this view's work, kept per site kind. Callers must not change it."""
        out = self._links.get(site_kind)
        if out is None:
            out = self._links[site_kind] = links(work, site_kind)
        return out
