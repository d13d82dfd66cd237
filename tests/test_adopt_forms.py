"""`pubsync adopt` on the other forms the seed sites keep their list in (../shared/realdata/sites): academicpages
pages (xinghua-qu), a Markdown list in a page (yifei-he), an HTML list (DylanZSZ), a YAML data list (63days).
Each: adopt, export in the same form, and every entry comes back with the values its owner wrote (read by hand).
"""
import shutil
import subprocess

import pytest
import yaml

from tests.clihelp import run
from tests.conftest import REPO, need_tool

SITES = "sites"


def _site(realdata, tmp_path, name, config):
    root = tmp_path / "site"
    shutil.copytree(realdata / SITES / name, root)
    (root / "config.toml").write_text(config)
    return root


def _ok(proc):
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def _front_matter(path):
    text = path.read_text(encoding="utf-8")
    head, body = text.split("---\n", 2)[1:]
    return yaml.safe_load(head), body


# xinghua-qu's three real papers in template-named files (read by hand from each file's front matter).
QU_PAGES = {
    "2009-10-01-paper-title-number-1.md": {
        "title": "Minimalistic Attacks: How Little it Takes to Fool a Deep Reinforcement Learning Policy",
        "permalink": "/publication/2009-10-01-paper-title-number-1", "date": "2020-02-19",
        "venue": "IEEE Transactions on Cognitive and Developmental Systems",
        "paperurl": "https://ieeexplore.ieee.org/abstract/document/9003391"},
    "2010-10-01-paper-title-number-2.md": {
        "title": "Adversary Agnostic Robust Deep Reinforcement Learning",
        "permalink": "/publication/2010-10-01-paper-title-number-2", "date": "2021-12-22",
        "venue": "IEEE Transactions on Neural Networks and Learning Systems",
        "paperurl": "https://ieeexplore.ieee.org/document/9660371"},
    "2015-10-01-paper-title-number-3.md": {
        "title": "Frame-Correlation Transfers Trigger Economical Attacks on Deep Reinforcement Learning Policies",
        "permalink": "/publication/2015-10-01-paper-title-number-3", "date": "2021-01-08",
        "venue": "IEEE Transactions on Cybernetics",
        "paperurl": "https://ieeexplore.ieee.org/document/9660371"},       # the same URL as number 2, as written
}


@pytest.fixture
def qu(realdata, tmp_path):
    return _site(realdata, tmp_path, "xinghua-qu__xinghua-qu.github.io",
                 '[site]\nkind = "academicpages"\n\n[[people]]\nname = "Xinghua Qu"\n')


def test_academicpages_pages_come_back_under_their_names_with_every_key(qu):
    originals = {name: _front_matter(qu / "_publications" / name)[0] for name in QU_PAGES}
    adopted = _ok(run("adopt", cwd=qu))
    assert "adopted 3 pages from _publications/ (academicpages)" in adopted.stdout
    assert "skipped _pages/publications.md" in adopted.stderr        # the stock collection loop: no list in it
    _ok(run("export", "--format", "academicpages", cwd=qu))
    assert sorted(p.name for p in (qu / "_publications").iterdir()) == sorted(QU_PAGES)   # no page added or renamed
    for name, expected in QU_PAGES.items():
        fm, _ = _front_matter(qu / "_publications" / name)
        for key, value in expected.items():
            assert str(fm[key]) == value, (name, key, fm[key])
        for key, value in originals[name].items():                # every key the owner wrote, same value
            assert fm[key] == value, (name, key)
        assert fm["generated_by"] == "pubsync"
    again = _ok(run("adopt", cwd=qu))                               # re-adopting pubsync's copy changes nothing
    assert "site: 0 new, 0 changed, 3 unchanged, 0 removed" in again.stdout


