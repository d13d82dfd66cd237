"""`pubsync report`: one static HTML page about the database — works per year, citations per year, which source knows
which work, each source's last run, and the review queue.

The page works offline and from `file://`: CSS inline, charts as inline SVG, no script, no external resource. Every
value from the database is HTML-escaped; only http(s) URLs become links.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, urlsplit

from pubsync.files import write_atomic
from pubsync.sources import NAMES as SOURCES

NO_YEAR = "no year"
# One colour per source, fixed so the same source looks the same in every chart (colour-blind-safe Okabe–Ito set).
SOURCE_COLOURS = {"openalex": "#0072B2", "orcid": "#009E73", "arxiv": "#D55E00", "scholar": "#CC79A7",
                  "crossref": "#E69F00"}
BAR_COLOUR = "#0072B2"


@dataclass
class CoverageRow:
    key: str
    title: str
    year: int | None
    url: str
    sources: set[str]


@dataclass
class ReviewRow:
    a: str
    b: str
    score: float
    components: dict[str, float]
    reason: str
    a_title: str = ""
    b_title: str = ""


@dataclass
class ReportData:
    title: str
    data_date: str                                   # Store.data_date(): of the data, not of the page
    works_total: int = 0
    hidden: int = 0
    held_back: dict[str, int] = field(default_factory=dict)    # why the site leaves works out -> how many
    works_per_year: list[tuple[str, int]] = field(default_factory=list)       # oldest first; NO_YEAR last
    citations_per_year: list[tuple[str, int]] = field(default_factory=list)   # OpenAlex counts_by_year, summed
    snapshots: dict[str, list[tuple[str, int]]] = field(default_factory=dict) # source -> [(date, total)]
    sources: list[str] = field(default_factory=list)                          # sources that know at least one work
    coverage: list[CoverageRow] = field(default_factory=list)
    source_totals: dict[str, int] = field(default_factory=dict)
    only_in: dict[str, int] = field(default_factory=dict)                     # works no other source knows
    last_runs: list[dict[str, Any]] = field(default_factory=list)
    review: list[ReviewRow] = field(default_factory=list)


# ---- gathering ----------------------------------------------------------------------------------

def gather(store, title: str = "Publications", held_back: dict[str, int] | None = None) -> ReportData:
    """Everything the page shows, read from the store (visible works only; hidden ones are just counted, and those
    the site leaves out are counted by why: `held_back`, from export.jobs.held_back)."""
    works = store.works()
    counts = store.counts()
    data = ReportData(title=title, data_date=store.data_date(), works_total=len(works), hidden=counts["hidden"],
                      held_back=dict(held_back or {}))

    per_year: dict[int | None, int] = {}
    cites: dict[int, int] = {}
    for w in works:
        per_year[w.year] = per_year.get(w.year, 0) + 1
        for year, n in w.counts_by_year.items():
            cites[int(year)] = cites.get(int(year), 0) + int(n)
    data.works_per_year = _year_series(per_year)
    data.citations_per_year = [(str(y), cites[y]) for y in sorted(cites)]

    refs_by_work = store.record_refs_by_work()
    visible_refs: set[str] = set()
    for w in works:
        refs = refs_by_work.get(w.key, set()) | set(w.records)
        visible_refs |= refs
        data.coverage.append(CoverageRow(w.key, w.title, w.year, _work_url(w),
                                         {r.partition(":")[0] for r in refs if r.partition(":")[0]}))
    data.coverage.sort(key=lambda r: (-(r.year or 0), r.title.lower(), r.key))
    known = {s for row in data.coverage for s in row.sources}
    data.sources = [s for s in SOURCES if s in known] + sorted(known - set(SOURCES))
    for s in data.sources:
        data.source_totals[s] = sum(1 for row in data.coverage if s in row.sources)
        data.only_in[s] = sum(1 for row in data.coverage if row.sources == {s})

    data.snapshots = _snapshot_series(store, visible_refs)
    data.last_runs = store.last_outcomes()
    data.review = [_review_row(store, item) for item in store.review_items()]
    return data


def _year_series(counts: dict[int | None, int]) -> list[tuple[str, int]]:
    years = sorted(y for y in counts if y is not None)
    series = []
    if years:   # every year between the first and the last, so gaps show as empty bars rather than vanish
        series = [(str(y), counts.get(y, 0)) for y in range(years[0], years[-1] + 1)]
    if None in counts:
        series.append((NO_YEAR, counts[None]))
    return series


def _snapshot_series(store, refs: set[str]) -> dict[str, list[tuple[str, int]]]:
    """Per source, per snapshot date: the summed counts of that source's records in visible works. Sources are
    never added together (their counts measure different things)."""
    totals: dict[str, dict[str, int]] = {}
    for source, sid, date, count in store.citation_snapshots():
        if f"{source}:{sid}" in refs and count is not None:
            by_date = totals.setdefault(source, {})
            by_date[date] = by_date.get(date, 0) + int(count)
    return {s: sorted(d.items()) for s, d in sorted(totals.items())}


def _work_url(work) -> str:
    if work.ids.get("doi"):
        return "https://doi.org/" + quote(work.ids["doi"], safe="/:;()._-")
    for candidate in (work.url, work.links.get("html", ""), work.links.get("arxiv", "")):
        if _is_http(candidate):
            return candidate
    if work.ids.get("arxiv"):
        return "https://arxiv.org/abs/" + quote(work.ids["arxiv"], safe="/._-")
    return ""


def _is_http(url: str) -> bool:
    try:
        return urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)
    except ValueError:
        return False


def _review_row(store, item: dict[str, Any]) -> ReviewRow:
    return ReviewRow(item["a"], item["b"], float(item["score"]), dict(item["components"]), item["reason"] or "",
                     _title_of(store, item["a"]), _title_of(store, item["b"]))


def _title_of(store, ref: str) -> str:
    work = store.work(ref)
    if work is not None:
        return work.title
    found = store.record(ref)
    return found[1].title if found else ""


# ---- rendering ----------------------------------------------------------------------------------

def e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def bar_chart(series: list[tuple[str, int]], *, label: str, colour: str = BAR_COLOUR, height: int = 160) -> str:
    """An inline SVG bar chart with a value above each bar and the label below it."""
    if not series:
        return f'<p class="empty">{e(label)}: no data yet.</p>'
    top = max(v for _, v in series) or 1
    bar_w, gap, pad_top, pad_bottom = 28, 8, 18, 34
    width = len(series) * (bar_w + gap) + gap
    plot_h = height - pad_top - pad_bottom
    parts = [f'<svg class="chart" role="img" aria-label="{e(label)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="0" y1="{pad_top + plot_h}" x2="{width}" y2="{pad_top + plot_h}" class="axis"/>']
    for i, (name, value) in enumerate(series):
        x = gap + i * (bar_w + gap)
        h = round(plot_h * value / top)
        y = pad_top + plot_h - h
        cx, label_y = x + bar_w / 2, pad_top + plot_h + 14
        tilt = f' transform="rotate(35 {cx:g} {label_y})"' if len(name) > 4 else ""   # long labels would overlap
        parts.append(f'<g><title>{e(name)}: {value}</title>'
                     f'<rect x="{x}" y="{y}" width="{bar_w}" height="{h}" fill="{colour}"/>'
                     f'<text x="{cx:g}" y="{y - 4}" class="val">{value}</text>'
                     f'<text x="{cx:g}" y="{label_y}" class="lab{" tilt" if tilt else ""}"{tilt}>{e(name)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: dict[str, list[tuple[str, int]]], *, label: str, height: int = 180) -> str:
    """An inline SVG line chart, one line per source, x = snapshot dates (shared, in order)."""
    dates = sorted({d for points in series.values() for d, _ in points})
    if not dates:
        return f'<p class="empty">{e(label)}: no snapshots yet (one is taken at every merge).</p>'
    top = max(v for points in series.values() for _, v in points) or 1
    step, pad_l, pad_r, pad_top, pad_bottom = 56, 40, 90, 14, 40
    width = pad_l + max(1, len(dates) - 1) * step + pad_r
    plot_h = height - pad_top - pad_bottom
    xs = {d: pad_l + i * step for i, d in enumerate(dates)}
    y_of = lambda v: pad_top + plot_h - round(plot_h * v / top)  # noqa: E731
    parts = [f'<svg class="chart" role="img" aria-label="{e(label)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{pad_l}" y1="{pad_top + plot_h}" x2="{width - pad_r + 10}" y2="{pad_top + plot_h}" class="axis"/>',
             f'<text x="{pad_l - 6}" y="{pad_top + 4}" class="tick" text-anchor="end">{top}</text>',
             f'<text x="{pad_l - 6}" y="{pad_top + plot_h}" class="tick" text-anchor="end">0</text>']
    for d in dates:
        parts.append(f'<text x="{xs[d]}" y="{pad_top + plot_h + 14}" class="lab tilt" '
                     f'transform="rotate(35 {xs[d]} {pad_top + plot_h + 14})">{e(d)}</text>')
    for source, points in series.items():
        colour = SOURCE_COLOURS.get(source, "#555555")
        coords = " ".join(f"{xs[d]},{y_of(v)}" for d, v in points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for d, v in points:
            parts.append(f'<circle cx="{xs[d]}" cy="{y_of(v)}" r="3" fill="{colour}"><title>{e(source)} {e(d)}: {v}'
                         '</title></circle>')
        last_d, last_v = points[-1]
        parts.append(f'<text x="{xs[last_d] + 6}" y="{y_of(last_v) + 4}" class="series" fill="{colour}">'
                     f'{e(source)} {last_v}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]], *, table_id: str, numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _work_cell(title: str, url: str, key: str) -> str:
    shown = e(title or "(untitled)")
    link = f'<a href="{e(url)}">{shown}</a>' if _is_http(url) else shown
    return f'{link} <span class="key">{e(key)}</span>'


CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1d1d1f;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.meta{color:#555}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;min-width:8rem}.card b{display:block;font-size:1.5rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border-bottom:1px solid #eee;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.key{color:#777;font-size:.8rem;font-family:ui-monospace,monospace}.yes{color:#009E73;font-weight:bold;text-align:center}
.no{color:#bbb;text-align:center}.failed{color:#b00020;font-weight:bold}.empty{color:#777;font-style:italic}
.chart{display:block;margin:.5rem 0;overflow:visible}.chart .axis{stroke:#999}.chart text{font-size:11px;fill:#333}
.chart .val,.chart .lab{text-anchor:middle}.chart .tilt{text-anchor:start}.chart .series{font-weight:bold}
.scroll{overflow-x:auto}.row{display:flex;gap:2.5rem;align-items:flex-start;flex-wrap:wrap}details summary{cursor:pointer;color:#0072B2}
@media print{details{display:block}}
"""


