"""Merging: clusters of records -> Works, field by field, with provenance and versions.

    result = build_works(records, decisions, MergeSettings(), owners={record_ref: [profile keys]})
    result.works    # list[Work], key "" (the pipeline assigns citation keys), deterministic order
    result.review   # list[ReviewItem] — uncertain pairs waiting for a person's decision

Field precedence is data (MergeSettings.field_order): for each field, an ordered list of source names;
the first record (in that order) with a non-empty value wins and its ref is recorded in Work.provenance.
Besides the source names, "orcid-self" names ORCID summaries the person entered themselves
(their corrections beat every service), and "site" the site's own list (`pubsync adopt`), first by default: what
the owner wrote is shown, and every field of theirs the work has no attribute for passes through to Work.extra
under its own name (merge_site_fields). Published-version fields (venue, date, year, DOI, type) come from
the published records when the work has any, so a preprint never overrides its journal version.

config.toml `[merge]` keys (all optional) map one-to-one onto MergeSettings fields:
    title, authors, date, venue, type, abstract, url, links  = ["crossref", "openalex", …]  (field_order)
    same_threshold, maybe_threshold                             (MatchSettings.same / .maybe)
    preprint_display = "link" | "separate"
"""
from __future__ import annotations

import gc
import re
from collections import defaultdict
from contextlib import contextmanager
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pubsync.curation import Decision, ref_matches
from pubsync.match import (DEFAULT_SETTINGS, Features, ZENODO_PREFIX, cluster, doi_family, features, is_preprint_doi,
                           rounded_components)
from pubsync.names import surname_key
from pubsync.normalize import fold, short_version_title, title_key
from pubsync.records import Author, Record, Version, Work, canonical_orcid
from pubsync.settings import SELF, SITE, MergeSettings
from pubsync.venues import apply_display_venue

PUBLISHED_FIELDS = ("date", "venue", "type")    # taken from the published version when there is one

@dataclass(frozen=True)
class ReviewItem:
    a: str
    b: str
    score: float                     # log-odds that a and b are one work: the sum of the components
    components: dict[str, float]     # the matcher's named terms (the prior included) and rules
    reason: str


@dataclass
class MergeResult:
    works: list[Work]
    review: list[ReviewItem]


# ---- decisions ---------------------------------------------------------------------------------------

def _resolve(ref: str, records: list[Record], by_ref: dict[str, int], by_id: dict[str, list[int]]) -> list[int]:
    if ref in by_ref:
        return [by_ref[ref]]
    return [i for i in by_id.get(ref.lower(), []) if ref_matches(ref, records[i])]