def test_jekyll_still_renders_every_adopted_page(qu, tmp_path):
    jekyll = need_tool("jekyll", install="apt-get install -y --no-install-recommends jekyll")
    _ok(run("adopt", cwd=qu))
    _ok(run("export", "--format", "academicpages", cwd=qu))
    site = tmp_path / "jekyll"
    shutil.copytree(REPO / "tests" / "sites" / "jekyll-academicpages", site)
    shutil.copytree(qu / "_publications", site / "_publications")
    built = subprocess.run([jekyll, "build", "--quiet", "--safe", "-s", str(site), "-d", str(tmp_path / "out")],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert index.count('<li class="pub">') == 3
    for page in QU_PAGES.values():
        assert page["title"] in index and page["venue"] in index and page["date"] in index
        assert (tmp_path / "out" / page["permalink"].strip("/") / "index.html").is_file() or \
            (tmp_path / "out" / (page["permalink"].strip("/") + ".html")).is_file()


def test_markdown_list_is_adopted_with_links_marks_and_venues(realdata, tmp_path):
    root = _site(realdata, tmp_path, "yifei-he__yifei-he.github.io",
                 '[site]\nkind = "academicpages"\n\n[[people]]\nname = "Yifei He"\n\n[export]\n'
                 'formats = ["markdown"]\n\n[export.markdown]\n'
                 'link_order = ["html", "doi", "arxiv", "pdf", "url", "website", "code"]\norder = "site"\n')
    page = root / "_pages" / "publications.md"
    text = page.read_text(encoding="utf-8")                        # the owner marks where pubsync may write
    page.write_text(text.replace("(* indicates equal contribution)\n",
                                 "(* indicates equal contribution)\n<!-- pubsync:start -->\n") +
                    "\n<!-- pubsync:end -->\n", encoding="utf-8")
    adopted = _ok(run("adopt", cwd=root))
    assert "adopted 14 entries from _pages/publications.md (markdown)" in adopted.stdout
    # the template leftover in _publications/ is not rendered on this site (its loop is commented out)
    assert "skipped _publications/2009-10-01-paper-title-number-1.md: not shown on the site" in adopted.stderr
    _ok(run("export", "--format", "markdown", cwd=root))
    block = page.read_text(encoding="utf-8").split("<!-- pubsync:start -->")[1].split("<!-- pubsync:end -->")[0]
    assert block.count("\n* [") == 14
    titles = [line.split("](")[0].removeprefix("* [") for line in block.splitlines() if line.startswith("* [")]
    assert titles[:5] == [                                          # the owner's order (order = "site"), by hand
        "WebSTAR: Scalable Data Synthesis for Computer Use Agents with Step-Level Filtering",
        "MergeBench: A Benchmark for Merging Domain-Specialized LLMs",
        "Efficiently Editing Mixture-of-Experts Models with Compressed Experts",
        "Scaling Laws for Multilingual Language Models",
        "Efficient Model Editing with Task Vector Bases: A Theoretical Framework and Scalable Approach"]
    assert titles[-1] == "Conformer-RL: A Deep Reinforcement Learning Library for Conformer Generation"
    # read by hand from the page: title link, extra links, bold owner with equal-contribution marks, venue text
    assert "[WebSTAR: Scalable Data Synthesis for Computer Use Agents with Step-Level Filtering]" \
           "(https://arxiv.org/abs/2512.10962)" in block
    assert "[website](https://yifei-he.github.io/webstar-website/)" in block
    assert "[code](https://github.com/yifei-he/CUAStepFiltering)" in block
    assert "**Yifei He\\***, Pranit Chawla\\*, Yaser Souri, Subhojit Som, Xia Song" in block
    assert "*TMLR (J2C Certification)*" in block
    assert "Samuele Poppi, Zheng-Xin Yong, **Yifei He**, Bobbie Chern, Han Zhao, Aobo Yang, Jianfeng Chi" in block
    assert "[Conformer-RL: A Deep Reinforcement Learning Library for Conformer Generation]" \
           "(https://onlinelibrary.wiley.com/doi/pdf/10.1002/jcc.26984)" in block
    assert "*Journal of Computational Chemistry*" in block
    head = page.read_text(encoding="utf-8").split("<!-- pubsync:start -->")[0]
    assert head == text.split("(* indicates equal contribution)\n")[0] + "(* indicates equal contribution)\n"


def test_a_hand_kept_page_list_says_how_to_let_pubsync_keep_it(realdata, tmp_path):
    root = _site(realdata, tmp_path, "yifei-he__yifei-he.github.io",
                 '[site]\nkind = "academicpages"\n\n[[people]]\nname = "Yifei He"\n')
    adopted = _ok(run("adopt", cwd=root))
    assert ("note: your list is kept by hand in _pages/publications.md: to have pubsync keep it, put "
            "<!-- pubsync:start --> and <!-- pubsync:end --> around it") in adopted.stderr
    (root / "config.toml").write_text('[site]\nkind = "academicpages"\n\n[[people]]\nname = "Yifei He"\n\n'
                                      '[export]\nformats = ["markdown"]\n\n[export.markdown]\n'
                                      'path = "_pages/publications.md"\n')
    assert "note: your list is kept by hand" not in _ok(run("adopt", cwd=root)).stderr


def test_html_list_entries_are_read_with_the_owner_and_badges(realdata, tmp_path):
    root = _site(realdata, tmp_path, "DylanZSZ__dylanzsz.github.io",
                 '[site]\nkind = "plain"\n\n[[people]]\nname = "Dylan Zhang"\n')
    adopted = _ok(run("adopt", "index.publications-excerpt.html", cwd=root))
    assert "adopted 12 entries from index.publications-excerpt.html (html)" in adopted.stdout
    out = _ok(run("export", "--format", "papers-yml", "--out", "-", cwd=root)).stdout
    papers = {p["title"]: p for p in yaml.safe_load(out)}
    assert len(papers) == 12
    good = papers["Good SFT Optimizes for SFT, Better SFT Prepares for Reinforcement Learning"]
    assert good["venue"] == "ICML 2026" and good["year"] == 2026
    assert good["ids"]["arxiv"] == "2602.01058"
    causalab = papers["CausaLab: A Scalable Environment for Interactive Causal Discovery Toward AI Scientists"]
    assert causalab["authors"].startswith("Junlin Yang\\*, **Dylan Zhang\\***, Xiangchen Song")
    assert causalab["extra"]["links"] == {"Interactive write-up ↗": "/causalab/"}
    grape = papers["GRAPE"]                                        # "Dylan Zhang, et al.": the list is cut short
    assert grape["venue"] == "NeurIPS 2025 · Spotlight"
    assert "Pre-training Co-evolutionary Protein Representation via a Pairwise Masked Language Model" in papers


def test_yaml_data_list_keeps_every_key_of_the_owner(realdata, tmp_path):
    root = _site(realdata, tmp_path, "63days__63days.github.io",
                 '[site]\nkind = "yaml"\n\n[[people]]\nname = "Juil Koo"\n')
    adopted = _ok(run("adopt", cwd=root))
    assert "adopted 12 entries from _data/publications.yml (data)" in adopted.stdout
    out = _ok(run("export", "--format", "papers-yml", "--out", "-", cwd=root)).stdout
    papers = {p["title"]: p for p in yaml.safe_load(out)}
    assert len(papers) == 12
    dfp = papers["Drifting Field Policy: A One-Step Generative Policy via Wasserstein Gradient Flow"]
    assert dfp["venue"] == "arXiv 2026" and dfp["selected"] is True
    assert dfp["ids"]["arxiv"] == "2605.07727"
    # the owner's own keys, under their own names (read by hand from _data/publications.yml)
    assert dfp["extra"]["project"] == "https://driftingpolicy.github.io/"
    assert dfp["extra"]["thumbnail"] == "assets/images/dfp_thumbnail.png"
    assert dfp["extra"]["arXiv"] == "https://arxiv.org/abs/2605.07727"
    assert dfp["extra"]["key"] == "dfp"
    warping = papers["Token Warping Helps MLLMs Look from Nearby Viewpoints"]
    assert warping["venue"] == "CVPR 2026" and warping["selected"] is False
    assert warping["extra"]["authors_note"] == "* co-first author"
    assert warping["authors"].startswith("Phillip Y. Lee\\*, Chanho Park\\*, Mingue Park")


@pytest.mark.parametrize("name, path, kept", [
    ("63days__63days.github.io", "_data/publications.yml", 12),        # a flat list of items
    ("0xdkay__0xdkay.github.io", "_data/publications.yml", 24),        # grouped: - year: … / papers: [...]
    ("Newbeeer__newbeeer.github.io", "_data/papers.yml", 24),          # under one key: papers: [...], `selected: yes`
])
def test_data_list_written_back_in_the_sites_own_schema(realdata, tmp_path, name, path, kept):
    root = _site(realdata, tmp_path, name, f'[site]\nkind = "yaml"\n\n[[people]]\nname = "Owner"\n\n'
                                           f'[export]\nformats = ["site-data"]\n\n[export.site-data]\npath = "{path}"\n')
    original = yaml.safe_load((realdata / SITES / name / path).read_text(encoding="utf-8"))   # as Jekyll reads it
    adopted = _ok(run("adopt", path, cwd=root))
    assert f"adopted {kept} entries from {path} (data)" in adopted.stdout
    _ok(run("export", "--format", "site-data", cwd=root))
    assert yaml.safe_load((root / path).read_text(encoding="utf-8")) == original     # every item, key and value
    assert _ok(run("diff", cwd=root)).stdout == "exports are up to date\n"          # and stable


def test_a_new_work_joins_a_data_list_in_its_shape(realdata, tmp_path):
    root = _site(realdata, tmp_path, "63days__63days.github.io",
                 '[site]\nkind = "yaml"\n\n[[people]]\nname = "Juil Koo"\n\n[[people]]\nname = "Jeroen Van Goey"\n\n'
                 '[export]\nformats = ["site-data"]\n\n[export.site-data]\npath = "_data/publications.yml"\n')
    _ok(run("adopt", cwd=root))
    _ok(run("import", "bibtex", str(realdata / "sites/BioGeek__biogeek.github.io/publications.bib"),
            "--profile", "jeroen-van-goey", cwd=root))
    _ok(run("export", "--format", "site-data", cwd=root))
    items = yaml.safe_load((root / "_data/publications.yml").read_text(encoding="utf-8"))
    assert len(items) == 12 + 8                      # the site's 12, then BioGeek's 8 (read by hand)
    new = next(i for i in items if i["title"] == "Open-source and FAIR research software for proteomics")
    assert new["venue"] == "Journal of Proteome Research" and new["year"] == 2025
    assert new["authors"][:2] == [{"name": "Yasset Perez-Riverol"}, {"name": "Wout Bittremieux"}]   # the file's shape
    assert new["url"] == "https://doi.org/10.1021/acs.jproteome.4c01079"
    site_items = [i for i in items if "key" in i]
    assert [i["key"] for i in site_items][:2] == ["dfp", "token-warping"]       # the owner's order kept


def test_a_home_page_gives_only_its_publications_section(realdata, tmp_path):
    """DylanZSZ's publications block inside a whole home page (menus and news are lists too, but not papers)."""
    root = tmp_path / "site"
    root.mkdir()
    excerpt = (realdata / SITES / "DylanZSZ__dylanzsz.github.io/index.publications-excerpt.html").read_text("utf-8")
    (root / "index.html").write_text(
        '<html><body><nav><ul><li><a href="/">Home</a></li><li><a href="/cv.pdf">Curriculum vitae and teaching '
        'materials</a></li></ul></nav>\n<section id="news"><ul><li><b>2026-05:</b> <a href="/x">Two papers accepted '
        'at ICML 2026</a></li></ul></section>\n' + excerpt + '\n<footer><ul><li>© Dylan Zhang, all rights '
        'reserved</li></ul></footer></body></html>\n', encoding="utf-8")
    (root / "config.toml").write_text('[site]\nkind = "plain"\n\n[[people]]\nname = "Dylan Zhang"\n')
    adopted = _ok(run("adopt", cwd=root))
    assert "adopted 12 entries from index.html (html)" in adopted.stdout
