"""Stable citation keys: `lastnameYEARfirstword` (he2024localize), ASCII lower-case, deduplicated with a/b/c. The
surname is the family name without particles (names.key_surname): "van Beethoven" gives beethoven….

A key, once assigned, never changes: `previous` maps anchors (a work's record refs and its "doi:…"/"arxiv:…" ids) to
the keys of earlier runs, and a work keeps the key any of its anchors had, even after its title is corrected or its
records change. A work holding an adopted BibTeX entry of the site takes that entry's key, so `{% cite %}` tags stay. The result depends only on the works' contents, never on their order.
"""
from __future__ import annotations

import re
from collections import Counter

from pubsync.export.markup import plain, rich
from pubsync.names import ascii_fold, family_given, key_surname
from pubsync.records import Work

STOP_WORDS = frozenset("""
a an the and or but nor of on in into onto at by for from to with without via within over under about above across
after against along among around as before behind below beneath beside between beyond during except inside near off
out outside since through throughout till toward towards until up upon is are was were be been being do does did can
could should would will shall may might must what which who whom whose when where why how not no yes its it this
that these those their our your my his her we you they i
""".split())


def anchors(work: Work) -> list[str]:
    """The refs a key is remembered under: record refs plus the work's DOI and arXiv id."""
    found = set(work.records)
    for idtype in ("doi", "arxiv"):
        if work.ids.get(idtype):
            found.add(f"{idtype}:{work.ids[idtype].lower()}")
    return sorted(found)


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def base_key(work: Work) -> str:
    last = (key_surname(family_given(work.authors[0])[0]) if work.authors else "") or "anon"
    year = str(work.year) if work.year else ""
    first = ""
    for word in re.split(r"[^0-9A-Za-z\u00c0-\uffff]+", plain(rich(work.title))):   # the words, not the markup
        folded = _ascii_word(word)
        if folded and folded not in STOP_WORDS:
            first = folded
            break
    return f"{last}{year}{first}"


def _suffixes():
    yield ""
    n = 0
    while True:
        n += 1
        s, k = "", n
        while k:
            k, r = divmod(k - 1, 26)
            s = chr(97 + r) + s
        yield s            # a … z, aa, ab, …


def assign_keys(works: list[Work], previous: dict[str, str]) -> dict[str, str]:
    """Set `work.key` for every work; return the anchor → key map to persist (the previous one plus new anchors).

    A work whose anchors carry earlier keys takes the one most of them carry (ties: the smallest). When two works
    claim the same earlier key (a work was split), the one with more anchors on it keeps it, the other gets a new
    key. New keys avoid every key ever assigned, so a hidden work that comes back finds its key free."""
    work_anchors = [anchors(w) for w in works]
    claims: dict[str, list[tuple[int, int, tuple[str, ...], int]]] = {}
    for i, found in enumerate(work_anchors):
        if site_key(works[i]):           # the owner's own key (an adopted BibTeX entry) before any remembered one
            claims.setdefault(site_key(works[i]), []).append((0, 0, tuple(found), i))
            continue
        votes = Counter(previous[a] for a in found if a in previous)
        if votes:
            key = min(votes, key=lambda k: (-votes[k], k))
            claims.setdefault(key, []).append((1, -votes[key], tuple(found), i))
    keys: dict[int, str] = {}
    for key, claimants in claims.items():
        keys[min(claimants)[3]] = key
    used = set(previous.values()) | set(keys.values())
    fresh = sorted((base_key(w), tuple(work_anchors[i]), w.title, str(w.year), w.venue,
                    tuple(a.name for a in w.authors), tuple(sorted(w.ids.items())), i)
                   for i, w in enumerate(works) if i not in keys)
    for base, *_, i in fresh:
        for suffix in _suffixes():
            if base + suffix not in used:
                keys[i] = base + suffix
                used.add(base + suffix)
                break
    persisted = dict(previous)
    for i, work in enumerate(works):
        work.key = keys[i]
        for anchor in work_anchors[i]:
            if work.key == site_key(work):      # remembered, so the key stays if the entry later leaves the site
                persisted[anchor] = work.key
            else:
                persisted.setdefault(anchor, keys[i])
    return dict(sorted(persisted.items()))


def site_key(work: Work) -> str:
    """The citation key of the site's own BibTeX entry the work holds (`pubsync adopt`), else ""."""
    origin = work.extra.get("_site") or {}
    return str(origin.get("key") or "") if origin.get("form") == "bibtex" else ""
