"""Lab mode end to end: several people in one config, one deduplicated list for the lab with every member marked by
identifier (never by surname), per-person exports, active years, each source fetched once per person."""
import json

import yaml

from tests.clihelp import run
from tests.replay import ReplayServer

ALICE = ("Alice Smith", "0000-0002-1825-0097", "A5000000001")
BOB = ("Bob Jones", "0000-0001-5109-3700", "A5000000002")
CAROL = ("Carol Smith", "0000-0003-1415-9269", "A5000000003")   # same surname as Alice, not in the lab


def work(wid, title, year, authors, doi):
    return {
        "id": f"https://openalex.org/{wid}", "doi": f"https://doi.org/{doi}", "title": title, "display_name": title,
        "publication_year": year, "publication_date": f"{year}-03-01", "type": "article",
        "ids": {"openalex": f"https://openalex.org/{wid}", "doi": f"https://doi.org/{doi}"},
        "primary_location": {"source": {"display_name": "Journal of Lab Studies", "type": "journal"}},
        "authorships": [{"author_position": "first" if i == 0 else "middle",
                         "author": {"id": f"https://openalex.org/{aid}", "display_name": name,
                                    "orcid": f"https://orcid.org/{orcid}"},
                         "raw_author_name": name} for i, (name, orcid, aid) in enumerate(authors)],
        "cited_by_count": 3, "counts_by_year": [], "abstract_inverted_index": None, "updated_date": "2025-01-01",
    }


SHARED = work("W1", "Joint Work on Crossed Wires", 2021, [ALICE, BOB], "10.5555/joint")
ALICE_ONLY = work("W2", "Alice and Carol on Cracked Pots", 2019, [ALICE, CAROL], "10.5555/alice")
BOB_EARLY = work("W3", "Bob Before the Lab", 2010, [BOB], "10.5555/bob-early")
CAROL_ONLY = work("W4", "Carol Alone", 2020, [CAROL], "10.5555/carol")

CONFIG = f"""
[site]
kind = "yaml"

[[people]]
name = "{ALICE[0]}"
openalex = "{ALICE[2]}"

[[people]]
name = "{BOB[0]}"
openalex = "{BOB[2]}"
years = [2015, 2030]

[sources.orcid]
enabled = false

[export]
formats = ["papers-yml"]

[export.papers-yml]
path = "lab.yml"
per_person = "people/{{person}}.yml"
"""


def listing(path, query):
    author = query.get("filter", "").split("author.id:")[-1].split(",")[0]
    results = {ALICE[2]: [SHARED, ALICE_ONLY], BOB[2]: [SHARED, BOB_EARLY]}.get(author, [CAROL_ONLY])
    return 200, {"Content-Type": "application/json"}, {"meta": {"count": len(results), "next_cursor": None},
                                                       "results": results}


