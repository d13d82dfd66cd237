import os

import pytest

from pubsync.errors import ExportError, ExportWriteError
from pubsync.export import write
from pubsync.export.academicpages import is_ours
from pubsync.export.writer import splice
from pubsync.files import write_atomic


def test_single_file_write_is_skipped_when_bytes_are_identical(tmp_path):
    target = tmp_path / "_data" / "papers.yml"
    assert write("papers-yml", {"": b"- id: a\n"}, target) == [(str(target), "written")]
    os.utime(target, (1_000_000, 1_000_000))
    assert write("papers-yml", {"": b"- id: a\n"}, target) == [(str(target), "unchanged")]
    assert target.stat().st_mtime == 1_000_000
    assert write("papers-yml", {"": b"- id: b\n"}, target) == [(str(target), "written")]
    assert target.read_bytes() == b"- id: b\n"
    assert [p.name for p in target.parent.iterdir()] == ["papers.yml"]      # no temp file left behind


def _page(marker: bool) -> bytes:
    return b"---\ntitle: \"x\"\n" + (b"generated_by: pubsync\n" if marker else b"") + b"---\nbody\n"


def test_tree_removes_only_stale_pages_pubsync_wrote(tmp_path):
    folder = tmp_path / "_publications"
    folder.mkdir()
    (folder / "2009-10-01-paper-title-number-1.md").write_bytes(_page(marker=False))
    (folder / "2019-01-01-old.md").write_bytes(_page(marker=True))
    result = write("academicpages", {"2020-01-01-new.md": _page(marker=True)}, folder)
    assert result == [(str(folder / "2019-01-01-old.md"), "removed"), (str(folder / "2020-01-01-new.md"), "written")]
    assert sorted(p.name for p in folder.iterdir()) == ["2009-10-01-paper-title-number-1.md", "2020-01-01-new.md"]


def test_tree_refuses_to_overwrite_a_page_it_did_not_write(tmp_path):
    folder = tmp_path / "_publications"
    folder.mkdir()
    (folder / "2020-01-01-new.md").write_bytes(_page(marker=False))
    with pytest.raises(ExportError, match="not written by pubsync"):
        write("academicpages", {"2020-01-01-new.md": _page(marker=True)}, folder)
    assert (folder / "2020-01-01-new.md").read_bytes() == _page(marker=False)


@pytest.mark.parametrize("name", ["../escape.md", "/etc/passwd", "a/../../b.md", "..", "a\\b.md", ""])
def test_tree_refuses_paths_outside_the_target(tmp_path, name):
    with pytest.raises(ExportError, match="refusing"):
        write("academicpages", {name: _page(marker=True)}, tmp_path / "pubs")
    assert not (tmp_path / "escape.md").exists()


def test_marker_must_be_in_front_matter():
    assert is_ours(b"---\ngenerated_by: pubsync\n---\n")
    assert is_ours(b'---\ngenerated_by: "pubsync"\n---\n')
    assert not is_ours(b"---\ntitle: x\n---\ngenerated_by: pubsync\n")
    assert not is_ours(b"generated_by: pubsync\n")


def test_splice_keeps_everything_outside_the_markers():
    page = "head\n<!-- pubsync:start -->\nold\n<!-- pubsync:end -->\ntail {% raw %}\n"
    assert splice(page, "new\n", "p.md") == "head\n<!-- pubsync:start -->\nnew\n<!-- pubsync:end -->\ntail {% raw %}\n"


@pytest.mark.parametrize("page, message", [
    ("no markers at all\n", "no pubsync markers"),
    ("<!-- pubsync:end -->\n<!-- pubsync:start -->\n", "comes before"),
    ("<!-- pubsync:start --><!-- pubsync:end --><!-- pubsync:start -->", "exactly one"),
])
def test_splice_refuses_pages_without_one_pair_of_markers(tmp_path, page, message):
    target = tmp_path / "publications.md"
    target.write_text(page)
    with pytest.raises(ExportError, match=message):
        write("markdown", {"": b"list\n"}, target)
    assert target.read_text() == page


def test_markdown_target_must_exist(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        write("markdown", {"": b"x"}, tmp_path / "missing.md")


def test_real_hand_kept_page_without_markers_is_refused_then_kept_byte_for_byte(realdata, tmp_path):
    source = realdata / "sites" / "yifei-he__yifei-he.github.io" / "_pages" / "publications.md"
    original = source.read_text(encoding="utf-8")
    page = tmp_path / "publications.md"
    page.write_text(original, encoding="utf-8")
    with pytest.raises(ExportError, match="no pubsync markers"):
        write("markdown", {"": b"\n* x\n\n"}, page)
    # The user puts markers around the hand-written list; everything else must come back unchanged.
    head, sep, rest = original.partition("(* indicates equal contribution)\n")
    page.write_text(head + sep + "<!-- pubsync:start -->\n<!-- pubsync:end -->\n", encoding="utf-8")
    write("markdown", {"": b"\n* x\n\n"}, page)
    assert page.read_text(encoding="utf-8") == head + sep + "<!-- pubsync:start -->\n\n* x\n\n<!-- pubsync:end -->\n"
    assert "{% for post in site.publications reversed %}" in page.read_text(encoding="utf-8")


def test_a_temp_file_left_by_a_killed_run_is_cleaned_up(tmp_path):
    target = tmp_path / "papers.bib"
    target.write_bytes(b"whole")
    stale = tmp_path / ".papers.bib.pubsync-tmp"
    stale.write_bytes(b"half a fi")
    assert write_atomic(target, b"whole") is False
    assert not stale.exists() and target.read_bytes() == b"whole"


class _HalfWrite:
    """A file that takes half of what it is given, then reports a full disk."""

    def __init__(self, path, mode):
        self.f = open(path, mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()

    def fileno(self):
        return self.f.fileno()

    def read(self):
        return self.f.read()

    def write(self, data):
        self.f.write(data[:len(data) // 2])
        self.f.flush()
        raise OSError(28, "No space left on device")


def test_a_write_that_fails_half_way_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    import pubsync.files
    target = tmp_path / "_bibliography" / "papers.bib"
    target.parent.mkdir()
    target.write_bytes(b"@misc{old,\n}\n")
    monkeypatch.setattr(pubsync.files, "open", _HalfWrite, raising=False)
    with pytest.raises(ExportWriteError, match="papers.bib: No space left on device; the old file is unchanged"):
        write("bibtex", {"": b"@misc{new,\n  title = {A much longer new file}\n}\n"}, target)
    assert target.read_bytes() == b"@misc{old,\n}\n"
    assert [p.name for p in target.parent.iterdir()] == ["papers.bib"]


def _pages(n: int) -> dict[str, bytes]:
    return {f"2020-01-01-paper-{i:05d}.md": _page(marker=True) + f"number {i}\n".encode() for i in range(n)}


def test_new_pages_are_written_whole_with_the_mode_the_umask_gives(tmp_path):
    files = _pages(30)
    folder = tmp_path / "_publications"
    old_umask = os.umask(0o027)
    try:
        result = write("academicpages", files, folder)
    finally:
        os.umask(old_umask)
    assert result == [(str(folder / name), "written") for name in sorted(files)]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files     # every page whole, no temp file left
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o640}
    assert write("academicpages", files, folder) == [(str(folder / name), "unchanged") for name in sorted(files)]


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "papers.bib"
    target.write_bytes(b"old")
    target.chmod(0o600)
    assert write_atomic(target, b"new") is True
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o600
