"""Print the README's "What pubsync survives" table, generated from the fault suite's own parameter lists.

    python scripts/survives_table.py                  # print the Markdown table
    python scripts/survives_table.py --check README.md  # exit 1 when the table between the markers is stale
    python scripts/survives_table.py --write README.md  # replace the table between the markers

The table sits in the README between `<!-- survives:start -->` and `<!-- survives:end -->`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START, END = "<!-- survives:start -->", "<!-- survives:end -->"


def _rows() -> list[tuple[str, str, str, str]]:
    sys.path.insert(0, str(REPO))
    from tests import test_bad_input as bad
    from tests import test_faults_network as net
    from tests import test_faults_process as proc
    from tests import test_secrets as sec
    from tests.faultworld import SOURCES

    kept = "exit 3, one `pubsync: <source> failed …` line; last good records, works, decisions and exports kept"
    rows = []
    for fault in net.NETWORK_FAULTS:
        where = "every source" if fault.sources == SOURCES else ", ".join(fault.sources)
        if fault.name in net.ALL_AT_ONCE:
            where += " (also all at once)"
        if any(fault.name == f for _, f in net.ALONE):
            where += " (also alone)"
        does = kept.replace("failed", "suspect") if fault.outcome == "suspect" else kept
        rows.append((fault.what, where, does, "test_faults_network.py"))
    rows.append(("every source down on the very first sync, over a site that already has a publication list",
                 "every source, fresh database", "exit 3, no traceback; the existing `papers.bib` and pages are kept "
                 "as they are, never replaced by an empty list", "test_faults_network.py"))
    process_outcome = {
        "sigkill": "DB passes `integrity_check`, each source's rows are all-old or all-new, each export is the old "
                   "or the new file; the next sync completes",
        "two-syncs": "the second exits 1 naming the holder's pid, or waits (`PUBSYNC_LOCK_WAIT`); nothing corrupted",
        "read-only-output": "exit 1, one line naming the path; the old export untouched, no temp file left",
        "full-disk-output": "exit 1, one line naming the path; the old export untouched, no temp file left",
        "full-disk-db": "exit 1; the transaction rolls back, `integrity_check` ok, exports untouched",
    }
    for name, what in proc.PROCESS_FAULTS:
        rows.append((what, "process / disk", process_outcome[name], "test_faults_process.py"))
    configs = ", ".join(name for name, *_ in bad.BAD_CONFIGS)
    rows.append((f"bad config.toml ({configs}; a missing or non-UTF-8 file)", "config",
                 "exit 2, one line naming `file:line`, the key and a did-you-mean where one fits; no request made",
                 "test_bad_input.py"))
    misuse = ", ".join(name for name, *_ in bad.CLI_MISUSE)
    rows.append((f"CLI misuse ({misuse}); unknown work keys for `explain`", "command line",
                 "exit 2, one line, close keys suggested; the database unchanged", "test_bad_input.py"))
    dbs = ", ".join(name for name, *_ in bad.BAD_DATABASES)
    rows.append((f"a {dbs} database file", "--db",
                 "a clear error, never a traceback; the file left byte-for-byte as it was (no silent migration)",
                 "test_bad_input.py"))
    rows.append((f"{len(bad.HOSTILE_TITLES)} hostile titles (`{{% %}}`, `{{{{ }}}}`, `<script>`, unbalanced braces, "
                 "`%`, `\\`, `@`, newlines, 2,000 characters, `../`) from every source",
                 "exports", "BibTeX, YAML, front matter, CSL-JSON and the spliced pages parse back with the same "
                 "titles; no live Liquid or `<script>`; no file outside the site", "test_bad_input.py"))
    rows.append(("`OPENALEX_API_KEY` / `ORCID_TOKEN` in the environment, through " +
                 ", ".join(name for name, *_ in sec.SECRET_RUNS) + " syncs (with -vv and the HTTP cache on)",
                 "secrets", "never in the DB, the cache, stdout/stderr, `status`, `explain` or any export",
                 "test_secrets.py"))
    return rows


def table() -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")
    lines = ["| What goes wrong | Where | What pubsync does | Test |", "|---|---|---|---|"]
    lines += [f"| {cell(a)} | {cell(b)} | {cell(c)} | `tests/{d}` |" for a, b, c, d in _rows()]
    return "\n".join(lines) + "\n"


def block(text: str, path: Path) -> tuple[int, int]:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: no {START} … {END} block; add the two markers where the table belongs")
    return start + len(START), end


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", metavar="README", type=Path, help="exit 1 when the README's table is stale")
    group.add_argument("--write", metavar="README", type=Path, help="replace the README's table")
    args = parser.parse_args(argv)
    fresh = table()
    path = args.check or args.write
    if path is None:
        sys.stdout.write(fresh)
        return 0
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        print(f"{path}: cannot read: {e.strerror}", file=sys.stderr)
        return 1
    try:
        start, end = block(text, path)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 1
    if args.write:
        path.write_text(text[:start] + "\n" + fresh + text[end:], encoding="utf-8")
        return 0
    if text[start:end].strip() != fresh.strip():
        print(f"{path}: the table between {START} and {END} is stale; run "
              f"`python scripts/survives_table.py --write {path}`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
