"""Is a work the person's, and is it a publication the site lists?

Attribution, per work and person of the site:
  confirmed   an identifier ties the work to the person: it is in their ORCID record, an authorship on it carries
              their ORCID iD where the source deposits it with the work, or their DBLP person id (DBLP's editors
              assign each authorship to a disambiguated person), their config lists its arXiv id, their own site lists
              it (`pubsync adopt`), or they
              decided so (`pubsync mine` / `not-mine`, kept in curation.toml).
  scored      otherwise the work came only from an author cluster a service built by name matching (an OpenAlex
              author, a Scholar profile, an arXiv author query): named evidence, summed in log-odds like the matcher's
              score, says mine, ask (held for the person) or not mine. What `explain` and `review` show is the sum.
List hygiene: titles and types that are not publications (corrections, retraction notices, tables of contents,
Scholar's page labels, a supplementary deposit) get the type the site policy leaves out (`[export] exclude_types`);
a supplementary deposit becomes the "dataset" link of the article it belongs to; a retracted work waits for the
person's decision.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from rapidfuzz import fuzz

from pubsync.curation import Curation
from pubsync.names import AGREEMENTS, initial_key, name_agreement, surname_key
from pubsync.normalize import CORRECTION_TITLE, FIGURE_TITLE, RETRACTION_NOTICE_TITLE, fold, repair, venue_key
from pubsync.records import Author, Record, Work
from pubsync.settings import Person

MINE_FROM = 2.0            # a score at or above this publishes the work
NOT_MINE_BELOW = -2.0      # at or below this it is not the person's; between the two the person is asked
PRIOR = 1.0                # most of what an author cluster holds is the person's
NAME = {"distinctive": 3.0, "complete": 2.0, "compatible": 0.0, "conflict": -6.0}
NOT_AMONG_AUTHORS = -4.0   # a complete author list without the person
SHARED_COAUTHORS = {0: 0.0, 1: 1.0}            # two or more: 2.5 (one alone may be a namesake: 'l oliveira')
AFFILIATION_SHARED, AFFILIATION_OTHER = 1.5, -0.5
VENUE_SHARED = 1.0
FIELD_SHARED, FIELD_NEW = 0.5, -1.0
YEAR_OUTSIDE = -1.0
SAME_ARTICLE_TITLE = 85    # rapidfuzz token-sort ratio of a supplementary deposit's title to its article's        # more than two years before the first or after the last confirmed work
OUTCOMES = ("mine", "ask", "not-mine")


@dataclass
class Evidence:
    """What is known of the person from the works an identifier ties to them."""
    coauthors: set[str] = field(default_factory=set)       # initial keys ('l pinto') of their co-authors
    affiliation_words: set[str] = field(default_factory=set)
    venues: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    years: list[int] = field(default_factory=list)


def attribute(works: list[Work], records: dict[str, Record], owners: dict[str, set[str]],
              people: list[Person], curation: Curation) -> None:
    """Set `work.attribution[person.key]` for every person each work belongs to. `owners` gives the profiles whose
    pull brought each record (so an OpenAlex record under a person's profile came from their author cluster)."""
    by_key = {p.key: p for p in people}
    confirmed: dict[str, dict[str, list[str]]] = {}
    for work in works:
        decided = curation.for_work(work)
        for key in work.people:
            person = by_key.get(key)
            if person is None:
                continue
            reasons = _confirmations(work, person, records, owners)
            if decided and (decided[1].mine or decided[1].not_mine):
                ref, wc = decided
                work.attribution[key] = {"outcome": "not-mine" if wc.not_mine else "mine", "by": "decision",
                                         "evidence": [f"your decision (curation.toml, works.{ref!r})", *reasons]}
            elif reasons:
                work.attribution[key] = {"outcome": "mine", "by": "identifier", "evidence": reasons}
                confirmed.setdefault(key, {})[work.key] = reasons
    for key, person in by_key.items():
        known = _evidence([w for w in works if w.key in confirmed.get(key, {})], person, records)
        for work in works:
            if key in work.people and key not in work.attribution:
                work.attribution[key] = _score(work, person, records, owners, known)


def _confirmations(work: Work, person: Person, records: dict[str, Record], owners: dict[str, set[str]]) -> list[str]:
    reasons = []
    for ref in work.records:
        rec = records.get(ref)
        if rec is None:
            continue
        if rec.source == "orcid" and person.key in owners.get(ref, ()) and person.orcid:
            reasons.append(f"in their ORCID record ({ref})")
        elif person.orcid and not rec.extra.get("author_ids_from_cluster") and \
                any(a.orcid == person.orcid for a in rec.authors):
            reasons.append(f"an authorship carries their ORCID iD ({ref})")
        elif person.dblp and any(a.dblp == person.dblp for a in rec.authors):
            reasons.append(f"an authorship carries their DBLP person id {person.dblp} ({ref})")
        elif rec.ids.get("arxiv") and rec.ids["arxiv"] in person.arxiv_ids:
            reasons.append(f"its arXiv id is listed in the config ({ref})")
        elif rec.source == "site" and person.key in owners.get(ref, ()):
            reasons.append(f"on their own site's list ({ref})")
    return reasons


def _evidence(works: list[Work], person: Person, records: dict[str, Record]) -> Evidence:
    known = Evidence()
    for work in works:
        for rec in (records[ref] for ref in work.records if ref in records):
            mine = _persons_authorship(rec, person)
            for author in rec.authors:
                if author is mine:
                    known.affiliation_words |= _affiliation_words(author.affiliations)
                elif initial_key(author.name, author.family, author.given):
                    known.coauthors.add(initial_key(author.name, author.family, author.given))
            if rec.extra.get("field"):
                known.fields.add(rec.extra["field"])
            if venue_key(rec.venue):
                known.venues.add(venue_key(rec.venue))
        if work.year:
            known.years.append(work.year)
    known.coauthors -= {initial_key(n) for n in _names(person)}
    return known


def _score(work: Work, person: Person, records: dict[str, Record], owners: dict[str, set[str]],
           known: Evidence) -> dict[str, Any]:
    """The best-scored of the work's records that came from this person's author clusters."""
    best: dict[str, Any] | None = None
    for ref in work.records:
        rec = records.get(ref)
        if rec is None or person.key not in owners.get(ref, ()):
            continue
        components, evidence = _components(rec, person, known)
        score = round(sum(components.values()), 6)
        if best is None or score > best["score"]:
            outcome = "mine" if score >= MINE_FROM else "not-mine" if score <= NOT_MINE_BELOW else "ask"
            best = {"outcome": outcome, "by": "score", "score": score, "components": components,
                    "evidence": [f"from {ref}", *evidence]}
    return best or {"outcome": "ask", "by": "score", "score": PRIOR, "components": {"prior": PRIOR},
                    "evidence": ["no record of theirs names the person"]}


def _components(rec: Record, person: Person, known: Evidence) -> tuple[dict[str, float], list[str]]:
    components = {"prior": PRIOR}
    evidence = []
    author = _persons_authorship(rec, person)
    if author is None:
        if rec.authors_complete and rec.authors:
            components["name"] = NOT_AMONG_AUTHORS
            evidence.append("the person is not among its authors")
    else:
        printed = author.printed or author.name
        agreement = name_agreement(printed, _names(person))
        components["name"] = NAME[agreement]
        evidence.append(f"printed name {printed!r}: {agreement}")
        coauthors = {initial_key(a.name, a.family, a.given) for a in rec.authors if a is not author} - {""}
        shared = sorted(coauthors & known.coauthors)
        if coauthors and known.coauthors:
            components["coauthors"] = SHARED_COAUTHORS.get(len(shared), 2.5)
            if shared:
                evidence.append(f"co-authors also on confirmed works: {', '.join(shared)}")
        words = _affiliation_words(author.affiliations)
        if words and known.affiliation_words:
            shared_words = sorted(words & known.affiliation_words)
            components["affiliation"] = AFFILIATION_SHARED if shared_words else AFFILIATION_OTHER
            evidence.append(f"affiliation {'shared: ' + ', '.join(shared_words[:4]) if shared_words else 'not seen on confirmed works: ' + '; '.join(author.affiliations[:2])}")
    if venue_key(rec.venue) and venue_key(rec.venue) in known.venues:
        components["venue"] = VENUE_SHARED
        evidence.append(f"venue of confirmed works: {rec.venue}")
    field_name = rec.extra.get("field")
    if field_name and known.fields:
        components["field"] = FIELD_SHARED if field_name in known.fields else FIELD_NEW
        evidence.append(f"field {field_name!r} {'of' if field_name in known.fields else 'never on'} confirmed works")
    if rec.year and known.years and not min(known.years) - 2 <= rec.year <= max(known.years) + 2:
        components["year"] = YEAR_OUTSIDE
        evidence.append(f"{rec.year} is outside the years of confirmed works ({min(known.years)}–{max(known.years)})")
    return components, evidence


def _names(person: Person) -> list[str]:
    return [n for n in (person.name, *person.aliases) if n]


def _persons_authorship(rec: Record, person: Person) -> Author | None:
    """The person's authorship on a record: by identifier (the cluster's own id counts here), else the author
    whose surname is the person's and whose printed name agrees best."""
    for author in rec.authors:
        if (person.openalex and author.openalex == person.openalex) or (person.orcid and author.orcid == person.orcid) \
                or (person.dblp and author.dblp == person.dblp):
            return author
    surnames = {surname_key(n) for n in _names(person)} - {""}
    candidates = [a for a in rec.authors if surname_key(a.printed or a.name, "" if a.printed else a.family) in surnames]
    return max(candidates, key=lambda a: AGREEMENTS.index(name_agreement(a.printed or a.name, _names(person))),
               default=None)


_AFFILIATION_STOP = set("""university universidade universidad universite universitat universita institute instituto
institut department departamento departement faculty faculdade school escola college center centre centro research
pesquisa laboratory laboratorio programa program graduate science sciences ciencias of the and de da do dos das di
du la le et e y for in at on""".split())


def _affiliation_words(affiliations: Iterable[str]) -> set[str]:
    """The telling words of affiliations, without the country an affiliation usually ends with ('…, Brazil')."""
    words = set()
    for affiliation in affiliations:
        parts = affiliation.split(",")
        text = ",".join(parts[:-1]) if len(parts) > 1 and len(parts[-1].split()) <= 2 else affiliation
        words |= {w for w in fold(repair(text)).split() if len(w) >= 3 and w not in _AFFILIATION_STOP}
    return words


# ---- is it a publication the site lists? ------------------------------------------------------------------

_NOT_PUBLICATIONS = (
    ("erratum", CORRECTION_TITLE),
    ("retraction", re.compile(rf"{RETRACTION_NOTICE_TITLE.pattern}|^retracted\b", re.I)),
    ("paratext", re.compile(r"^(editorial board|table of contents|contents|front matter|back matter|masthead|"
                            r"issue information|cover|index|title page|publication period)$", re.I)),
    ("supplementary", FIGURE_TITLE),     # a figure or table of a report, listed on its own ('Figure 2, …')
)
_SUPPLEMENTARY = re.compile(r"^(supplementary|supplemental|supporting)\s+(data|material|materials|information|file|"
                            r"files|tables?)\b[\s:–—-]*(for\b:?)?\s*|^(replication data for|data for):?\s*", re.I)
# What Scholar prints around its publication table, and can turn up as a row of a page saved from the browser.
_SCHOLAR_LABELS = {"publication period", "citations", "cited by", "title", "year", "articles", "show more",
                   "public access", "co-authors", "citations per year", "h-index", "i10-index"}


def tidy(works: list[Work], records: dict[str, Record]) -> None:
    """List hygiene: give what is not a publication the type the site policy leaves out (the rule in provenance),
    attach supplementary deposits to their article, and hold retracted works for the person's decision."""
    for work in works:
        recs = [records[ref] for ref in work.records if ref in records]
        title = " ".join(work.title.split())
        for kind, pattern in _NOT_PUBLICATIONS:
            if work.type != kind and pattern.search(title):
                work.type, work.provenance["type"] = kind, f"rule:{kind} title"
        if recs and all(r.source == "scholar" for r in recs) and (
                fold(title) in _SCHOLAR_LABELS or not (work.year or work.venue or work.authors)):
            work.type, work.provenance["type"] = "paratext", "rule:scholar row that is no publication"
        if _SUPPLEMENTARY.match(title) and work.type in ("dataset", "other", "supplementary"):
            work.type, work.provenance["type"] = "supplementary", "rule:supplementary deposit title"
        if any(r.extra.get("retracted") for r in recs):
            work.held = "retracted"
    _attach_supplements(works)


def _attach_supplements(works: list[Work]) -> None:
    """A deposit titled 'Supplementary Data - <title>' becomes the "dataset" link of the one work of the same
    people whose title is that title, or nearly (deposits reword it: 'Enterprises' for 'Companies')."""
    for supplement in (w for w in works if w.type == "supplementary"):
        url = supplement.links.get("doi") or supplement.url
        rest = fold(repair(_SUPPLEMENTARY.sub("", " ".join(supplement.title.split()))))
        articles = [w for w in works if w.type != "supplementary" and set(w.people) & set(supplement.people)
                    and fuzz.token_sort_ratio(rest, fold(repair(w.title))) >= SAME_ARTICLE_TITLE]
        if len(articles) == 1 and url and "dataset" not in articles[0].links:
            articles[0].links["dataset"] = url
            articles[0].provenance["links.dataset"] = f"supplementary deposit {supplement.key}"


def left_out(work: Work, people: Iterable[str], exclude_types: Iterable[str], publish_unconfirmed: bool) -> str:
    """Why the site leaves the work off a list of `people`'s works ("" when it lists it)."""
    if work.type in exclude_types:
        return f"type {work.type}"
    chosen = [work.attribution[key] for key in people if key in work.attribution] or list(work.attribution.values())
    outcomes = [a["outcome"] for a in chosen] or ["mine"]
    if "mine" in outcomes:
        decided = any(a["outcome"] == "mine" and a.get("by") == "decision" for a in chosen)
        return "retracted" if work.held == "retracted" and not decided else ""
    if "ask" in outcomes:
        return "" if publish_unconfirmed else "unconfirmed"
    return "not mine"
