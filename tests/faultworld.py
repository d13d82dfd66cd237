"""A replay "world" for fault tests: one small, realistic profile served by every source over loopback, with
switches that break one source (or all) in each way the fault suite needs.

The payloads are synthetic but shaped like the real recordings in shared/realdata/api: ORCID v3.0 `/works` groups
and the `{"bulk": [...]}` envelope, OpenAlex cursor pages (`meta.next_cursor`, `primary_location.source`), arXiv
Atom feeds (new 2026 layout), and Scholar profile pages (`tr.gsc_a_tr` rows, `#gsc_prf_in`, `#gsc_bpf_more`).

    with FaultWorld() as world:
        env = world.env()                       # PUBSYNC_*_URL pointing at the world
        world.break_source("orcid", "503")      # every ORCID request answers 503 from now on
        world.keep["openalex"] = 1              # OpenAlex lists only its first work (a "shrink")
        world.generation["orcid"] += 1          # ORCID says every work changed (forces bulk look-ups)
"""
from __future__ import annotations

import json
import socket
import zlib
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from tests.replay import ReplayServer, _Answer

ORCID_ID = "0000-0002-1825-0097"          # Josiah Carberry, ORCID's own fictional test person (valid checksum)
OPENALEX_AUTHOR = "A5099999999"
SCHOLAR_USER = "Xq8kZ2cAAAAJ"
ARXIV_QUERY = "au:Carberry_J"
SOURCES = ("orcid", "openalex", "arxiv", "scholar")
PREFIX = {"orcid": "/orcid/v3.0", "openalex": "/openalex", "arxiv": "/arxiv/api", "scholar": "/scholar",
          "crossref": "/crossref"}


@dataclass
class Paper:
    title: str
    year: int
    kind: str                      # ORCID work type
    venue: str
    doi: str = ""
    arxiv: str = ""
    coauthors: list[str] = field(default_factory=list)
    citations: int = 0
    sources: tuple[str, ...] = SOURCES
    put_code: int = 0
    openalex: str = ""
    scholar: str = ""


def default_papers() -> list[Paper]:
    papers = [
        Paper("Toward a Unified Theory of High-Energy Metaphysics: Silly String Theory", 2008, "journal-article",
              "Journal of Psychoceramics", doi="10.5555/12345678", coauthors=["Maria Ramos"], citations=41,
              sources=("orcid", "openalex", "scholar")),
        Paper("The Effect of Cracked Pots on Crossed Wires", 2013, "journal-article", "Journal of Psychoceramics",
              doi="10.5555/cracked.2013", arxiv="1207.01234", coauthors=["Wei Zhang", "Ana Souza"], citations=17),
        Paper("Psychoceramic Methods for Large Language Models", 2021, "conference-paper",
              "Proceedings of the Conference on Cracked Pottery", doi="10.5555/llm.2021", arxiv="2103.04567",
              coauthors=["Priya Natarajan"], citations=9),
        Paper("A Survey of Broken Teapots", 2019, "preprint", "arXiv", arxiv="1905.07654", citations=3,
              sources=("orcid", "openalex", "arxiv", "scholar")),
        Paper("Fractures in Glazed Earthenware: A Dataset", 2020, "data-set", "Zenodo", doi="10.5555/data.2020",
              coauthors=["Tomás Ferreira"], citations=1, sources=("orcid", "openalex")),
        Paper("On the Fragility of Clay Vessels under Load", 2016, "journal-article", "Ceramics Letters",
              doi="10.5555/clay.2016", arxiv="1602.01111", coauthors=["Jane Doe", "John Roe"], citations=28),
    ]
    return number(papers)


def number(papers: list[Paper]) -> list[Paper]:
    for i, p in enumerate(papers):
        p.put_code = p.put_code or 7000 + i
        p.openalex = p.openalex or f"W40{i:08d}"
        p.scholar = p.scholar or f"p{i:02d}AbCdEfGhJ"[:12]
    return papers


