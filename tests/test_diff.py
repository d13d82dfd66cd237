"""`pubsync diff`: what an export would change, as a unified diff, with nothing written."""
from pathlib import Path

import pytest

from pubsync.errors import ExportError
from pubsync.export.diff import diff_stat, format_change
from pubsync.export.writer import END, START, plan
from pubsync.records import Author, Work
from pubsync.store import Store
from tests.clihelp import run

REPO = Path(__file__).resolve().parent.parent
CLI_ENV = {"PYTHONPATH": str(REPO)}


def plan_changes(files, target, fmt):
    return [c for c in plan(fmt, files, target) if c.kind != "unchanged"]


def export_diff(files, target, fmt, root=None):
    return "".join(format_change(c, root) for c in plan_changes(files, target, fmt))


def listing(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(root.rglob("*")) if p.is_file()}


def test_new_single_file(tmp_path):
    text = export_diff({"": b"one\ntwo\n"}, tmp_path / "papers.bib", "bibtex", root=tmp_path)
    assert text == ("diff --pubsync a/papers.bib b/papers.bib\nnew file\n"
                    "--- /dev/null\n+++ b/papers.bib\n@@ -0,0 +1,2 @@\n+one\n+two\n")
    assert list(tmp_path.iterdir()) == []


def test_changed_single_file(tmp_path):
    target = tmp_path / "out" / "papers.yml"
    target.parent.mkdir()
    target.write_bytes(b"a\nb\nc\n")
    text = export_diff({"": b"a\nB\nc\n"}, target, "papers-yml", root=tmp_path)
    assert text == ("diff --pubsync a/out/papers.yml b/out/papers.yml\n"
                    "--- a/out/papers.yml\n+++ b/out/papers.yml\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n")
    assert target.read_bytes() == b"a\nb\nc\n"


def test_identical_file_is_no_diff(tmp_path):
    (tmp_path / "x.json").write_bytes(b"[]\n")
    assert export_diff({"": b"[]\n"}, tmp_path / "x.json", "csl-json") == ""


def test_missing_final_newline_is_marked(tmp_path):
    (tmp_path / "f").write_bytes(b"x\n")
    text = export_diff({"": b"x\ny"}, tmp_path / "f", "bibtex", root=tmp_path)
    assert text.endswith("+y\n\\ No newline at end of file\n")


def test_binary_content(tmp_path):
    (tmp_path / "f").write_bytes(b"\xff\xfe")
    assert "Binary files a/f and b/f differ" in export_diff({"": b"x\n"}, tmp_path / "f", "bibtex", root=tmp_path)


def test_directory_export_new_changed_removed_and_foreign_untouched(tmp_path):
    pubs = tmp_path / "_publications"
    pubs.mkdir()
    (pubs / "2020-01-01-kept.md").write_bytes(b"---\ngenerated_by: pubsync\ntitle: Old\n---\n")
    (pubs / "2019-01-01-stale.md").write_bytes(b"---\ngenerated_by: pubsync\ntitle: Gone\n---\n")
    (pubs / "2009-10-01-paper-title-number-1.md").write_bytes(b"---\ntitle: hand-written\n---\n")
    before = listing(tmp_path)
    files = {"2020-01-01-kept.md": b"---\ngenerated_by: pubsync\ntitle: New\n---\n",
             "2021-05-01-fresh.md": b"---\ngenerated_by: pubsync\ntitle: Fresh\n---\n"}
    changes = plan_changes(files, pubs, "academicpages")
    assert [(c.path.name, c.kind) for c in changes] == [
        ("2019-01-01-stale.md", "removed"), ("2020-01-01-kept.md", "changed"), ("2021-05-01-fresh.md", "new")]
    text = export_diff(files, pubs, "academicpages", root=tmp_path)
    assert "deleted file\n--- a/_publications/2019-01-01-stale.md\n+++ /dev/null\n" in text
    assert "-title: Old\n+title: New\n" in text
    assert "paper-title-number-1" not in text
    assert diff_stat(changes, tmp_path).splitlines() == [
        "removed  _publications/2019-01-01-stale.md  +0 -4",
        "changed  _publications/2020-01-01-kept.md  +1 -1",
        "new      _publications/2021-05-01-fresh.md  +4 -0"]
    assert listing(tmp_path) == before                      # nothing written, nothing removed, mtimes kept


def test_directory_export_default_ownership_is_the_exporters(tmp_path):
    from pubsync.export import academicpages
    pubs = tmp_path / "_publications"
    pubs.mkdir()
    (pubs / "hand.md").write_bytes(b"---\ntitle: mine\n---\n")
    assert not academicpages.is_ours((pubs / "hand.md").read_bytes())
    assert plan_changes({}, pubs, "academicpages") == []


def test_path_outside_the_target_is_refused(tmp_path):
    with pytest.raises(ExportError, match="not a plain relative path"):
        plan_changes({"../escape.md": b"x"}, tmp_path / "_publications", "academicpages")


def test_spliced_page_shows_only_the_block(tmp_path):
    page = tmp_path / "_pages" / "publications.md"
    page.parent.mkdir()
    page.write_text(f"# Papers\nintro\n{START}\n* old\n{END}\nfooter\n", encoding="utf-8")
    text = export_diff({"": b"* new\n"}, page, "markdown", root=tmp_path)
    assert text == ("diff --pubsync a/_pages/publications.md b/_pages/publications.md\n"
                    "--- a/_pages/publications.md\n+++ b/_pages/publications.md\n"
                    f"@@ -1,6 +1,6 @@\n # Papers\n intro\n {START}\n-* old\n+* new\n {END}\n footer\n")


