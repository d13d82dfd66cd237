"""The one-screen end-of-run summary: what each source brought, what the merge changed, which files were written.

Built by the pipeline's runs from what each stage returns (`SourceOutcome`s from pull.fetch_and_store, the
`MergeSummary` of pipeline.merge_works, the write reports of export.jobs.write_jobs) plus two snapshots of the works
taken before and after the merge, which is the only way to tell added works from updated ones.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from pubsync.errors import EXIT_CHANGED, EXIT_OK, EXIT_SOURCE_FAILED

CHANGED_STATUSES = ("written", "removed")   # write-report statuses that changed a file on disk


def snapshot_works(store) -> dict[str, str]:
    """Work key -> digest of everything stored about it (hidden works included, with their hidden flag)."""
    return store.work_digests()


@dataclass
class WorkChanges:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)     # e.g. two works merged into one after a decision


def compare_snapshots(before: dict[str, str], after: dict[str, str]) -> WorkChanges:
    return WorkChanges(
        added=sorted(k for k in after if k not in before),
        updated=sorted(k for k in after if k in before and before[k] != after[k]),
        removed=sorted(k for k in before if k not in after),
    )


@dataclass
class RunSummary:
    sources: list[Any] = field(default_factory=list)     # pipeline.SourceOutcome, in pull order
    merge: Any = None                                    # pipeline.MergeSummary, or None when no merge ran
    works: WorkChanges = field(default_factory=WorkChanges)
    exports: dict[str, list[tuple[str, str]]] = field(default_factory=dict)   # format -> [(path, status)]
    planned: list[Any] = field(default_factory=list)     # export.writer.FileChange: what a dry run would write

    @property
    def failed_sources(self) -> list[Any]:
        return [o for o in self.sources if o.failed]

    @property
    def exports_changed(self) -> bool:
        return any(status in CHANGED_STATUSES for report in self.exports.values() for _, status in report)

    def exit_code(self, *, exit_on_change: bool = False) -> int:
        """The CLI contract: 3 when a source failed (it wins), 10 when exports changed and the caller asked for it."""
        if self.failed_sources:
            return EXIT_SOURCE_FAILED
        if exit_on_change and self.exports_changed:
            return EXIT_CHANGED
        return EXIT_OK


def build_summary(outcomes: list[Any], merge: Any, before: dict[str, str], after: dict[str, str],
                  exports: dict[str, list[tuple[str, str]]] | None = None) -> RunSummary:
    return RunSummary(sources=list(outcomes), merge=merge, works=compare_snapshots(before, after),
                      exports={fmt: list(report) for fmt, report in (exports or {}).items()})


# ---- rendering ----------------------------------------------------------------------------------

def _file_counts(report: list[tuple[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, status in report:
        counts[status] = counts.get(status, 0) + 1
    return counts


def to_json(summary: RunSummary) -> dict[str, Any]:
    m = summary.merge
    return {
        "sources": [{
            "profile": o.profile, "source": o.source, "outcome": o.outcome, "fetched": o.fetched, "new": o.new,
            "changed": o.changed, "unchanged": o.unchanged, "requests": o.requests, "error": o.error,
        } for o in summary.sources],
        "works": {
            "total": m.works if m else None,
            "hidden": m.hidden if m else None,
            "review": m.review if m else None,
            "records": m.records if m else None,
            "unparsable": len(m.unparsable) if m else 0,
            "added": summary.works.added,
            "updated": summary.works.updated,
            "removed": summary.works.removed,
        },
        "exports": {fmt: [{"path": str(p), "status": s} for p, s in report]
                    for fmt, report in sorted(summary.exports.items())},
        "exports_changed": summary.exports_changed,
        "failed_sources": [f"{o.source}:{o.profile}" for o in summary.failed_sources],
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render_text(summary: RunSummary, color: bool, width: int = 100) -> str:
    """A short report for the terminal or a cron mail. With color=False the text has no escape codes at all."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False, emoji=False)
    if summary.sources:
        table = Table(title=None, show_edge=False, pad_edge=False, box=None, header_style="bold" if color else "")
        for col in ("source", "profile", "fetched", "new", "changed", "unchanged", "status"):
            table.add_column(col, justify="right" if col in ("fetched", "new", "changed", "unchanged") else "left")
        for o in summary.sources:
            if o.failed:
                status = Text("suspect" if o.outcome == "suspect" else "FAILED", style="bold red" if color else "")
            else:
                status = Text("ok", style="green" if color else "")
            table.add_row(o.source, o.profile, str(o.fetched), str(o.new), str(o.changed), str(o.unchanged), status)
        console.print(table)
        for o in summary.sources:          # the why, below the table, so a long message is never cut or wrapped
            if o.error:
                what = ("failed" if o.outcome == "failed" else o.outcome) if o.failed else "note"
                console.print(Text(f"  {o.source} {what} ({o.profile}): {o.error}",
                                   style=("red" if o.failed else "yellow") if color else ""), soft_wrap=True)
    m, w = summary.merge, summary.works
    if m is not None:
        line = (f"works: {m.works} total, {len(w.added)} added, {len(w.updated)} updated"
                + (f", {len(w.removed)} gone (merged or no longer found)" if w.removed else "")
                + (f", {m.hidden} hidden" if m.hidden else ""))
        console.print(line)
        if w.added:
            console.print("  added: " + _short_list(w.added))
        if m.review:
            console.print(Text(f"{_plural(m.review, 'pair')} waiting for review: run `pubsync review`",
                               style="yellow" if color else ""))
        if m.unparsable:
            console.print(Text(f"{_plural(len(m.unparsable), 'stored record')} could not be read and were skipped",
                               style="yellow" if color else ""))
    for fmt, report in sorted(summary.exports.items()):
        counts = _file_counts(report)
        parts = [f"{counts[s]} {s}" for s in ("written", "removed", "unchanged") if counts.get(s)]
        parts += [f"{n} {s}" for s, n in sorted(counts.items()) if s not in ("written", "removed", "unchanged")]
        changed = [p for p, s in report if s in CHANGED_STATUSES]
        detail = f" ({_short_list([str(p) for p in changed])})" if changed else ""
        console.print(f"{fmt}: {', '.join(parts) or 'nothing to write'}{detail}")
    if summary.failed_sources:
        names = ", ".join(sorted({o.source for o in summary.failed_sources}))
        console.print(Text(f"finished with failed sources ({names}); their earlier records were kept",
                           style="bold red" if color else ""))
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + ("\n" if buf.getvalue() else "")


def _short_list(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