def _names(p: Paper) -> list[str]:
    return ["Josiah Carberry", *p.coauthors]


class FaultServer(ReplayServer):
    """A ReplayServer whose answers under a path prefix can be replaced by a fault (status, body or transport)."""

    def __init__(self) -> None:
        self.faults: dict[str, _Answer] = {}
        super().__init__()

    def _answer_for(self, path: str, query: dict[str, str]) -> _Answer:
        for prefix, answer in self.faults.items():
            if path.startswith(prefix):
                return answer
        return super()._answer_for(path, query)


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class _Blackhole:
    """A listening socket that never accepts, its one-slot backlog already taken: new connects hang until timeout."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.fillers = []
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(c)

    def close(self) -> None:
        for c in self.fillers:
            c.close()
        self.sock.close()


HTML_ERROR_PAGE = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>502 Bad Gateway</title></head>"
                   "<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream "
                   "server.<br>Please try again later.</p><hr><address>nginx</address></body></html>\n")
CAPTCHA_PAGE = ("<!DOCTYPE html><html><head><title>https://scholar.google.com/citations</title></head><body>"
                "<div id=\"gs_captcha_ccl\"><h1>Please show you're not a robot</h1><p>Our systems have detected "
                "unusual traffic from your computer network. Please try your request again later.</p>"
                "<form id=\"gs_captcha_f\"><div class=\"g-recaptcha\"></div></form></div></body></html>")
WRONG_SHAPE = {
    "orcid": ({"message": "ok", "items": [{"id": 1}]}, "application/json"),
    "openalex": ([{"id": "https://openalex.org/W1", "title": "not an envelope"}], "application/json"),
    "arxiv": ("<?xml version='1.0' encoding='UTF-8'?><rss version=\"2.0\"><channel><title>arXiv</title>"
              "<item><title>not Atom</title></item></channel></rss>", "application/atom+xml"),
    "scholar": ("<!DOCTYPE html><html><head><title>Google Scholar</title></head><body><div id=\"gs_bdy\">"
                "<p>Welcome to Google Scholar.</p></div></body></html>", "text/html; charset=UTF-8"),
}
CONTENT_TYPE = {"orcid": "application/json;charset=UTF-8", "openalex": "application/json",
                "arxiv": "application/atom+xml; charset=utf-8", "scholar": "text/html; charset=UTF-8"}


class FaultWorld:
    def __init__(self, papers: list[Paper] | None = None) -> None:
        self.papers = papers if papers is not None else default_papers()
        self.generation = {s: 1 for s in SOURCES}
        self.keep: dict[str, int] = {}            # source -> serve only the first N of its papers
        self.orcid_bulk_errors = False
        self.url_override: dict[str, str] = {}
        self._blackhole: _Blackhole | None = None
        self.server = FaultServer()
        self.echo_errors: set[str] = set()        # sources that answer 400 quoting the request URL back
        for source, handler in (("orcid", self._orcid), ("openalex", self._openalex), ("arxiv", self._arxiv),
                                ("scholar", self._scholar)):
            self.server.route(PREFIX[source] + "/", self._echoing(source, handler))

    # ---- lifecycle / configuration ----

    def __enter__(self) -> "FaultWorld":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.server.close()
        if self._blackhole:
            self._blackhole.close()

    @property
    def latency(self) -> float:
        return self.server.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.server.latency = seconds

    def env(self) -> dict[str, str]:
        env = {f"PUBSYNC_{s.upper()}_URL": self.url_override.get(s, self.server.url + PREFIX[s]) for s in PREFIX}
        env["PUBSYNC_ALLOW_FAST_ARXIV"] = "1"
        return env

    def requests_to(self, source: str) -> int:
        return self.server.count(PREFIX[source] + "/")

    def break_source(self, source: str, fault: str) -> None:
        """Make every request to `source` fail in the named way (see tests.test_faults_network.NETWORK_FAULTS)."""
        prefix = PREFIX[source] + "/"
        html = {"Content-Type": "text/html; charset=utf-8"}
        if fault == "refused":
            self.url_override[source] = f"http://127.0.0.1:{_closed_port()}{PREFIX[source]}"
        elif fault == "dns":
            self.url_override[source] = f"http://nonexistent.invalid{PREFIX[source]}"
        elif fault == "connect-timeout":
            self._blackhole = self._blackhole or _Blackhole()
            self.url_override[source] = f"http://127.0.0.1:{self._blackhole.port}{PREFIX[source]}"
        elif fault == "read-timeout":
            self.server.faults[prefix] = _Answer(200, {}, b"", fault="hang")
        elif fault in ("reset", "truncated"):
            body = self._healthy_body(source)
            self.server.faults[prefix] = _Answer(200, {"Content-Type": CONTENT_TYPE[source]}, body,
                                                 fault="reset" if fault == "reset" else "truncate")
        elif fault == "empty-reply":
            self.server.faults[prefix] = _Answer(200, {}, b"", fault="empty")
        elif fault == "empty-body":
            self.server.faults[prefix] = _Answer(200, {"Content-Type": CONTENT_TYPE[source]}, b"")
        elif fault in ("500", "502", "503"):
            self.server.faults[prefix] = _Answer(int(fault), html, HTML_ERROR_PAGE.replace("502 Bad Gateway",
                                                                                            f"{fault} Error").encode())
        elif fault == "429":
            self.server.faults[prefix] = _Answer(429, {"Content-Type": "text/plain"}, b"Rate exceeded.")
        elif fault == "429-retry-after":
            self.server.faults[prefix] = _Answer(429, {"Content-Type": "application/json", "Retry-After": "1"},
                                                 b'{"error": "Too Many Requests", "message": "slow down"}')
        elif fault == "html-200":
            self.server.faults[prefix] = _Answer(200, html, HTML_ERROR_PAGE.encode())
        elif fault == "wrong-shape":
            body, ctype = WRONG_SHAPE[source]
            data = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
            self.server.faults[prefix] = _Answer(200, {"Content-Type": ctype}, data)
        elif fault == "captcha":
            self.server.faults[prefix] = _Answer(200, html, CAPTCHA_PAGE.encode())
        elif fault == "bulk-only-errors":
            self.generation["orcid"] += 1            # every work looks changed, so the bulk endpoint is asked
            self.orcid_bulk_errors = True
        elif fault == "shrink":
            self.keep[source] = 1
        else:
            raise ValueError(f"unknown fault {fault!r}")

    def _healthy_body(self, source: str) -> bytes:
        status, _, body = {"orcid": lambda: self._orcid(f"{PREFIX['orcid']}/{ORCID_ID}/works", {}),
                           "openalex": lambda: self._openalex(f"{PREFIX['openalex']}/works", {"cursor": "*"}),
                           "arxiv": lambda: self._arxiv(f"{PREFIX['arxiv']}/query", {"search_query": ARXIV_QUERY}),
                           "scholar": lambda: self._scholar(f"{PREFIX['scholar']}/citations",
                                                            {"user": SCHOLAR_USER})}[source]()
        return body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()

    def served(self, source: str) -> list[Paper]:
        papers = [p for p in self.papers if source in p.sources and (source != "arxiv" or p.arxiv)]
        return papers[: self.keep[source]] if source in self.keep else papers

    def _echoing(self, source: str, handler):
        def answer(path: str, query: dict[str, str]):
            if source in self.echo_errors:     # like APIs that quote the bad request, credentials and all
                from urllib.parse import urlencode
                quoted = f"{path}?{urlencode(query)}"
                return 400, {"Content-Type": "application/json"}, {
                    "error": "Invalid query parameters", "message": f"cannot parse the request {quoted}",
                    "developer-message": f"400 Bad Request: {quoted}"}
            return handler(path, query)
        return answer

    # ---- ORCID v3.0 ----

    def _modified(self, p: Paper) -> dict[str, int]:
        return {"value": 1_700_000_000_000 + p.put_code * 1000 + self.generation["orcid"]}

    def _orcid_ids(self, p: Paper) -> dict[str, Any]:
        ids = []
        if p.doi:
            ids.append({"external-id-type": "doi", "external-id-value": p.doi.upper() if p.year < 2010 else p.doi,
                        "external-id-normalized": {"value": p.doi, "transient": True},
                        "external-id-normalized-error": None,
                        "external-id-url": {"value": f"https://doi.org/{p.doi}"}, "external-id-relationship": "self"})
        if p.arxiv:
            ids.append({"external-id-type": "arxiv", "external-id-value": f"arXiv:{p.arxiv}",
                        "external-id-normalized": {"value": f"arxiv:{p.arxiv}", "transient": True},
                        "external-id-normalized-error": None,
                        "external-id-url": {"value": f"https://arxiv.org/abs/{p.arxiv}"},
                        "external-id-relationship": "self"})
        return {"external-id": ids}

    def _orcid_summary(self, p: Paper) -> dict[str, Any]:
        return {
            "put-code": p.put_code, "created-date": {"value": 1_600_000_000_000 + p.put_code},
            "last-modified-date": self._modified(p),
            "source": {"source-orcid": None, "source-client-id": {"uri": "https://orcid.org/client/0000-0001-9884-1913",
                                                                  "path": "0000-0001-9884-1913", "host": "orcid.org"},
                       "source-name": {"value": "Crossref"}, "assertion-origin-orcid": None,
                       "assertion-origin-client-id": None, "assertion-origin-name": None},
            "title": {"title": {"value": p.title}, "subtitle": None, "translated-title": None},
            "external-ids": self._orcid_ids(p),
            "url": {"value": f"https://doi.org/{p.doi}"} if p.doi else None,
            "type": p.kind,
            "publication-date": {"year": {"value": str(p.year)}, "month": {"value": "06"}, "day": None},
            "journal-title": {"value": p.venue},
            "visibility": "public", "path": f"/{ORCID_ID}/work/{p.put_code}", "display-index": "1",
        }

    def _orcid_work(self, p: Paper) -> dict[str, Any]:
        work = self._orcid_summary(p)
        work["path"] = None
        work["short-description"] = f"We study {p.title.lower()}."
        work["citation"] = None
        work["contributors"] = {"contributor": [
            {"contributor-orcid": ({"uri": f"https://orcid.org/{ORCID_ID}", "path": ORCID_ID, "host": "orcid.org"}
                                   if name == "Josiah Carberry" else {"uri": None, "path": None, "host": None}),
             "credit-name": {"value": name}, "contributor-email": None,
             "contributor-attributes": {"contributor-sequence": "first" if i == 0 else "additional",
                                        "contributor-role": "author"}}
            for i, name in enumerate(_names(p))]}
        return work

    def _orcid(self, path: str, query: dict[str, str]):
        ctype = {"Content-Type": CONTENT_TYPE["orcid"]}
        rest = path[len(PREFIX["orcid"]):].strip("/").split("/")
        if len(rest) >= 2 and rest[0] == ORCID_ID and rest[1] == "works":
            papers = self.served("orcid")
            if len(rest) == 2:
                groups = [{"last-modified-date": self._modified(p), "external-ids": self._orcid_ids(p),
                           "work-summary": [self._orcid_summary(p)]} for p in papers]
                return 200, ctype, {"last-modified-date": {"value": 1_700_000_000_000}, "group": groups,
                                    "path": f"/{ORCID_ID}/works"}
            codes = rest[2].split(",")
            by_code = {str(p.put_code): p for p in papers}
            bulk = []
            for code in codes:
                if self.orcid_bulk_errors or code not in by_code:
                    bulk.append({"error": {"response-code": 400, "developer-message":
                                           f"400 Bad Request: The put code provided is not valid. Full validation "
                                           f"error: '{code}' is not a valid put code", "user-message":
                                           "There was an error when updating the record. Please try again. If the "
                                           "error persists, please contact ${clientName} for assistance.",
                                           "error-code": 9034,
                                           "more-info": "https://members.orcid.org/api/resources/troubleshooting"}})
                else:
                    bulk.append({"work": self._orcid_work(by_code[code])})
            return 200, ctype, {"bulk": bulk}
        return 404, ctype, {"response-code": 404, "developer-message": f"404 Not Found: {path}", "error-code": 9016}

    # ---- OpenAlex ----

    def _openalex_work(self, p: Paper) -> dict[str, Any]:
        is_preprint = not p.doi
        doi = p.doi or f"10.48550/arxiv.{p.arxiv}"
        source = ({"id": "https://openalex.org/S4306400194", "display_name": "arXiv (Cornell University)",
                   "issn_l": None, "issn": None, "is_oa": True, "type": "repository"} if is_preprint else
                  {"id": f"https://openalex.org/S{zlib.crc32(p.venue.encode()) % 10**9}", "display_name": p.venue,
                   "issn_l": None, "issn": None, "is_oa": False,
                   "type": "conference" if p.kind == "conference-paper" else "journal"})
        landing = f"https://arxiv.org/abs/{p.arxiv}" if is_preprint else f"https://doi.org/{doi}"
        kind = {"journal-article": "article", "conference-paper": "article", "preprint": "preprint",
                "data-set": "dataset"}.get(p.kind, "other")
        locations = [{"id": f"doi:{doi}", "is_oa": is_preprint, "landing_page_url": landing, "pdf_url": None,
                      "source": source, "version": "publishedVersion" if not is_preprint else "submittedVersion"}]
        if p.arxiv and not is_preprint:
            locations.append({"id": f"pmh:oai:arXiv.org:{p.arxiv}", "is_oa": True,
                              "landing_page_url": f"https://arxiv.org/abs/{p.arxiv}",
                              "pdf_url": f"https://arxiv.org/pdf/{p.arxiv}",
                              "source": {"id": "https://openalex.org/S4306400194",
                                         "display_name": "arXiv (Cornell University)", "type": "repository"},
                              "version": "submittedVersion"})
        words = f"We study {p.title.lower()}.".split()
        return {
            "id": f"https://openalex.org/{p.openalex}", "doi": f"https://doi.org/{doi}",
            "title": p.title, "display_name": p.title, "publication_year": p.year,
            "publication_date": f"{p.year}-06-15", "type": kind,
            "ids": {"openalex": f"https://openalex.org/{p.openalex}", "doi": f"https://doi.org/{doi}"},
            "primary_location": locations[0], "locations": locations, "locations_count": len(locations),
            "best_oa_location": locations[-1] if locations[-1]["is_oa"] else None,
            "authorships": [{"author_position": "first" if i == 0 else "middle",
                             "author": {"id": f"https://openalex.org/{OPENALEX_AUTHOR}" if i == 0 else
                                        f"https://openalex.org/A50{i:08d}", "display_name": name,
                                        "orcid": f"https://orcid.org/{ORCID_ID}" if i == 0 else None},
                             "institutions": [], "countries": [], "is_corresponding": i == 0,
                             "raw_author_name": name, "raw_affiliation_strings": []}
                            for i, name in enumerate(_names(p))],
            "cited_by_count": p.citations,
            "counts_by_year": [{"year": p.year + 1, "cited_by_count": p.citations}],
            "abstract_inverted_index": {w: [i] for i, w in enumerate(words)},
            "biblio": {"volume": "3", "issue": None, "first_page": "1", "last_page": "9"},
            "language": "en", "is_retracted": False, "is_paratext": False,
            "updated_date": f"2025-11-{self.generation['openalex']:02d}T03:46:38.306776",
            "created_date": "2021-04-30",
        }

    def _openalex(self, path: str, query: dict[str, str]):
        ctype = {"Content-Type": CONTENT_TYPE["openalex"]}
        rest = path[len(PREFIX["openalex"]):].strip("/")
        if rest == "works":
            papers = self.served("openalex")
            filt = query.get("filter", "")
            if filt.startswith("doi:"):
                wanted = {d.lower().removeprefix("https://doi.org/") for d in filt[4:].split("|")}
                papers = [p for p in papers if (p.doi or f"10.48550/arxiv.{p.arxiv}").lower() in wanted]
            elif query.get("cursor") not in (None, "*"):
                papers = []
            results = [self._openalex_work(p) for p in papers]
            return 200, ctype, {"meta": {"count": len(results), "db_response_time_ms": 12, "page": None,
                                         "per_page": int(query.get("per-page", "25") or 25),
                                         "next_cursor": "IlsxMDAuMCwgMTIzNF0i" if query.get("cursor") == "*" and
                                         results else None, "groups_count": None},
                                "results": results, "group_by": []}
        if rest.startswith("authors"):
            return 200, ctype, {"id": f"https://openalex.org/{OPENALEX_AUTHOR}", "orcid": f"https://orcid.org/{ORCID_ID}",
                                "display_name": "Josiah Carberry", "works_count": len(self.served("openalex")),
                                "works_api_url": f"https://api.openalex.org/works?filter=author.id:{OPENALEX_AUTHOR}"}
        return 404, ctype, {"error": "Not found", "message": f"{path} is not an OpenAlex endpoint"}

    # ---- arXiv ----

    def _arxiv_entry(self, p: Paper) -> str:
        authors = "".join(f"\n    <author>\n      <name>{xml_escape(n)}</name>\n    </author>" for n in _names(p))
        doi = f"\n    <arxiv:doi>{p.doi}</arxiv:doi>\n    <link href=\"https://doi.org/{p.doi}\" rel=\"related\" " \
              f"title=\"doi\"/>\n    <arxiv:journal_ref>{xml_escape(p.venue)} ({p.year})</arxiv:journal_ref>" \
            if p.doi else ""
        gen = self.generation["arxiv"]
        return (f"  <entry>\n    <id>http://arxiv.org/abs/{p.arxiv}v{gen}</id>\n"
                f"    <title>{xml_escape(p.title)}</title>\n"
                f"    <updated>{p.year}-05-{10 + gen:02d}T17:59:46Z</updated>\n"
                f"    <link href=\"https://arxiv.org/abs/{p.arxiv}v{gen}\" rel=\"alternate\" type=\"text/html\"/>\n"
                f"    <link href=\"https://arxiv.org/pdf/{p.arxiv}v{gen}\" rel=\"related\" type=\"application/pdf\" "
                f"title=\"pdf\"/>\n"
                f"    <summary>We study {xml_escape(p.title.lower())}.</summary>\n"
                f"    <category term=\"cs.CL\" scheme=\"http://arxiv.org/schemas/atom\"/>\n"
                f"    <published>{p.year}-05-10T17:59:46Z</published>{doi}\n"
                f"    <arxiv:primary_category term=\"cs.CL\"/>{authors}\n  </entry>\n")

    def _arxiv(self, path: str, query: dict[str, str]):
        ctype = {"Content-Type": CONTENT_TYPE["arxiv"]}
        papers = self.served("arxiv")
        if "id_list" in query:
            ids = [i.split("v")[0] if "/" not in i else i for i in query["id_list"].split(",") if i]
            papers = [p for p in papers if p.arxiv in ids]
            total = len(papers)
        else:
            total = len(papers)
            start, size = int(query.get("start", "0") or 0), int(query.get("max_results", "100") or 100)
            papers = papers[start:start + size]
        q = xml_escape("&".join(f"{k}={v}" for k, v in sorted(query.items())))
        feed = ("<?xml version='1.0' encoding='UTF-8'?>\n"
                "<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" "
                "xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n"
                "  <id>https://arxiv.org/api/UY2mqR74Vu/gU683o8Kx4P2K0xU</id>\n"
                f"  <title>arXiv Query: {q}</title>\n  <updated>2026-04-12T22:10:19Z</updated>\n"
                f"  <opensearch:itemsPerPage>{len(papers)}</opensearch:itemsPerPage>\n"
                f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
                "  <opensearch:startIndex>0</opensearch:startIndex>\n"
                + "".join(self._arxiv_entry(p) for p in papers) + "</feed>\n")
        return 200, ctype, feed

    # ---- Google Scholar ----

    def _scholar_row(self, p: Paper) -> str:
        authors = ", ".join(n.split()[0][0] + " " + n.split()[-1] for n in _names(p))
        link = f"/citations?view_op=view_citation&hl=en&user={SCHOLAR_USER}&citation_for_view={SCHOLAR_USER}:{p.scholar}"
        return (f"<tr class=\"gsc_a_tr\"><td class=\"gsc_a_t\"><a href=\"{html_escape(link)}\" class=\"gsc_a_at\">"
                f"{html_escape(p.title)}</a><div class=\"gs_gray\">{html_escape(authors)}</div>"
                f"<div class=\"gs_gray\">{html_escape(p.venue)} 3, 1-9<span class=\"gs_oph\">, {p.year}</span></div>"
                f"</td><td class=\"gsc_a_c\"><a href=\"https://scholar.google.com/scholar?oi=bibs&amp;hl=en&amp;"
                f"cites=81740927826784{p.put_code}\" class=\"gsc_a_ac gs_ibl\">{p.citations or ''}</a></td>"
                f"<td class=\"gsc_a_y\"><span class=\"gsc_a_h gsc_a_hc gs_ibl\">{p.year}</span></td></tr>")

    def _scholar(self, path: str, query: dict[str, str]):
        ctype = {"Content-Type": CONTENT_TYPE["scholar"]}
        if not path.endswith("/citations") or query.get("user") != SCHOLAR_USER:
            return 404, ctype, "<html><body>Not Found</body></html>"
        start = int(query.get("cstart", "0") or 0)
        size = int(query.get("pagesize", "100") or 100)
        papers = self.served("scholar")
        page = papers[start:start + size]
        more = "" if start + size < len(papers) else " disabled"
        rows = "".join(self._scholar_row(p) for p in page)
        html = ("<!doctype html><html><head><title>Josiah Carberry - Google Scholar</title></head><body>"
                "<div id=\"gsc_prf_w\"><div id=\"gsc_prf_in\">Josiah Carberry</div>"
                "<div class=\"gsc_prf_il\">Professor of Psychoceramics, Brown University</div></div>"
                "<table id=\"gsc_a_t\"><tbody id=\"gsc_a_b\">" + rows + "</tbody></table>"
                f"<button type=\"button\" id=\"gsc_bpf_more\" class=\"gs_btnPD\"{more}><span>Show more</span>"
                "</button></body></html>")
        return 200, ctype, html


# ---- a site directory with a config, for the CLI ----------------------------------------------------

EXPORT_FORMATS = ["bibtex", "papers-yml", "academicpages", "citations-yml", "csl-json", "markdown", "html"]


def write_config(root: Path, *, timeout: float = 0.5, retries: int = 1, max_seconds: float = 3.0,
                 formats: list[str] | None = None, scholar: bool = True, extra: str = "",
                 source_extra: dict[str, str] | None = None) -> Path:
    """A small profile config: one person on every source, small time limits, every export (markdown/html pages
    are created with their markers so the splicing exports have a page to write into)."""
    formats = EXPORT_FORMATS if formats is None else formats
    sources = "".join(f"\n[sources.{s}]\ntimeout = {timeout}\nretries = {retries}\nmax_seconds = {max_seconds}\n"
                      f"min_interval = 0\n" + ("enabled = true\n" if s == "scholar" and scholar else "")
                      + (source_extra or {}).get(s, "") for s in SOURCES)
    text = (f"[site]\nkind = \"al-folio\"\nroot = \"site\"\n\n[[people]]\nname = \"Josiah Carberry\"\n"
            f"orcid = \"{ORCID_ID}\"\narxiv = \"{ARXIV_QUERY}\"\n"
            + (f"scholar = \"{SCHOLAR_USER}\"\n" if scholar else "")
            + f"\n[sources]\nmailto = \"faults@example.org\"\n{sources}\n[export]\nformats = {json.dumps(formats)}\n"
            + extra)
    root.mkdir(parents=True, exist_ok=True)
    path = root / "config.toml"
    path.write_text(text, encoding="utf-8")
    pages = root / "site" / "_pages"
    pages.mkdir(parents=True, exist_ok=True)
    if "markdown" in formats:
        (pages / "publications.md").write_text("---\nlayout: page\ntitle: Publications\n---\n\nMy papers:\n\n"
                                               "<!-- pubsync:start -->\n<!-- pubsync:end -->\n", encoding="utf-8")
    if "html" in formats:
        (root / "site" / "index.html").write_text("<!doctype html>\n<html><body>\n<h1>Papers</h1>\n"
                                                  "<!-- pubsync:start -->\n<!-- pubsync:end -->\n</body></html>\n",
                                                  encoding="utf-8")
    return path


# ---- what must survive ------------------------------------------------------------------------------

KEPT_TABLES = {
    "raw_records": "SELECT profile, source, source_id, hash, payload FROM raw_records",
    "records": "SELECT profile, ref, data FROM records",
    "works": "SELECT key, hidden, data FROM works",
    "work_records": "SELECT work_key, record_ref, profile FROM work_records",
    "decisions": "SELECT kind, a, b FROM decisions",
    "citekeys": "SELECT anchor, key FROM citekeys",
}


def db_state(db_path: Path) -> dict[str, list[tuple]]:
    """The rows that carry data (not run bookkeeping), as sorted lists, read without writing to the file."""
    import sqlite3
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in KEPT_TABLES.items()}
    finally:
        conn.close()


def source_rows(state: dict[str, list[tuple]], source: str) -> list[tuple]:
    return [row for row in state["raw_records"] if row[1] == source]


def integrity(db_path: Path) -> str:
    import sqlite3
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def site_files(root: Path) -> dict[str, bytes]:
    """Every file under root/site (the exports and the pages they splice into), by relative path."""
    site = root / "site"
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


# ---- running the CLI ----------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent


def cli_env(world: "FaultWorld | None" = None, **extra: str) -> dict[str, str]:
    """The env for a pubsync subprocess: the world's URLs, and the repo on PYTHONPATH when pubsync isn't installed."""
    import os
    env = dict(world.env()) if world else {"PUBSYNC_ALLOW_FAST_ARXIV": "1"}     # the test configs use min_interval 0
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    env.update(extra)
    return env


@dataclass
class Baseline:
    """A site after one good sync (and one recorded decision): the state every fault run must leave intact."""
    root: Path
    state: dict[str, list[tuple]]
    files: dict[str, bytes]

    def copy_to(self, dest: Path) -> Path:
        import shutil
        shutil.copytree(self.root, dest)
        return dest


def make_baseline(root: Path, **config: Any) -> Baseline:
    from tests.clihelp import run
    write_config(root, **config)
    with FaultWorld() as world:
        env = cli_env(world)
        proc = run("sync", cwd=root, env=env, timeout=60)
        assert proc.returncode == 0, f"the good baseline sync failed: {proc.stderr}"
        proc = run("different", "doi:10.5555/12345678", "doi:10.5555/clay.2016", cwd=root, env=env, timeout=60)
        assert proc.returncode == 0, f"recording a decision failed: {proc.stderr}"
    state = db_state(root / "data" / "pubsync.db")
    assert state["decisions"] and state["works"], "the baseline holds no decision or no works"
    return Baseline(root, state, site_files(root))
