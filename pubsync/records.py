"""The normalized record every source translates into, the merged work, and identifier canonicalisation.

Knows nothing of SQLite or of any service's format.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

# pubsync's own work-type vocabulary; exporters map it to BibTeX / CSL / site types. The last group are not
# publications a site lists by default (peer-review: a review of someone else's manuscript; supplementary: material
# deposited for an article; paratext: tables of contents, front and back matter, issues).
WORK_TYPES = (
    "journal-article", "conference-paper", "preprint", "book-chapter", "book", "thesis",
    "report", "dataset", "software", "review", "editorial", "other",
    "peer-review", "erratum", "retraction", "supplementary", "paratext",
)

# Links merge adds between two works of one paper kept apart: a conference paper and its journal extension, an
# extended abstract, poster or demo and the full paper.
RELATED_LINKS = ("earlier_version", "extended_version", "short_version", "full_version")


@dataclass
class Author:
    name: str                      # as the source shows it ("PGR De Almeida", "Carberry, Josiah")
    family: str = ""
    given: str = ""
    orcid: str = ""                # bare iD, 0000-0002-1825-0097
    openalex: str = ""             # bare author id, A5003721947
    printed: str = ""              # the name as printed on the work, where the source shows its own cleaned-up one
    affiliations: list[str] = field(default_factory=list)   # as printed on the work, and institution names
    dblp: str = ""                 # DBLP person id, 62/2078 (the person DBLP disambiguated, e.g. "Bo An 0001")

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in ((f, getattr(self, f)) for f in _AUTHOR_FIELDS) if v}


@dataclass
class Record:
    """One source's view of one work, in canonical form."""
    source: str                    # one of pubsync.sources.NAMES
    source_id: str                 # unique within the source: ORCID put-code, W-id, arXiv id, Scholar paper id, DOI
    title: str = ""
    authors: list[Author] = field(default_factory=list)
    authors_complete: bool = True  # False when the source truncates the list (Scholar "…")
    year: int | None = None
    date: str = ""                 # ISO, as precise as known: "2021", "2021-05", "2021-05-03"
    venue: str = ""
    type: str = "other"            # one of WORK_TYPES
    ids: dict[str, str] = field(default_factory=dict)   # canonical ids: doi, arxiv, openalex, pmid, pmcid, scholar, …
    url: str = ""
    abstract: str = ""
    citations: int | None = None   # this source's count, never summed with others
    counts_by_year: dict[int, int] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # pdf, html, … as the source gives them
    published_doi: str = ""        # for a preprint: the DOI of its published version (arXiv's arxiv:doi)
    journal_ref: str = ""          # free-text reference to the published version (arXiv)
    version: str = ""              # arXiv "v2", a deposit's version label
    claimed_by: str = ""           # who asserted it: ORCID summary source name ("Crossref", "Scopus", the person)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.source}:{self.source_id}"

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Record":
        return _from_dict(cls, d)


@dataclass
class Version:
    """One version of a work (a preprint, the published paper, a data-set version), linked to its records."""
    kind: str                      # "published" | "preprint" | "version"
    ids: dict[str, str] = field(default_factory=dict)
    venue: str = ""
    year: int | None = None
    url: str = ""
    records: list[str] = field(default_factory=list)   # Record.ref values


@dataclass
class Work:
    """A merged work: one paper as the site shows it, with where each field came from."""
    key: str                       # stable citation key, also the key users name in curation and `explain`
    title: str = ""
    authors: list[Author] = field(default_factory=list)
    authors_complete: bool = True
    year: int | None = None
    date: str = ""
    venue: str = ""
    type: str = "other"
    ids: dict[str, str] = field(default_factory=dict)
    url: str = ""
    abstract: str = ""
    links: dict[str, str] = field(default_factory=dict)          # arxiv, pdf, code, html, doi, … (curation adds)
    citations: dict[str, int] = field(default_factory=dict)      # per source
    counts_by_year: dict[int, int] = field(default_factory=dict)
    versions: list[Version] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)     # field -> Record.ref (or "curation")
    records: list[str] = field(default_factory=list)             # Record.ref of every merged record
    people: list[str] = field(default_factory=list)              # profile keys of the people it belongs to
    evidence: list[dict[str, Any]] = field(default_factory=list) # why records were merged (matcher output)
    status: str = "ok"             # "ok" | "review" (an uncertain match waits for a decision)
    extra: dict[str, Any] = field(default_factory=dict)          # site extras from curation: selected, abbr, preview, …
    # Whose it is (attribution.py): person key -> {"outcome": "mine" | "ask" | "not-mine", "score", "components",
    # "evidence"}; and why the site leaves it out even if it is theirs ("" when it does not).
    attribution: dict[str, dict[str, Any]] = field(default_factory=dict)
    held: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Work":
        d = dict(d)
        d["versions"] = [Version(**v) for v in d.get("versions", [])]
        return _from_dict(cls, d)


