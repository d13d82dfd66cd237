"""What every format reads off a work, computed once per export run and shared by all formats.

A sync renders seven formats from the same Work objects (Store.works() hands out the same list), and each format
needs the same derived values: the sort position, the title and venue on one line, the date parts, the authors with
the owners found, the links. `views(works, people)` computes them once per work and keeps them while the work lives.

A kept view is reused only while the work still holds the same values it was computed from (a fingerprint compared
on every call), so a caller that changes a work between two renders gets fresh output: render stays pure.
"""
from __future__ import annotations

import weakref
from operator import attrgetter
from typing import Any

from pubsync.export.names import author_parts, owners, person_family_given
from pubsync.export.workview import date_parts, iso_date_of, links, month_of, one_line, sort_key
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
        out = _PERSON_DISPLAY[name] = bare
    return out


class View:
    """One work as the formats see it. `authors` holds (family, given, display, marks, is_owner) per author, with an
    owner's family/given/display taken from the Person (the site writes the owner's name one way). It holds no
    reference to its work, so keeping it never keeps a work alive."""
    __slots__ = ("sort_key", "title", "venue", "date_parts", "iso_date", "month", "authors", "_links", "cached")

    def __init__(self, work: Work, people: list[Person]) -> None:
        self.sort_key = sort_key(work)
        self.title = one_line(work.title)
        self.venue = one_line(work.venue)
        parts = self.date_parts = date_parts(work)
        self.iso_date = iso_date_of(parts)
        self.month = month_of(parts)
        authors = []
        for author, person in zip(work.authors, owners(work, people)):
            family, given, display, marks = author_parts(author.name, author.family, author.given)
            if person is not None:
                family, given = person_family_given(person)
                display = _person_display(person.name)
            authors.append((family, given, display, marks, person is not None))
        self.authors = authors
        self._links: dict[str, dict[str, str]] = {}
        self.cached: dict[str, Any] = {}     # what more than one format writes the same way (markup's author lines)

    def links(self, work: Work, site_kind: str) -> dict[str, str]:
        """workview.links(work, site_kind) of this view's work, kept per site kind. Callers must not change it."""
        out = self._links.get(site_kind)
        if out is None:
            out = self._links[site_kind] = links(work, site_kind)
        return out


_AUTHOR_FIELDS = attrgetter("name", "family", "given", "orcid", "openalex")


def _fingerprint(work: Work) -> tuple:
    # Every input a View is computed from. Values are compared, not hashed: a list in `extra` is fine (links()
    # reads only string extras, and a list put in place of a string compares unequal).
    return (work.title, work.key, work.year, work.date, work.venue, work.url, work.authors_complete,
            list(map(_AUTHOR_FIELDS, work.authors)),
            tuple(work.people), tuple(work.ids.items()), tuple(work.links.items()), tuple(work.extra.items()))


# id(work) -> (weak reference to the work, fingerprint, people signature, view); an entry goes with its work.
_KEPT: dict[int, tuple[weakref.ref, tuple, tuple, View]] = {}


def _forget(key: int):
    def callback(ref: weakref.ref) -> None:
        entry = _KEPT.get(key)
        if entry is not None and entry[0] is ref:
            del _KEPT[key]
    return callback


def _people_signature(people: list[Person]) -> tuple:
    return tuple((id(p), p.key, p.name, p.orcid, p.openalex, tuple(p.aliases)) for p in people)


def views(works: list[Work], people: list[Person]) -> list[tuple[Work, View]]:
    """(work, View) per work, sorted as workview.sort_works sorts (newest first, then title and key)."""
    signature = _people_signature(people)
    out = []
    kept = _KEPT
    for work in works:
        key = id(work)
        fp = _fingerprint(work)
        entry = kept.get(key)
        if entry is not None and entry[0]() is work:
            if entry[2] == signature and entry[1] == fp:
                out.append((work, entry[3]))
                continue
            ref = entry[0]
        else:
            try:
                ref = weakref.ref(work, _forget(key))
            except TypeError:          # not weak-referenceable: nothing is kept for it
                out.append((work, View(work, people)))
                continue
        view = View(work, people)
        kept[key] = (ref, fp, signature, view)
        out.append((work, view))
    out.sort(key=_sort_key)
    return out


def _sort_key(pair: tuple[Work, View]) -> tuple:
    return pair[1].sort_key