def test_spliced_page_without_markers_is_an_error(tmp_path):
    page = tmp_path / "index.html"
    page.write_text("<ul><li>hand-kept</li></ul>\n", encoding="utf-8")
    with pytest.raises(ExportError, match="no pubsync markers"):
        plan_changes({"": b"<li>x</li>\n"}, page, "html")


# ---- the command -----------------------------------------------------------------------------------

def make_site(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(
        '[site]\nkind = "al-folio"\n\n[[people]]\nname = "Josiah Carberry"\norcid = "0000-0002-1825-0097"\n\n'
        '[export]\nformats = ["bibtex"]\n', encoding="utf-8")
    store = Store(tmp_path / "data" / "pubsync.db")
    work = Work("carberry2021psychoceramics", title="Psychoceramics of the lecture hall", year=2021,
                type="journal-article", venue="Journal of Psychoceramics",
                authors=[Author("Josiah Carberry", family="Carberry", given="Josiah", orcid="0000-0002-1825-0097")],
                ids={"doi": "10.5555/12345678"}, people=["0000-0002-1825-0097"], records=["orcid:1"])
    with store.transaction():
        store.replace_works([work], set(), [])
    store.close()
    return tmp_path


def test_cli_diff_exit_code_then_up_to_date(tmp_path):
    pytest.importorskip("pubsync.export.bibtex")
    site = make_site(tmp_path)
    first = run("diff", "--exit-code", cwd=site, env=CLI_ENV)
    assert first.returncode == 10, first.stderr
    assert "new file\n--- /dev/null\n+++ b/_bibliography/papers.bib\n" in first.stdout
    assert "+@article{carberry2021psychoceramics,\n" in first.stdout
    assert "Psychoceramics of the lecture hall" in first.stdout
    assert not (site / "_bibliography" / "papers.bib").exists()
    plain = run("diff", cwd=site, env=CLI_ENV)
    assert plain.returncode == 0 and plain.stdout == first.stdout      # without --exit-code a change is not an error

    wrote = run("export", "--format", "bibtex", cwd=site, env=CLI_ENV)
    assert wrote.returncode == 0, wrote.stderr
    again = run("diff", "--exit-code", cwd=site, env=CLI_ENV)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "exports are up to date"

    bib = site / "_bibliography" / "papers.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Psychoceramics of", "Ceramics of"), encoding="utf-8")
    stat = run("diff", "--stat", "--exit-code", cwd=site, env=CLI_ENV)
    assert stat.returncode == 10
    assert stat.stdout.splitlines() == ["changed  _bibliography/papers.bib  +1 -1"]


def test_cli_diff_unknown_format_exits_2(tmp_path):
    site = make_site(tmp_path)
    proc = run("diff", "--format", "bibtx", cwd=site, env=CLI_ENV)
    assert proc.returncode == 2 and "unknown format 'bibtx'" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_diff_without_database_exits_2(tmp_path):
    proc = run("diff", cwd=tmp_path, env=CLI_ENV)
    assert proc.returncode == 2 and "no database yet" in proc.stderr


def test_cli_diff_per_person_files(tmp_path):
    site = make_site(tmp_path)
    with (site / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[export.bibtex]\nper_person = "_bibliography/{person}.bib"\n')
    proc = run("diff", "--stat", cwd=site, env=CLI_ENV)
    assert proc.returncode == 0, proc.stderr
    assert [line.split()[:2] for line in proc.stdout.splitlines()] == [
        ["new", "_bibliography/papers.bib"], ["new", "_bibliography/josiah-carberry.bib"]]


def test_cli_diff_academicpages_removes_only_its_own_stale_pages(tmp_path):
    site = make_site(tmp_path)
    (site / "config.toml").write_text((site / "config.toml").read_text().replace(
        'kind = "al-folio"', 'kind = "academicpages"').replace('formats = ["bibtex"]', 'formats = ["academicpages"]'))
    assert run("export", "--format", "academicpages", cwd=site, env=CLI_ENV).returncode == 0
    pubs = site / "_publications"
    [page] = list(pubs.iterdir())
    (pubs / "2001-01-01-stale.md").write_bytes(page.read_bytes())            # a page pubsync wrote earlier
    (pubs / "2009-10-01-paper-title-number-1.md").write_text("---\ntitle: mine\n---\n")
    proc = run("diff", "--stat", "--exit-code", cwd=site, env=CLI_ENV)
    assert proc.returncode == 10, proc.stderr
    assert [line.split()[:2] for line in proc.stdout.splitlines()] == [["removed", "_publications/2001-01-01-stale.md"]]


def test_right_after_a_sync_diff_finds_nothing(tmp_path):
    """sync and diff share one definition of the exports: with one person and `per_person` set, sync writes the
    per-person file too, so the diff that follows has nothing to write."""
    site = make_site(tmp_path)
    with (site / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[export.bibtex]\nper_person = "_bibliography/{person}.bib"\n'
                 '\n[sources.orcid]\nretries = 0\n\n[sources.openalex]\nretries = 0\n')
    closed = {f"PUBSYNC_{name}_URL": "http://127.0.0.1:9" for name in ("ORCID", "OPENALEX", "ARXIV")}
    synced = run("sync", cwd=site, env={**CLI_ENV, **closed})
    assert synced.returncode == 3, synced.stderr            # the sources are down; the stored works are exported
    assert (site / "_bibliography" / "papers.bib").is_file()
    assert (site / "_bibliography" / "josiah-carberry.bib").is_file()
    after = run("diff", "--exit-code", cwd=site, env=CLI_ENV)
    assert after.returncode == 0, after.stdout
    assert after.stdout.strip() == "exports are up to date"
