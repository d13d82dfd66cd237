"""What pubsync shows about works: `pubsync explain`, the review queue, and the resolution of the refs people type
(work keys, doi:…, arxiv:…, openalex:W…, record refs)."""
from __future__ import annotations

import difflib
import json
from typing import Any

from pubsync.attribution import left_out
from pubsync.config import Config
from pubsync.curation import load_curation
from pubsync.errors import UsageError
from pubsync.records import Work, canonical_arxiv, canonical_doi
from pubsync.store import Store

_CANONICAL = {"doi": canonical_doi, "arxiv": canonical_arxiv}    # the ids a ref may name a work by
_SHOWN = ("title", "authors", "year", "date", "venue", "type", "ids", "url", "abstract", "links", "citations")


def find_work_key(store: Store, ref: str) -> str:
    """A work key, or a ref naming one of its ids/records → the work's key. Unknown → UsageError with suggestions."""
    if store.work(ref):
        return ref
    idtype, _, value = ref.partition(":")
    kind = idtype.lower()
    key = None
    if kind in _CANONICAL:
        value = _CANONICAL[kind](value) or value
        key = store.work_key_with_id(kind, value)
    if key is None:
        key = store.work_key_of_record(ref)
    if key is None and kind in _CANONICAL:
        key = store.work_key_of_record_with_id(kind, value)
    if key is not None:
        return key
    close = difflib.get_close_matches(ref, store.work_keys(), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; list keys with 'pubsync export --format bibtex --out -'"
    raise UsageError(f"no work or record {ref!r} in {store.path}{hint}")


def resolve_refs(store: Store, ref: str) -> list[str]:
    """The stable refs a decision is stored under, which survive re-merges: an identifier or record ref as given,
    and for a work key every record ref of that work (keys follow clusters, and decisions change clusters)."""
    if ":" in ref:
        find_work_key(store, ref)          # fails clearly when nothing is known by that ref
        return [ref]
    return sorted(store.work(find_work_key(store, ref)).records)


def strongest(components: dict[str, float], shown: int = 6) -> str:
    """The components that moved a pair's score most, strongest first ("prior -7.51, title.squashed +2.32, …"),
    and how much the rest added up to, so that the line still sums to the score."""
    ranked = sorted(components.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    text = ", ".join(f"{k} {v:+.2f}" for k, v in ranked[:shown])
    if len(ranked) > shown:
        text += f", {len(ranked) - shown} more terms {sum(v for _, v in ranked[shown:]):+.2f}"
    return text


def review_queue(store: Store, cfg: Config) -> list[dict[str, Any]]:
    """What waits for the person: works pubsync is unsure are theirs (or retracted), then pairs of works the matcher
    was unsure are one. Each item: "kind" ("attribution" | "pair"), the work(s) with their ids, the reasons, the
    commands that settle it."""
    items: list[dict[str, Any]] = []
    people = [p.key for p in cfg.people] or [p.key for p in store.people()]
    for work in store.works():
        why = left_out(work, people, cfg.exclude_types, cfg.publish_unconfirmed)
        if why not in ("unconfirmed", "retracted"):
            continue
        for person, found in sorted(work.attribution.items()):
            if why == "retracted" or found["outcome"] == "ask":
                items.append({"kind": "attribution", "person": person, "works": [_work_item(work)],
                              "why": why, "score": found.get("score"), "components": found.get("components", {}),
                              "reasons": (["retracted (a source says so)"] if why == "retracted" else [])
                              + found.get("evidence", []),
                              "settle": [f"pubsync mine {work.key}", f"pubsync not-mine {work.key}"]})
    for pair in store.review_pairs():
        works = [store.work(pair[side]) for side in ("a", "b")]
        items.append({"kind": "pair", **pair, "works": [_work_item(w) for w in works if w is not None],
                      "reasons": [pair.get("reason", "")] if pair.get("reason") else [],
                      "settle": [f"pubsync same {pair['a']} {pair['b']}", f"pubsync different {pair['a']} {pair['b']}"]})
    return items


def _work_item(work: Work) -> dict[str, Any]:
    return {"key": work.key, "title": work.title, "year": work.year, "ids": dict(sorted(work.ids.items()))}


def explain_work(store: Store, cfg: Config, ref: str, as_json: bool = False) -> str:
    key = find_work_key(store, ref)
    work = store.work(key)
    curation = load_curation(cfg.curation_path)
    found = curation.for_work(work)
    hidden = store.is_hidden(key)
    people = [p.key for p in cfg.people] or list(work.attribution)
    why = "hidden" if hidden else left_out(work, people, cfg.exclude_types, cfg.publish_unconfirmed)
    if as_json:
        data = work.to_dict()
        data["hidden"] = hidden
        data["left_out"] = why
        data["curation"] = {"ref": found[0], **vars(found[1])} if found else None
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    d = work.to_dict()
    lines = [f"{work.key}  ({work.status}{', hidden' if hidden else ''})",
             f"  site      {'left off: ' + why if why else 'listed'}"]
    for name in _SHOWN:
        value = d.get(name)
        if not value:
            continue
        if name == "authors":
            value = "; ".join(a.get("name") or f"{a.get('family', '')}, {a.get('given', '')}" for a in value)
            if not work.authors_complete:
                value += " …"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
        text = str(value)
        if len(text) > 160:
            text = text[:157] + "…"
        lines.append(f"  {name:9} {text}    ← {work.provenance.get(name, '')}".rstrip(" ←"))
    lines.extend(_site_fields(work))
    if work.versions:
        lines.append("versions:")
        for v in work.versions:
            ids = ", ".join(f"{k}:{val}" for k, val in sorted(v.ids.items()))
            lines.append(f"  {v.kind:9} {v.year or ''} {v.venue} {ids}".rstrip())
    lines.append(f"records ({len(work.records)}):")
    for r in sorted(work.records):
        found_rec = store.record(r)
        title = found_rec[1].title if found_rec else ""
        claimed = f" [{found_rec[1].claimed_by}]" if found_rec and found_rec[1].claimed_by else ""
        lines.append(f"  {r}{claimed}  {title[:90]}")
    if work.evidence:
        lines.append("why merged:")
        for ev in work.evidence:
            scored = isinstance(ev.get("score"), (int, float))
            lines.append(f"  {ev.get('a', '')} ~ {ev.get('b', '')}: {ev.get('reason', '')}"
                         + (f" (score {ev['score']:+.2f} = {strongest(ev.get('components') or {})})" if scored else ""))
    for person, attributed in sorted(work.attribution.items()):
        score = f", score {attributed['score']:+.1f}" if "score" in attributed else ""
        lines.append(f"whose: {attributed['outcome']} for {person} (by {attributed.get('by', '')}{score})")
        for name, value in sorted(attributed.get("components", {}).items(), key=lambda kv: -abs(kv[1])):
            lines.append(f"  {name:12} {value:+.1f}")
        lines.extend(f"  {reason}" for reason in attributed.get("evidence", []))
    if work.held or work.provenance.get("type", "").startswith("rule:"):
        lines.append(f"site policy: {work.provenance.get('type', '').removeprefix('rule:') or work.held}"
                     + (" (retracted: waits for your decision)" if work.held == "retracted" else ""))
    if found:
        cref, wc = found
        lines.append(f"curation ({cfg.curation_path}, entry {cref!r}):")
        for k, v in sorted({**wc.extra, **({"pin": wc.pin} if wc.pin else {}),
                            **({"hide": True} if wc.hide else {}), **({"mine": True} if wc.mine else {}),
                            **({"not_mine": True} if wc.not_mine else {})}.items()):
            lines.append(f"  {k} = {v}")
    return "\n".join(lines)


def _site_fields(work: Work) -> list[str]:
    """The site's own fields passed through (`pubsync adopt`), each with the site record it came from, and the
    file the entry lives in."""
    shown = sorted(k for k in work.provenance if k.startswith("extra."))
    if not shown:
        return []
    origin = work.extra.get("_site") or {}
    lines = [f"  from the site ({origin.get('file', '')}, {origin.get('form', '')}):"]
    for name in shown:
        text = " ".join(str(work.extra.get(name.removeprefix("extra."), "")).split())
        text = text[:117] + "…" if len(text) > 120 else text
        lines.append(f"    {name.removeprefix('extra.'):12} {text}    ← {work.provenance[name]}")
    return lines