_AUTHOR_FIELDS = tuple(f.name for f in dataclasses.fields(Author))
_FIELDS: dict[type, tuple[str, ...]] = {}


def _to_dict(obj: Record | Work) -> dict[str, Any]:
    """JSON-ready: authors without empty fields, year keys as strings (JSON objects have string keys).
    Shallow on purpose (dataclasses.asdict deep-copies every value, the slowest part of a large merge): the result
    is for serialising, not for mutating."""
    names = _FIELDS.get(type(obj)) or _FIELDS.setdefault(type(obj), tuple(f.name for f in dataclasses.fields(obj)))
    d = {name: getattr(obj, name) for name in names}
    d["authors"] = [a.to_dict() for a in obj.authors]
    d["counts_by_year"] = {str(k): v for k, v in sorted(obj.counts_by_year.items())}
    if "versions" in d:
        d["versions"] = [dict(vars(v)) for v in obj.versions]
    return d


def _from_dict(cls, d: dict[str, Any]):
    d = dict(d)
    d["authors"] = [Author(**a) for a in d.get("authors", [])]
    d["counts_by_year"] = {int(k): v for k, v in d.get("counts_by_year", {}).items()}
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in known})


# ---- identifiers -------------------------------------------------------------------------------

_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/)", re.I)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")


def canonical_doi(value: str | None) -> str:
    """'https://doi.org/10.1042/BSR20181883' → '10.1042/bsr20181883'; '' when it is not a DOI."""
    if not value:
        return ""
    v = value.strip()
    for _ in range(2):
        v = _DOI_PREFIX.sub("", v).strip()
    v = v.rstrip(".,;")
    v = unquote(v).lower()
    return v if _DOI_SHAPE.match(v) else ""


_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", re.I)
_ARXIV_PREFIX = re.compile(r"^(?:arxiv:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.I)


def split_arxiv(value: str | None) -> tuple[str, str]:
    """'arXiv:1707.08567v2' → ('1707.08567', 'v2'); old-style ids keep their archive: 'hep-th/9901001'."""
    if not value:
        return "", ""
    v = _ARXIV_PREFIX.sub("", value.strip())
    v = re.sub(r"\.pdf$", "", v)
    doi = canonical_doi(v) if v.lower().startswith(("10.", "doi", "http")) else ""
    if doi.startswith("10.48550/arxiv."):
        v = doi[len("10.48550/arxiv."):]
    m = _ARXIV_NEW.match(v)
    if m:
        yymm, number = m.group(1).split(".")
        # Since 2015-01 (1501) the number has five digits; before it, four. Months run 01-12.
        if 1 <= int(yymm[2:]) <= 12 and len(number) == (5 if int(yymm) >= 1501 else 4):
            return m.group(1), m.group(2) or ""
        return "", ""
    m = _ARXIV_OLD.match(v)
    if m:
        archive, num = m.group(1).split("/")
        return f"{archive.lower()}/{num}", m.group(2) or ""
    return "", ""


def canonical_arxiv(value: str | None) -> str:
    return split_arxiv(value)[0]


_ORCID_SHAPE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$", re.I)


def orcid_checksum_ok(bare: str) -> bool:
    """ISO 7064 11-2 check digit, as ORCID specifies."""
    digits = bare.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1].upper() == ("X" if check == 10 else str(check))


def canonical_orcid(value: str | None) -> str:
    """'https://orcid.org/0000-0002-1825-0097' → '0000-0002-1825-0097'; '' if malformed or the checksum fails."""
    if not value:
        return ""
    v = re.sub(r"^https?://(?:sandbox\.)?orcid\.org/", "", value.strip(), flags=re.I).strip("/")
    m = _ORCID_SHAPE.match(v)
    if not m:
        return ""
    bare = "-".join(m.groups()).upper()
    return bare if orcid_checksum_ok(bare) else ""


def canonical_openalex(value: str | None, kind: str = "W") -> str:
    """'https://openalex.org/W2741809807' → 'W2741809807' (kind W for works, A for authors)."""
    if not value:
        return ""
    v = re.sub(r"^https?://(?:api\.)?openalex\.org/(?:works/|authors/)?", "", value.strip(), flags=re.I)
    v = v.upper()
    return v if re.fullmatch(rf"{kind}\d+", v) else ""


def canonical_pmid(value: str | None) -> str:
    if not value:
        return ""
    v = re.sub(r"^https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pubmed|pubmed\.ncbi\.nlm\.nih\.gov)/", "", str(value).strip())
    v = v.strip("/")
    return v if v.isdigit() else ""
