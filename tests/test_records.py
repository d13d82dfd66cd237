"""Identifier canonicalisation: the first line of deduplication, so every form seen in the recordings must agree."""
import pytest

from pubsync.records import (Author, Record, Version, Work, canonical_arxiv, canonical_doi, canonical_openalex,
                             canonical_orcid, canonical_pmid, split_arxiv)


@pytest.mark.parametrize("value, expected", [
    ("10.1042/BSR20181883", "10.1042/bsr20181883"),                  # ORCID's case vs Crossref's
    ("https://doi.org/10.1042/bsr20181883", "10.1042/bsr20181883"),
    ("http://dx.doi.org/10.1063/1.4944470", "10.1063/1.4944470"),     # old arXiv doi link
    ("doi:10.7717/peerj.4375", "10.7717/peerj.4375"),
    ("https://doi.org/10.1002/%28SICI%291097", "10.1002/(sici)1097"),
    ("not a doi", ""), ("", ""), (None, ""),
])
def test_canonical_doi(value, expected):
    assert canonical_doi(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("http://arxiv.org/abs/1707.08567v1", ("1707.08567", "v1")),
    ("https://arxiv.org/abs/astro-ph/0601001v1", ("astro-ph/0601001", "v1")),
    ("quant-ph/0201082v1", ("quant-ph/0201082", "v1")),
    ("arXiv:2104.12255", ("2104.12255", "")),
    ("https://doi.org/10.48550/arXiv.2104.12255", ("2104.12255", "")),
    ("https://arxiv.org/pdf/1605.08386v2.pdf", ("1605.08386", "v2")),
    ("abc", ("", "")),
    ("0704.0001", ("0704.0001", "")),
    ("1707.0856", ("", "")), ("1412.12345", ("", "")), ("1713.08567", ("", "")),   # wrong digit count / month
])
def test_split_arxiv(value, expected):
    assert split_arxiv(value) == expected
    assert canonical_arxiv(value) == expected[0]


def test_orcid_checksum():
    assert canonical_orcid("https://orcid.org/0000-0002-1825-0097") == "0000-0002-1825-0097"
    assert canonical_orcid("0000000218250097") == "0000-0002-1825-0097"
    assert canonical_orcid("0000-0002-1694-233x") == "0000-0002-1694-233X"        # X check digit (ORCID's own example)
    assert canonical_orcid("0000-0002-1825-0098") == ""
    assert canonical_orcid("0000-0002-1825") == ""


def test_other_ids():
    assert canonical_openalex("https://openalex.org/W2741809807") == "W2741809807"
    assert canonical_openalex("https://openalex.org/A5023888391", "A") == "A5023888391"
    assert canonical_openalex("A5023888391") == ""                                   # an author id is not a work id
    assert canonical_pmid("https://pubmed.ncbi.nlm.nih.gov/29456894") == "29456894"


def test_json_round_trip():
    rec = Record(source="openalex", source_id="W1", title="T", authors=[Author("A B", "B", "A", orcid="0000-0002-1825-0097")],
                 year=2020, ids={"doi": "10.1/x"}, counts_by_year={2021: 3, 2020: 1})
    assert Record.from_dict(rec.to_dict()) == rec
    work = Work(key="b2020t", title="T", authors=rec.authors, versions=[Version("preprint", {"arxiv": "1707.08567"})],
                counts_by_year={2020: 1}, citations={"openalex": 4})
    assert Work.from_dict(work.to_dict()) == work