def _decision_pairs(decisions: Iterable[Decision], records: list[Record]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    by_ref = {r.ref: i for i, r in enumerate(records)}
    by_id: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        for k, v in r.ids.items():
            if v:
                by_id.setdefault(f"{k}:{v}".lower(), []).append(i)
    same: list[tuple[int, int]] = []
    different: list[tuple[int, int]] = []
    for d in decisions:
        left, right = _resolve(d.a, records, by_ref, by_id), _resolve(d.b, records, by_ref, by_id)
        if d.kind == "same":
            chain = sorted(set(left + right))
            same.extend(zip(chain, chain[1:]))
        elif d.kind == "different":
            different.extend((i, j) for i in left for j in right if i != j)
    return same, different


def _listed_once(record: Record) -> str:
    """The label of a list that names each publication once, so two of its records are never one work: the owner's
    site (a preprint listed beside its paper stays two entries) and DBLP's published records (an AAMAS extended
    abstract and the IJCAI paper of one title), which set `extra["distinct_within_source"]`; "" for the others."""
    return record.source if record.source == SITE or record.extra.get("distinct_within_source") else ""


# ---- field selection ------------------------------------------------------------------------------

def _is_self_claim(record: Record, people: set[str]) -> bool:
    """An ORCID summary the person entered themselves (the source is their own iD or name)."""
    if record.source != "orcid" or not record.claimed_by:
        return False
    if record.extra.get("self_claimed"):
        return True
    iD = canonical_orcid(record.claimed_by)
    return bool(iD) and iD in people


def _rank(record: Record, order: tuple[str, ...], people: set[str]) -> int:
    name = SELF if _is_self_claim(record, people) and SELF in order else record.source
    return order.index(name) if name in order else len(order)


class _Ranking:
    """A group's records in each field's source order, sorted once per (pool, order) they are asked in."""

    def __init__(self, people: set[str]):
        self.people = people
        self._sorted: dict[tuple[int, tuple[str, ...]], list[Record]] = {}

    def __call__(self, records: list[Record], order: tuple[str, ...]) -> list[Record]:
        key = (id(records), order)
        found = self._sorted.get(key)
        if found is None:
            found = self._sorted[key] = records if len(records) < 2 else \
                sorted(records, key=lambda r: (_rank(r, order, self.people), r.ref))
        return found


def _pick(records: list[Record], fieldname: str, order: tuple[str, ...], people: set[str] | _Ranking,
          value=lambda r, f: getattr(r, f)) -> tuple[Any, str]:
    ranking = people if isinstance(people, _Ranking) else _Ranking(people)
    for r in ranking(records, order):
        v = value(r, fieldname)
        if v:
            return v, r.ref
    return None, ""


def _pick_authors(records: list[Record], order: tuple[str, ...]) -> tuple[list[Author], bool, str]:
    with_authors = [r for r in records if r.authors]
    if not with_authors:
        return [], True, ""
    if order and order[0] == SITE:          # the owner's spelling, unless their list is cut short ("et al.")
        site = sorted((r for r in with_authors if r.source == SITE and r.authors_complete), key=lambda r: r.ref)
        if site:
            return [Author(**a.__dict__) for a in site[0].authors], True, site[0].ref
    best = min(with_authors, key=lambda r: (not r.authors_complete, -len(r.authors),
                                            order.index(r.source) if r.source in order else len(order), r.ref))
    return [Author(**a.__dict__) for a in best.authors], best.authors_complete, best.ref


def _version_key(f: Features, record: Record) -> tuple[str, str]:
    """(kind, key) of the version a record describes; ("", "") for records that name no version."""
    if f.doi and not is_preprint_doi(f.doi):
        return "published", "doi:" + f.doi
    if f.arxiv:
        return "preprint", "arxiv:" + f.arxiv
    if f.doi:
        return "preprint", "doi:" + f.doi
    if record.type == "preprint":
        return "preprint", ""
    return "", ""


_VERSION_NUMBER = re.compile(r"(\d+)$")


def _doi_order(doi: str) -> tuple:
    m = _VERSION_NUMBER.search(doi)
    return (int(m.group(1)) if m else 0, doi)


def _main_doi(dois: list[str]) -> str:
    """The DOI that names the work: of deposit versions, the latest (figshare/F1000) or the concept (Zenodo)."""
    if not dois:
        return ""
    if all(d.startswith(ZENODO_PREFIX) for d in dois):
        return min(dois, key=_doi_order)
    families = {doi_family(d) for d in dois}
    if len(families) == 1 and len(dois) > 1:
        return max(dois, key=_doi_order)
    return sorted(dois)[0]


def merge_group(records: list[Record], feats: list[Features], settings: MergeSettings,
                people: set[str]) -> Work:
    """One cluster of records -> one Work (key left empty)."""
    work = Work(key="")
    kinds = [_version_key(f, r) for f, r in zip(feats, records)]
    published = [r for r, (kind, _) in zip(records, kinds) if kind == "published"]
    unversioned = [r for r, (kind, _) in zip(records, kinds) if kind == ""]
    preprints = [r for r, (kind, _) in zip(records, kinds) if kind == "preprint"]
    main = published + unversioned if published else preprints + unversioned
    ranked = _Ranking(people)

    title, work.provenance["title"] = _pick(records, "title", settings.order("title"), ranked)
    work.title = title or ""
    work.authors, work.authors_complete, work.provenance["authors"] = _pick_authors(records, settings.order("authors"))
    for name in PUBLISHED_FIELDS:
        pool = main if name != "type" or published else records
        val, ref = _pick(pool, name, settings.order(name), ranked)
        if name == "type" and val == "other":
            val, ref = _pick(pool, name, settings.order(name), ranked, lambda r, f: r.type if r.type != "other" else "")
        if val:
            setattr(work, name, val)
            work.provenance[name] = ref
    if not work.type or work.type == "other":
        work.type = "preprint" if preprints and not published else "other"
    year_src = next((r for r in records if r.ref == work.provenance.get("date")), None)
    if year_src and year_src.year:
        work.year = year_src.year
        work.provenance["year"] = year_src.ref
    else:
        yr, ref = _pick(main, "year", settings.order("date"), ranked)
        work.year, work.provenance["year"] = yr, ref
        if yr and not work.date:
            work.date = str(yr)
    abstract, work.provenance["abstract"] = _pick(records, "abstract", settings.order("abstract"), ranked)
    work.abstract = abstract or ""
    url, work.provenance["url"] = _pick(main, "url", settings.order("url"), ranked)
    work.url = url or ""

    # identifiers: the published DOI names the work; every other id is kept, first by precedence
    dois = sorted({f.doi for f, (kind, _) in zip(feats, kinds) if kind == "published"})
    main_doi = _main_doi(dois)
    if main_doi:
        work.ids["doi"] = main_doi
        work.provenance["doi"] = next(r.ref for r, f in zip(records, feats) if f.doi == main_doi)
    elif preprints:
        pre_dois = sorted({f.doi for f in feats if f.doi})
        if pre_dois:
            work.ids["doi"] = pre_dois[0]
            work.provenance["doi"] = next(r.ref for r, f in zip(records, feats) if f.doi == pre_dois[0])
    arxivs = sorted({f.arxiv for f in feats if f.arxiv})
    if arxivs:
        work.ids["arxiv"] = arxivs[0]
        work.links["arxiv"] = f"https://arxiv.org/abs/{arxivs[0]}"
        work.provenance["arxiv"] = next(r.ref for r, f in zip(records, feats) if f.arxiv == arxivs[0])
    for r in ranked(records, settings.order("links")):
        for k, v in sorted(r.ids.items()):
            if k not in ("doi", "arxiv") and v and k not in work.ids:
                work.ids[k] = v
        for k, v in sorted(r.links.items()):
            if v and k not in work.links:
                work.links[k] = v
    if work.ids.get("doi") and "doi" not in work.links:
        work.links["doi"] = f"https://doi.org/{work.ids['doi']}"

    # counts: per source, the largest of that source's records, never summed across sources
    for r in records:
        if r.citations is not None:
            work.citations[r.source] = max(work.citations.get(r.source, 0), r.citations)
    openalex = [r for r in records if r.source == "openalex" and r.counts_by_year]
    if openalex:
        best = max(openalex, key=lambda r: (r.citations or 0, sum(r.counts_by_year.values()), r.ref))
        work.counts_by_year = dict(sorted(best.counts_by_year.items()))
        work.provenance["counts_by_year"] = best.ref

    merge_site_fields(work, ranked(records, settings.order("links")))
    if not work.provenance.get("venue", "").startswith(f"{SITE}:"):      # the owner's venue text is shown as written
        apply_display_venue(work, records)          # "ICLR 2025" + venue_full (venues.py)
    work.versions = _versions(records, kinds)
    work.records = sorted(r.ref for r in records)
    work.provenance = {k: v for k, v in work.provenance.items() if v}
    return work


def merge_site_fields(work: Work, ranked: list[Record]) -> None:
    """The site's own fields (al-folio's selected/preview/pdf/…, pages, editors, fields a site invented) into
    Work.extra under their own names, first site record first; Work.extra["_site"] says where the entry came from
    (form, file, key), so exports put it back in its own file. Provenance names the record as "extra.<field>"."""
    for r in ranked:
        if r.source != SITE:
            continue
        for name, value in sorted(r.extra.get("fields", {}).items()):
            if name not in work.extra:
                work.extra[name] = value
                work.provenance[f"extra.{name}"] = r.ref
        work.extra.setdefault("_site", r.extra.get("site", {}))


def _versions(records: list[Record], kinds: list[tuple[str, str]]) -> list[Version]:
    by_key: dict[tuple[str, str], list[Record]] = {}
    for r, k in zip(records, kinds):
        by_key.setdefault(k, []).append(r)
    published_keys = sorted(k for k in by_key if k[0] == "published")
    # several DOIs of one deposit (figshare .v1/.v2, Zenodo, F1000 .1/.2) are versions, not rival publications
    kind_of_published = "version" if len(published_keys) > 1 else "published"
    unversioned = by_key.pop(("", ""), [])
    if unversioned:
        # records naming no version (Scholar rows, bare ORCID entries) describe the main one
        target = published_keys[-1] if published_keys else next(iter(sorted(by_key)), None)
        if target is None:
            by_key[("published", "")] = unversioned
        else:
            by_key[target] = by_key[target] + unversioned
    out = []
    for (kind, key), recs in sorted(by_key.items(), key=lambda kv: (kv[0][0] != "published", kv[0][1])):
        v = Version(kind=kind_of_published if kind == "published" and key else kind)
        idtype, _, value = key.partition(":")
        if value:
            v.ids[idtype] = value
        for r in sorted(recs, key=lambda r: r.ref):
            for k in ("doi", "arxiv"):
                if r.ids.get(k) and k not in v.ids:
                    v.ids[k] = r.ids[k]
            v.venue = v.venue or r.venue
            v.year = v.year or r.year
            v.url = v.url or r.url
        v.records = sorted(r.ref for r in recs)
        if kind == "preprint" and v.ids.get("arxiv"):
            v.url = v.url or f"https://arxiv.org/abs/{v.ids['arxiv']}"
        out.append(v)
    return out


def _work_order(w: Work) -> tuple:
    return (-(w.year or 0), fold(w.title), w.records[0] if w.records else "")


@contextmanager
def collector_paused():
    """Parsing and matching 100k records allocates millions of small objects and no reference cycles; the cyclic
    garbage collector would walk them all again and again (a third of the matcher's time at 100k records, and 5 s
    of the 32 s of a whole `pubsync merge` of them). What survives (works, the matcher's caches) is frozen out of
    later collections too: the first collection after the pause would otherwise walk all of it once more (1 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def build_works(records: list[Record], decisions: list[Decision], settings: MergeSettings = MergeSettings(),
                owners: Mapping[str, Iterable[str]] = {}) -> MergeResult:
    """Match and merge records into works. Decisions always win over identifiers and scores."""
    with collector_paused():
        return _build_works(records, decisions, settings, owners)


def _build_works(records: list[Record], decisions: list[Decision], settings: MergeSettings,
                 owners: Mapping[str, Iterable[str]]) -> MergeResult:
    by_ref: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_ref[r.ref].append(r)
    # One record per ref; when a ref repeats (two people's copies), the choice must not depend on input order.
    recs = [group[0] if len(group) == 1 else min(group, key=lambda r: repr(r.to_dict()))
            for _, group in sorted(by_ref.items())]
    feats = [features(r) for r in recs]
    same, different = _decision_pairs(decisions, recs)
    match = replace(DEFAULT_SETTINGS, same=settings.same_threshold, maybe=settings.maybe_threshold)
    clustering = cluster(feats, forced=same, cannot=different, settings=match, apart=[_listed_once(r) for r in recs])

    works: list[Work] = []
    group_of: dict[int, int] = {}
    refs = [r.ref for r in recs]
    for gi, (group, edges) in enumerate(zip(clustering.groups, clustering.edges)):
        members = [recs[i] for i in group]
        people = sorted({p for r in members for p in owners.get(r.ref, ())})
        if settings.preprint_display == "separate":
            parts = _split_preprints(group, recs, feats)
        else:
            parts = [group]
        built = []
        for part in parts:
            part_recs = [recs[i] for i in part]
            w = merge_group(part_recs, [feats[i] for i in part], settings, set(people))
            w.people = people
            w.evidence = [e.describe(refs) for e in edges if e.a in part and e.b in part]
            for i in part:
                group_of[i] = len(works) + len(built)
            built.append(w)
        if len(built) > 1:
            for w in built:
                w.extra["version_of"] = sorted(r for other in built if other is not w for r in other.records)
        works.extend(built)

    for i, j in clustering.related:
        _link_versions(works[group_of[i]], works[group_of[j]])
    _link_short_versions(works)

    review: list[ReviewItem] = []
    for e in clustering.maybe:
        a, b = recs[e.a].ref, recs[e.b].ref
        components = rounded_components(e.components)
        review.append(ReviewItem(a=min(a, b), b=max(a, b), score=round(sum(components.values()), 6),
                                 components=components, reason=e.reason))
        works[group_of[e.a]].status = "review"
        works[group_of[e.b]].status = "review"
    works.sort(key=_work_order)
    review.sort(key=lambda r: (-r.score, r.a, r.b))
    return MergeResult(works=works, review=review)


# which of two versions kept apart came first: the earlier year, else the conference paper before the article
_VERSION_ORDER = {"conference-paper": 0, "report": 0, "preprint": 0, "journal-article": 1, "book-chapter": 1}


def _link_versions(a: Work, b: Work) -> None:
    """Two works that are versions of one paper kept apart (a conference paper and its journal extension, years
    or venues apart, each with its own DOI) link to each other: the earlier one to its `extended_version`, the
    later one to its `earlier_version`. Only where the order is clear and both have a link to give. An extended
    abstract, poster or demo is linked as the paper's short version instead, whichever came first."""
    if a is b or not a.year or not b.year:
        return
    short = [w for w in (a, b) if short_version_title(w.title)]
    if len(short) == 1:
        _link(short[0], "full_version", b if short[0] is a else a, "short_version")
        return
    first, second = sorted((a, b), key=_version_order)
    if _version_order(first) != _version_order(second):
        _link(first, "extended_version", second, "earlier_version")


def _link_short_versions(works: list[Work]) -> None:
    """An extended abstract, poster or demo ('… (Extended Abstract)', 'Poster: …') and the paper of that title
    with an author in common: two works (two publications, each listed where it appeared), linked to each other."""
    short = [(w, core) for w in works if (core := short_version_title(w.title))]
    if not short:
        return
    by_title: dict[str, list[Work]] = defaultdict(list)
    for w in works:
        by_title[title_key(w.title)[0]].append(w)
    for w, core in short:
        for full in by_title.get(title_key(core)[0], []):
            if full is not w and not short_version_title(full.title) and _share_an_author(w, full):
                _link(w, "full_version", full, "short_version")


def _link(a: Work, a_kind: str, b: Work, b_kind: str) -> None:
    a_url, b_url = (w.links.get("doi") or w.links.get("arxiv") or w.url for w in (a, b))
    if a_url and b_url:
        a.links.setdefault(a_kind, b_url)
        b.links.setdefault(b_kind, a_url)


def _share_an_author(a: Work, b: Work) -> bool:
    surnames = [{key for x in w.authors if (key := surname_key(x.name, x.family))} for w in (a, b)]
    return not (surnames[0] and surnames[1]) or bool(surnames[0] & surnames[1])


def _version_order(work: Work) -> tuple[int, int]:
    return work.year or 0, _VERSION_ORDER.get(work.type, 1)


def _split_preprints(group: list[int], recs: list[Record], feats: list[Features]) -> list[list[int]]:
    kinds = {i: _version_key(feats[i], recs[i])[0] for i in group}
    pre = [i for i in group if kinds[i] == "preprint"]
    rest = [i for i in group if kinds[i] != "preprint"]
    return [rest, pre] if pre and rest else [group]