def render_html(data: ReportData) -> str:
    out: list[str] = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network from this page, ever: the policy forbids every fetch, so a stray URL cannot load anything.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{e(data.title)} — pubsync report</title><style>{CSS}</style></head><body>",
        f"<h1>{e(data.title)}</h1>",
        f'<p class="meta">pubsync report · data as of <span id="data-date">{e(data.data_date or "no records yet")}'
        "</span></p>",
        '<div class="cards">',
        f'<div class="card">works<b id="works-total">{data.works_total}</b></div>',
        f'<div class="card">hidden<b id="works-hidden">{data.hidden}</b></div>',
        f'<div class="card">held back<b id="works-held">{sum(data.held_back.values())}</b>'
        f'<small>{e(", ".join(f"{n} {why}" for why, n in data.held_back.items()))}</small></div>',
        f'<div class="card">waiting for review<b id="review-total">{len(data.review)}</b></div>',
        f'<div class="card">sources<b id="sources-total">{len(data.sources)}</b></div>',
        "</div>",
    ]

    out.append('<h2 id="per-year">Works per year</h2>')
    out.append('<div class="row">' + bar_chart(data.works_per_year, label="works per year"))
    out.append(_table(["year", "works"], ([e(y), str(n)] for y, n in data.works_per_year),
                      table_id="works-per-year", numeric={1}) + "</div>")

    out.append('<h2 id="citations">Citations per year</h2>')
    out.append('<p class="meta">Citations received each year, as OpenAlex counts them (<code>counts_by_year</code>),'
               " summed over the works.</p>")
    out.append('<div class="row">' + bar_chart(data.citations_per_year, label="citations per year",
                                               colour=SOURCE_COLOURS["openalex"]))
    out.append(_table(["year", "citations"], ([e(y), str(n)] for y, n in data.citations_per_year),
                      table_id="citations-per-year", numeric={1}) + "</div>")
    out.append("<h3>Citation counts over time</h3>")
    out.append('<p class="meta">Each source\'s total at each snapshot. Sources are never added together: they count '
               "different things.</p>")
    out.append('<div class="row">' + line_chart(data.snapshots, label="citation snapshots per source"))
    out.append(_table(["source", "date", "total citations"],
                      ([e(s), e(d), str(n)] for s, points in data.snapshots.items() for d, n in points),
                      table_id="citation-snapshots", numeric={2}) + "</div>")

    out.append('<h2 id="coverage">Which source knows which work</h2>')
    out.append(_table(["source", "works", "only this source"],
                      ([e(s), str(data.source_totals[s]), str(data.only_in[s])] for s in data.sources),
                      table_id="source-coverage", numeric={1, 2}))
    out.append(f"<details><summary>all {data.works_total} works by source</summary><div class=\"scroll\">")
    out.append(_table(["year", "work"] + data.sources,
                      ([e(r.year if r.year is not None else ""), _work_cell(r.title, r.url, r.key)]
                       + ['<span class="yes">✓</span>' if s in r.sources else '<span class="no">·</span>'
                          for s in data.sources] for r in data.coverage),
                      table_id="coverage-matrix"))
    out.append("</div></details>")

    out.append('<h2 id="runs">Last run of each source</h2>')
    out.append(_table(["source", "profile", "when", "outcome", "fetched", "message"],
                      ([e(r["source"]), e(r["profile"]), e(r["at"] or ""),
                        (f'<span class="failed">{e(r["outcome"])}</span>' if r["outcome"] != "ok" else e(r["outcome"])),
                        str(r["fetched"]), e(r["error"] or "")] for r in data.last_runs),
                      table_id="last-runs", numeric={4}) if data.last_runs else
               '<p class="empty">No source has run yet.</p>')

    out.append('<h2 id="review">Waiting for review</h2>')
    if data.review:
        out.append('<p class="meta">Pairs the matcher was unsure about. Decide with <code>pubsync same A B</code> or '
                   "<code>pubsync different A B</code>.</p>")
        out.append(_table(["score", "A", "B", "evidence", "reason"],
                          ([f"{r.score:.2f}", f"{e(r.a_title)} <span class=\"key\">{e(r.a)}</span>",
                            f"{e(r.b_title)} <span class=\"key\">{e(r.b)}</span>",
                            e(", ".join(f"{k} {v:.2f}" for k, v in sorted(r.components.items()))), e(r.reason)]
                           for r in data.review),
                          table_id="review-queue", numeric={0}))
    else:
        out.append('<p class="empty" id="review-queue">Nothing waits for review.</p>')
    out.append("</body></html>\n")
    return "\n".join(out)


def write_report(store, out: Path, title: str = "Publications", held_back: dict[str, int] | None = None) -> ReportData:
    """Render the page and replace `out` atomically. Returns what was shown (for the CLI's one-line message)."""
    data = gather(store, title, held_back)
    text = render_html(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, text.encode("utf-8"))
    return data


def to_json(data: ReportData) -> dict[str, Any]:
    """The page's numbers as data (for `pubsync report --json`)."""
    return json.loads(json.dumps({
        "title": data.title, "data_date": data.data_date, "works": data.works_total, "hidden": data.hidden,
        "held_back": data.held_back,
        "works_per_year": dict(data.works_per_year), "citations_per_year": dict(data.citations_per_year),
        "snapshots": {s: dict(p) for s, p in data.snapshots.items()},
        "sources": {s: {"works": data.source_totals[s], "only_here": data.only_in[s]} for s in data.sources},
        "review": [{"a": r.a, "b": r.b, "score": r.score, "reason": r.reason} for r in data.review],
    }))
