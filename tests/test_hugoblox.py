"""Hugo Blox page bundles: the front matter Hugo Blox reads, a cite.bib per work, stale bundles pubsync wrote removed
and every other file left alone, and a real Hugo build of the bundles (tests/sites/hugo-blox: Hugo Blox's
publication template reduced to the fields it prints)."""
import json
import shutil
import subprocess
from pathlib import Path

import pybtex.database
import pytest
import yaml

from pubsync.export import ExportContext, ExportError, render, write
from pubsync.records import Work
from pubsync.settings import Person
from tests.conftest import need_tool

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
BERT = "psychoceramics-of-bert-a-study-of-cracked-pots"


def profile() -> tuple[list[Person], list[Work]]:
    data = json.loads((GOLDEN / "profile.json").read_text(encoding="utf-8"))
    hostile = json.loads((GOLDEN / "hostile.json").read_text(encoding="utf-8"))
    return [Person(**p) for p in data["people"]], [Work.from_dict(w) for w in data["works"] + hostile["works"]]


def ctx(people, **options) -> ExportContext:
    return ExportContext(people=people, site_kind="hugo", options=options, data_date="2026-03-01")


def front_matter(data: bytes) -> dict:
    text = data.decode("utf-8")
    assert text.startswith("---\n") and text.endswith("---\n")
    return yaml.safe_load(text[4:-4])


def test_front_matter_and_cite_bib_of_a_work():
    people, works = profile()
    files = render("hugoblox", works, ctx(people, author_pages={"Josiah Carberry": "admin"}))
    assert len(files) == 2 * len(works)
    fm = front_matter(files[f"{BERT}/index.md"])
    # profile.json, read by hand: carberry2021psychoceramics
    assert fm == {
        "title": "Psychoceramics of BERT: A Study of Cracked Pots",
        "authors": ["admin", "Maria Carberry", "Ann Müller"],
        "author_notes": ["Equal contribution", "", "Equal contribution"],
        "date": "2021-05-03T00:00:00Z",
        "publication_types": ["article-journal"],
        "publication": "Journal of Psychoceramics",
        "publication_short": "JPC",
        "abstract": "We study 100% cracked pots &amp; more.",
        "doi": "10.5555/12345678",
        "featured": True,
        "url_pdf": "carberry2021.pdf",
        "url_code": "https://github.com/jcarberry/pots",
        "hugoblox": {"ids": {"doi": "10.5555/12345678"}},
        "generated_by": "pubsync",
    }
    bib = pybtex.database.parse_string(files[f"{BERT}/cite.bib"].decode(), "bibtex")
    [(key, entry)] = bib.entries.items()
    assert key == "carberry2021psychoceramics" and entry.fields["doi"] == "10.5555/12345678"
    assert "google_scholar_id" not in entry.fields and "selected" not in entry.fields   # al-folio's fields stay out


def test_author_pages_must_name_a_page():
    people, works = profile()
    with pytest.raises(ExportError, match=r"author_pages maps 'Josiah Carberry' to 3"):
        render("hugoblox", works, ctx(people, author_pages={"Josiah Carberry": 3}))


def test_stale_bundles_removed_other_files_untouched(tmp_path):
    people, works = profile()
    target = tmp_path / "content" / "publication"
    mine = target / "my-own-paper"
    mine.mkdir(parents=True)
    (mine / "index.md").write_text("---\ntitle: Mine\n---\n")
    write("hugoblox", render("hugoblox", works, ctx(people)), target)
    (target / BERT / "featured.png").write_bytes(b"\x89PNG")
    remaining = [w for w in works if w.key != "carberry2021psychoceramics"]
    report = dict(write("hugoblox", render("hugoblox", remaining, ctx(people)), target))
    assert report[str(target / BERT / "index.md")] == "removed" and report[str(target / BERT / "cite.bib")] == "removed"
    assert sorted(p.name for p in (target / BERT).iterdir()) == ["featured.png"]
    assert (mine / "index.md").read_text() == "---\ntitle: Mine\n---\n"
    # a bundle pubsync did not write, where pubsync would write one: refused, nothing written
    (target / BERT / "index.md").write_text("---\ntitle: Hand-made\n---\n")
    with pytest.raises(ExportError, match="did not write"):
        write("hugoblox", render("hugoblox", works, ctx(people)), target)
    assert (target / BERT / "index.md").read_text() == "---\ntitle: Hand-made\n---\n"


def test_hugo_builds_the_bundles(tmp_path):
    hugo = need_tool("hugo", install="apt-get install -y --no-install-recommends hugo")
    site = tmp_path / "site"
    shutil.copytree(HERE / "sites" / "hugo-blox", site)
    people, works = profile()
    write("hugoblox", render("hugoblox", works, ctx(people, author_pages={"Josiah Carberry": "admin"})),
          site / "content" / "publication")
    result = subprocess.run([hugo, "--quiet", "--source", str(site), "--destination", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out" / "publication"
    pages = sorted(p.parent.name for p in out.glob("*/index.html"))
    assert len(pages) == len(works)
    page = (out / BERT / "index.html").read_text(encoding="utf-8")
    assert '<h1 class="title">Psychoceramics of BERT: A Study of Cracked Pots</h1>' in page
    assert '<a class="author-page" href="/authors/admin/">Josiah Carberry</a>, <span>Maria Carberry</span>' in page
    assert '<a class="btn cite" href="/publication/' + BERT + '/cite.bib">Cite</a>' in page
    assert '<div class="abstract">We study 100% cracked pots &amp; more.</div>' in page
    assert (out / BERT / "cite.bib").read_bytes().startswith(b"@article{carberry2021psychoceramics,")
    every_page = "".join(p.read_text(encoding="utf-8") for p in out.glob("*/index.html"))
    assert "<script" not in every_page and "onerror" not in every_page and "javascript:" not in every_page
    assert "SITE-TITLE-MARKER" not in every_page


@pytest.mark.parametrize("folder", ["content/publication", "content/publications"])
def test_init_on_a_hugo_blox_site_exports_bundles_into_its_folder(tmp_path, folder):
    from pubsync.config import load_config
    from tests.clihelp import run
    (tmp_path / "hugo.toml").write_text("baseURL = 'https://example.org/'\n")
    (tmp_path / folder / "my-paper").mkdir(parents=True)
    proc = run("init", "--orcid", "0000-0002-1825-0097", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Hugo Blox page bundles" in proc.stderr
    cfg = load_config(tmp_path / "config.toml", env={})
    assert cfg.site_kind == "hugo" and cfg.formats == ["hugoblox"]
    assert cfg.export_options["hugoblox"]["path"] == folder
