"""The curation file: parsed strictly, applied by ref, and decisions appended without losing the user's comments."""
import pytest

from pubsync.curation import Curation, Decision, append_decision, apply_curation, load_curation, ref_matches
from pubsync.errors import ConfigError
from pubsync.records import Record, Work

TEXT = '''# my curation
[works."carberry2021psycho"]
selected = true
abbr = "ICML"
pin = { title = "Psychoceramics, corrected" }

[works."DOI:https://doi.org/10.5555/ABC"]
hide = true

[works."arxiv:1707.08567v2"]
not_mine = true

[[same]]
works = ["doi:10.1/a", "arxiv:2101.00001", "orcid:77"]
'''


def test_load_and_apply(tmp_path):
    path = tmp_path / "curation.toml"
    path.write_text(TEXT)
    cur = load_curation(path)
    assert cur.decisions == [Decision("same", "doi:10.1/a", "arxiv:2101.00001"), Decision("same", "doi:10.1/a", "orcid:77")]
    works = [
        Work(key="carberry2021psycho", title="Psychoceramics", provenance={"title": "orcid:1"}),
        Work(key="x2020", ids={"doi": "10.5555/abc"}),
        Work(key="y2017", ids={"arxiv": "1707.08567"}),
        Work(key="z2019", ids={"doi": "10.9/other"}),
    ]
    hidden = apply_curation(works, cur)
    assert hidden == {"x2020", "y2017"}
    assert works[0].title == "Psychoceramics, corrected"
    assert works[0].provenance["title"] == "curation:carberry2021psycho"
    assert works[0].extra == {"selected": True, "abbr": "ICML"}
    assert works[3].extra == {}


def test_missing_file_is_empty(tmp_path):
    assert load_curation(tmp_path / "nope.toml") == Curation()


@pytest.mark.parametrize("text, needle", [
    ('[works."k"]\nhide = "yes"\n', "hide must be true or false"),
    ('[[same]]\nworks = ["only-one"]\n', "needs works"),
    ('[wroks."k"]\n', "unknown table"),
    ('[works."k"\n', "malformed curation file"),
])
def test_bad_curation_file(tmp_path, text, needle):
    path = tmp_path / "curation.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=needle):
        load_curation(path)


def test_append_decision_keeps_comments(tmp_path):
    path = tmp_path / "curation.toml"
    path.write_text(TEXT)
    append_decision(path, "different", [["doi:10.1/a"], ["doi:10.1/b"]])
    text = path.read_text()
    assert text.startswith("# my curation\n")
    cur = load_curation(path)
    assert Decision("different", "doi:10.1/a", "doi:10.1/b") in cur.decisions
    assert cur.works["carberry2021psycho"].extra["abbr"] == "ICML"


def test_ref_matches():
    rec = Record(source="orcid", source_id="77", ids={"doi": "10.1/a"})
    assert ref_matches("orcid:77", rec) and ref_matches("doi:10.1/A", rec)
    assert not ref_matches("doi:10.1/b", rec) and not ref_matches("arxiv:10.1/a", rec)


def test_whole_work_decisions_and_the_newest_wins(tmp_path):
    path = tmp_path / "curation.toml"
    append_decision(path, "same", [["orcid:1", "orcid:2"], ["openalex:W9"]])
    cur = load_curation(path)
    assert cur.decisions == [Decision("same", "orcid:1", "orcid:2"), Decision("same", "orcid:1", "openalex:W9")]
    append_decision(path, "different", [["orcid:1", "orcid:2"], ["openalex:W9"]])
    cur = load_curation(path)
    assert "[[same]]" not in path.read_text()                   # superseded by the newer opposite decision
    assert sorted(cur.decisions, key=repr) == [Decision("different", "orcid:1", "openalex:W9"),
                                     Decision("different", "orcid:2", "openalex:W9")]
    append_decision(path, "same", [["doi:10.1/x"], ["doi:10.1/y"]])   # unrelated works: the split stays
    assert len(load_curation(path).decisions) == 3