def test_lab_list_dedups_marks_members_by_id_and_writes_per_person(tmp_path):
    (tmp_path / "config.toml").write_text(CONFIG)
    with ReplayServer() as server:
        server.route("/works", listing)
        env = {f"PUBSYNC_{s.upper()}_URL": server.url for s in ("orcid", "openalex", "arxiv", "scholar", "crossref")}
        proc = run("sync", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        listings = [q["filter"] for p, q in server.requests if p == "/works"]
    assert sorted(f.split("author.id:")[1].split(",")[0] for f in listings) == [ALICE[2], BOB[2]]   # once per person

    lab = yaml.safe_load((tmp_path / "lab.yml").read_text())
    titles = [item["title"] for item in lab]
    assert sorted(titles) == ["Alice and Carol on Cracked Pots", "Joint Work on Crossed Wires"]  # once; 2010 is pre-lab
    joint = next(i for i in lab if i["title"] == "Joint Work on Crossed Wires")
    assert [a.get("x-self", False) for a in joint["author"]] == [True, True]       # both members marked
    assert "**Alice Smith**" in joint["authors"] and "**Bob Jones**" in joint["authors"]
    pots = next(i for i in lab if i["title"] == "Alice and Carol on Cracked Pots")
    assert [a.get("x-self", False) for a in pots["author"]] == [True, False]       # Carol Smith shares only a surname
    assert "**Carol Smith**" not in pots["authors"]

    bob = yaml.safe_load((tmp_path / "people/bob-jones.yml").read_text())
    assert sorted(i["title"] for i in bob) == ["Bob Before the Lab", "Joint Work on Crossed Wires"]
    alice = yaml.safe_load((tmp_path / "people/alice-smith.yml").read_text())
    assert sorted(i["title"] for i in alice) == ["Alice and Carol on Cracked Pots", "Joint Work on Crossed Wires"]

    status = json.loads(run("status", "--json", cwd=tmp_path, env=env).stdout)
    assert status["works"] == 3


def test_a_second_sync_writes_the_same_bytes_and_leaves_every_file_alone(tmp_path):
    """The lab list and the per-person files are the same bytes on every sync of the same data; unchanged files are
    not rewritten (their mtime stays), and a deleted one comes back byte for byte."""
    (tmp_path / "config.toml").write_text(CONFIG)
    outputs = ["lab.yml", "people/alice-smith.yml", "people/bob-jones.yml"]
    with ReplayServer() as server:
        server.route("/works", listing)
        env = {f"PUBSYNC_{s.upper()}_URL": server.url for s in ("orcid", "openalex", "arxiv", "scholar", "crossref")}
        assert run("sync", cwd=tmp_path, env=env).returncode == 0
        first = {name: (tmp_path / name).read_bytes() for name in outputs}
        mtimes = {name: (tmp_path / name).stat().st_mtime_ns for name in outputs}
        (tmp_path / outputs[1]).unlink()
        assert run("sync", cwd=tmp_path, env=env).returncode == 0
        assert {name: (tmp_path / name).read_bytes() for name in outputs} == first
        assert {name: (tmp_path / name).stat().st_mtime_ns for name in outputs if name != outputs[1]} == \
            {name: mtime for name, mtime in mtimes.items() if name != outputs[1]}


# Active years are inclusive: Alice (years = [2019, 2024]) shows from her first year to her last; Bob owns none of
# her solo works, so those outside the span are left off the lab list (but stay on Alice's own page).
ALICE_2018 = work("W11", "Alice Before She Joined", 2018, [ALICE], "10.5555/alice-2018")
ALICE_2019 = work("W12", "Alice in Her First Lab Year", 2019, [ALICE], "10.5555/alice-2019")
ALICE_2024 = work("W13", "Alice in Her Last Lab Year", 2024, [ALICE], "10.5555/alice-2024")
ALICE_2025 = work("W14", "Alice After She Left", 2025, [ALICE], "10.5555/alice-2025")
JOINT_2025 = work("W15", "Alice and Bob After She Left", 2025, [ALICE, BOB], "10.5555/joint-2025")

YEARS_CONFIG = CONFIG.replace(f'openalex = "{ALICE[2]}"\n', f'openalex = "{ALICE[2]}"\nyears = [2019, 2024]\n', 1)


def years_listing(path, query):
    author = query.get("filter", "").split("author.id:")[-1].split(",")[0]
    results = {ALICE[2]: [ALICE_2018, ALICE_2019, ALICE_2024, ALICE_2025, JOINT_2025],
               BOB[2]: [JOINT_2025]}.get(author, [])
    return 200, {"Content-Type": "application/json"}, {"meta": {"count": len(results), "next_cursor": None},
                                                       "results": results}


def test_a_members_first_and_last_active_years_are_in_the_lab_list(tmp_path):
    assert "years = [2019, 2024]" in YEARS_CONFIG
    (tmp_path / "config.toml").write_text(YEARS_CONFIG)
    with ReplayServer() as server:
        server.route("/works", years_listing)
        env = {f"PUBSYNC_{s.upper()}_URL": server.url for s in ("orcid", "openalex", "arxiv", "scholar", "crossref")}
        proc = run("sync", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr

    lab = yaml.safe_load((tmp_path / "lab.yml").read_text())
    assert sorted((i["year"], i["title"]) for i in lab) == [
        (2019, "Alice in Her First Lab Year"),
        (2024, "Alice in Her Last Lab Year"),
        (2025, "Alice and Bob After She Left"),          # Bob (2015-2030) owns it too
    ]
    alice = yaml.safe_load((tmp_path / "people/alice-smith.yml").read_text())
    assert sorted(i["year"] for i in alice) == [2018, 2019, 2024, 2025, 2025]
