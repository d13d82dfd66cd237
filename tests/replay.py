"""A loopback HTTP server that replays canned answers, for network-path tests and benchmarks.

    with ReplayServer() as server:
        server.add("/v3.0/0000-0002-1825-0097/works", {"group": []})          # dict/list → JSON
        server.add("/works", page2, query={"cursor": "abc"})                   # only when the query has cursor=abc
        server.add("/api/query", "", status=500)                                # answers for one key are served in
        server.add("/api/query", feed, headers={"Content-Type": "application/atom+xml"})  # order; the last repeats
        server.add("/slow", "x", fault="hang")           # faults: reset | truncate | hang | empty
        server.route("/citations", lambda path, query: (200, {"Content-Type": "text/html"}, page(query)))
        server.latency = 0.2                              # seconds added to every request
        settings = SourceSettings("orcid", base_url=server.url + "/v3.0")
        ...
        server.requests                                   # [(path, {query}), …] in arrival order
        server.headers                                    # the request headers (lower-case names), same order

Only binds 127.0.0.1. A "hang" sleeps until the server closes (at most HANG_SECONDS), so nothing outlives close().
Also: `read_cassette(path)` reads vcrpy / R-vcr cassettes (.yml) into `Interaction`s, `serve_cassette` adds them.
"""
from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

import yaml

HANG_SECONDS = 30.0
FAULTS = (None, "reset", "truncate", "hang", "empty")

Handler = Callable[[str, dict[str, str]], tuple[int, dict[str, str], Any]]


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    delay: float = 0.0
    fault: str | None = None


@dataclass
class _Entry:
    path: str
    query: dict[str, str] | None
    answers: list[_Answer] = field(default_factory=list)


def _to_bytes(body: Any) -> tuple[bytes, str]:
    if isinstance(body, (dict, list)):
        return json.dumps(body).encode(), "application/json"
    if isinstance(body, str):
        return body.encode("utf-8"), "text/plain; charset=utf-8"
    return bytes(body or b""), "application/octet-stream"


class ReplayServer:
    def __init__(self) -> None:
        self.latency = 0.0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.headers: list[dict[str, str]] = []          # request headers, same order as .requests
        self._entries: list[_Entry] = []
        self._routes: list[tuple[str, Handler]] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    # ---- configuration ----

    def add(self, path: str, body: Any = b"", *, status: int = 200, headers: dict[str, str] | None = None,
            query: dict[str, str] | None = None, delay: float = 0.0, fault: str | None = None) -> None:
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}, not {fault!r}")
        data, content_type = _to_bytes(body)
        hdrs = {"Content-Type": content_type, **(headers or {})}
        answer = _Answer(status, hdrs, data, delay, fault)
        with self._lock:
            for entry in self._entries:
                if entry.path == path and entry.query == query:
                    entry.answers.append(answer)
                    return
            self._entries.append(_Entry(path, query, [answer]))

    def route(self, prefix: str, handler: Handler) -> None:
        """handler(path, query) -> (status, headers, body) answers every request whose path starts with prefix
        (the longest matching prefix wins; a second route for the same prefix replaces the first)."""
        with self._lock:
            self._routes = [r for r in self._routes if r[0] != prefix] + [(prefix, handler)]

    def clear(self) -> None:
        """Forget every answer and route (the request log stays)."""
        with self._lock:
            self._entries.clear()
            self._routes.clear()

    def count(self, prefix: str = "") -> int:
        return sum(1 for path, _ in self.requests if path.startswith(prefix))

    # ---- lifecycle ----

    def close(self) -> None:
        self._closed.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "ReplayServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- serving ----

    def _answer_for(self, path: str, query: dict[str, str]) -> _Answer:
        with self._lock:
            candidates = [e for e in self._entries if e.path == path
                          and (e.query is None or all(query.get(k) == v for k, v in e.query.items()))]
            candidates.sort(key=lambda e: e.query is None)      # a query-specific answer wins
            if candidates:
                entry = candidates[0]
                return entry.answers.pop(0) if len(entry.answers) > 1 else entry.answers[0]
            routes = sorted(self._routes, key=lambda r: -len(r[0]))
        for prefix, handler in routes:
            if path.startswith(prefix):
                status, headers, body = handler(path, query)
                data, content_type = _to_bytes(body)
                return _Answer(status, {"Content-Type": content_type, **(headers or {})}, data)
        return _Answer(404, {"Content-Type": "text/plain"}, f"replay: nothing registered for {path}".encode())

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: Any) -> None:      # keep test output quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                with server._lock:
                    server.requests.append((parts.path, query))
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                answer = server._answer_for(parts.path, query)
                wait = server.latency + answer.delay
                if wait:
                    server._closed.wait(wait)
                if answer.fault == "hang":
                    server._closed.wait(HANG_SECONDS)
                    return
                if answer.fault == "empty":
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if answer.fault in ("reset", "truncate"):
                    self.wfile.write(answer.body[: max(1, len(answer.body) // 2)])
                    self.wfile.flush()
                    if answer.fault == "reset":     # RST instead of FIN
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                self.wfile.write(answer.body)

        return _Handler


class SkipClock:
    """A clock whose sleep() returns at once but advances monotonic(): real elapsed time plus the skipped waits.

    Lets tests exercise rate limits, backoff and Retry-After without really waiting. `.slept` lists each sleep."""

    def __init__(self) -> None:
        self.skipped = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    def time(self) -> float:
        return time.time() + self.skipped

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.skipped += max(0.0, seconds)


# ---- vcr cassettes ----------------------------------------------------------------------------------

@dataclass
class Interaction:
    method: str
    uri: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.uri).query, keep_blank_values=True))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _header_value(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


def read_cassette(path: str | Path) -> list[Interaction]:
    """Interactions of a vcrpy (`interactions:`) or R vcr (`http_interactions:`) cassette, in recorded order."""
    text = Path(path).read_text(encoding="utf-8")
    # vcrpy writes !!python/unicode tags; plain strings are what they hold.
    text = text.replace("!!python/unicode ", "")
    data = yaml.safe_load(text)
    items = data.get("interactions") or data.get("http_interactions") or []
    out = []
    for item in items:
        req, resp = item["request"], item["response"]
        status = resp.get("status") or resp.get("status_code")       # vcrpy / R vcr; the httpx layout
        if isinstance(status, dict):
            status = status.get("code") or status.get("status_code")
        body = resp.get("body") or resp.get("content") or {}
        if isinstance(body, dict):
            raw = body.get("string")
            if raw is None and body.get("base64_string"):
                import base64
                raw = base64.b64decode(body["base64_string"])
        else:
            raw = body
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        headers = {str(k): _header_value(v) for k, v in (resp.get("headers") or {}).items()}
        encoding = next((v for k, v in headers.items() if k.lower() == "content-encoding"), "").lower()
        if isinstance(raw, bytes) and encoding == "gzip" and raw[:2] == b"\x1f\x8b":
            import gzip
            raw = gzip.decompress(raw)          # stored compressed; serve and read it plain
        headers = {k: v for k, v in headers.items() if k.lower() != "content-encoding"}
        out.append(Interaction(str(req.get("method", "GET")).upper(), req["uri"], int(status), headers, raw or b""))
    return out


def serve_cassette(server: ReplayServer, path: str | Path, *, prefix: str = "") -> list[Interaction]:
    """Register every interaction of a cassette on the server (path under `prefix`, matched on its query)."""
    interactions = read_cassette(path)
    for it in interactions:
        content_type = next((v for k, v in it.headers.items() if k.lower() == "content-type"), "application/json")
        query = {k: v for k, v in it.query.items() if k != "api_key"} or None
        server.add(prefix + it.path, it.body, status=it.status, headers={"Content-Type": content_type}, query=query)
    return interactions


# ---- a synthetic, realistically shaped profile served by all four services ----------------------------

class SyntheticProfile:
    """One researcher with `n_works` works, served the way ORCID v3.0, OpenAlex, arXiv and Scholar answer.

    Work i: DOI 10.5555/synthetic.<i> (every work), arXiv id 2101.<i:05d> for every `arxiv_every`-th, a second
    ORCID claim (another put-code) for every `double_claim_every`-th; OpenAlex's author listing misses every
    `openalex_miss_every`-th work (found again by DOI batch). Mount under prefixes /orcid, /openalex, /arxiv, /scholar.
    """

    ORCID = "0000-0002-1825-0097"
    SCHOLAR = "SYNTHuser123"

    def __init__(self, n_works: int, *, arxiv_every: int = 3, double_claim_every: int = 5,
                 openalex_miss_every: int = 10, modified: int = 1700000000000):
        self.n = n_works
        self.arxiv_every, self.double_every, self.miss_every = arxiv_every, double_claim_every, openalex_miss_every
        self.modified = modified

    # -- facts the tests compare against --
    def doi(self, i: int) -> str:
        return f"10.5555/synthetic.{i}"

    def arxiv_id(self, i: int) -> str:
        return f"2101.{i:05d}" if i % self.arxiv_every == 0 else ""

    def put_codes(self, i: int) -> list[int]:
        return [100000 + i] + ([500000 + i] if i % self.double_every == 0 else [])

    @property
    def all_put_codes(self) -> list[int]:
        return [pc for i in range(self.n) for pc in self.put_codes(i)]

    @property
    def arxiv_ids(self) -> list[str]:
        return [self.arxiv_id(i) for i in range(self.n) if self.arxiv_id(i)]

    @property
    def openalex_listed(self) -> list[int]:
        return [i for i in range(self.n) if i % self.miss_every != 1]

    def title(self, i: int) -> str:
        return f"Synthetic study number {i} of replayed publication lists"

    # -- ORCID --
    def _summary(self, i: int, pc: int) -> dict[str, Any]:
        ext = [{"external-id-type": "doi", "external-id-value": self.doi(i), "external-id-relationship": "self",
                "external-id-url": {"value": f"https://doi.org/{self.doi(i)}"},
                "external-id-normalized": {"value": self.doi(i), "transient": True}}]
        if self.arxiv_id(i):
            ext.append({"external-id-type": "arxiv", "external-id-value": f"arXiv:{self.arxiv_id(i)}",
                        "external-id-relationship": "self", "external-id-url": None})
        return {"put-code": pc, "last-modified-date": {"value": self.modified + i},
                "created-date": {"value": self.modified}, "title": {"title": {"value": self.title(i)}},
                "external-ids": {"external-id": ext}, "type": "journal-article",
                "publication-date": {"year": {"value": str(2000 + i % 25)}, "month": None, "day": None},
                "journal-title": {"value": "Journal of Replays"},
                "source": {"source-name": {"value": "Crossref" if pc < 500000 else "Scopus - Elsevier"}},
                "path": f"/{self.ORCID}/work/{pc}", "visibility": "public"}

    def orcid_works(self) -> dict[str, Any]:
        groups = []
        for i in range(self.n):
            summaries = [self._summary(i, pc) for pc in self.put_codes(i)]
            groups.append({"last-modified-date": {"value": self.modified + i},
                           "external-ids": summaries[0]["external-ids"], "work-summary": summaries})
        return {"last-modified-date": {"value": self.modified + self.n}, "group": groups, "path": f"/{self.ORCID}/works"}

    def orcid_bulk(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        codes = path.rstrip("/").rsplit("/", 1)[-1].split(",")
        if len(codes) > 100:
            return 400, {}, {"response-code": 400, "developer-message": "Too many put codes specified: maximum is 100",
                             "error-code": 9042}
        by_code = {str(pc): i for i in range(self.n) for pc in self.put_codes(i)}
        bulk = []
        for code in codes:
            if code not in by_code:
                bulk.append({"error": {"response-code": 400, "error-code": 9034,
                                       "developer-message": f"'{code}' is not a valid put code"}})
                continue
            work = self._summary(by_code[code], int(code))
            work["contributors"] = {"contributor": [
                {"credit-name": {"value": "Josiah Carberry"}, "contributor-orcid": {"path": self.ORCID},
                 "contributor-attributes": {"contributor-sequence": "first", "contributor-role": "author"}},
                {"credit-name": {"value": f"Coauthor {by_code[code]}"}, "contributor-orcid": None,
                 "contributor-attributes": {"contributor-sequence": "additional", "contributor-role": "author"}}]}
            bulk.append({"work": work})
        return 200, {"Content-Type": "application/json"}, {"bulk": bulk}

    # -- OpenAlex --
    def openalex_work(self, i: int) -> dict[str, Any]:
        locations = [{"id": f"doi:{self.doi(i)}", "landing_page_url": f"https://doi.org/{self.doi(i)}",
                      "source": {"display_name": "Journal of Replays", "type": "journal"}}]
        if self.arxiv_id(i):
            locations.append({"id": f"pmh:oai:arXiv.org:{self.arxiv_id(i)}",
                              "landing_page_url": f"http://arxiv.org/abs/{self.arxiv_id(i)}",
                              "source": {"display_name": "arXiv (Cornell University)", "type": "repository"}})
        return {"id": f"https://openalex.org/W{9000000 + i}", "doi": f"https://doi.org/{self.doi(i)}",
                "title": self.title(i), "display_name": self.title(i), "publication_year": 2000 + i % 25,
                "publication_date": f"{2000 + i % 25}-01-01", "type": "article",
                "ids": {"openalex": f"https://openalex.org/W{9000000 + i}", "doi": f"https://doi.org/{self.doi(i)}"},
                "primary_location": locations[0], "locations": locations,
                "authorships": [{"author_position": "first", "author": {
                    "id": "https://openalex.org/A5000000001", "display_name": "Josiah Carberry",
                    "orcid": f"https://orcid.org/{self.ORCID}"}, "raw_author_name": "J. Carberry"}],
                "cited_by_count": i, "counts_by_year": [{"year": 2024, "cited_by_count": i}],
                "abstract_inverted_index": {"Replayed": [0], "abstract": [1], f"n{i}": [2]},
                "updated_date": "2025-11-06T06:51:31.235846"}

    def openalex_works(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        filt = query.get("filter", "")
        per_page = int(query.get("per-page") or query.get("per_page") or 25)
        if filt.startswith("doi:"):
            wanted = set(filt[4:].split("|"))
            hits = [self.openalex_work(i) for i in range(self.n) if self.doi(i) in wanted]
            return 200, {}, {"meta": {"count": len(hits), "page": 1, "per_page": per_page}, "results": hits[:per_page]}
        if not filt.startswith(("author.orcid:", "author.id:")):
            return 400, {}, {"error": "Invalid query parameters error.", "message": f"bad filter {filt}"}
        listed = self.openalex_listed
        cursor = query.get("cursor", "")
        if "page" in query:                      # basic paging (no API key): no next_cursor in the answer
            start = (int(query["page"]) - 1) * per_page
        else:
            start = 0 if cursor == "*" else int(cursor.removeprefix("c") or 0)
        page = listed[start:start + per_page]
        nxt = f"c{start + per_page}" if page and "page" not in query else None
        return 200, {}, {"meta": {"count": len(listed), "page": None, "per_page": per_page, "next_cursor": nxt},
                         "results": [self.openalex_work(i) for i in page]}

    # -- arXiv --
    def arxiv_entry(self, aid: str) -> str:
        i = int(aid.split(".")[1])
        return (f"<entry><id>http://arxiv.org/abs/{aid}v2</id><updated>2021-02-01T00:00:00Z</updated>"
                f"<published>2021-01-0{1 + i % 9}T00:00:00Z</published><title>{self.title(i)}\n  (preprint)</title>"
                f"<summary>  Replayed\n abstract {i}. </summary><author><name>Josiah Carberry</name></author>"
                f"<arxiv:doi>{self.doi(i)}</arxiv:doi><arxiv:journal_ref>J. Replays {i} (2021)</arxiv:journal_ref>"
                f"<link href=\"https://arxiv.org/abs/{aid}v2\" rel=\"alternate\" type=\"text/html\"/>"
                f"<category term=\"cs.DL\" scheme=\"http://arxiv.org/schemas/atom\"/></entry>")

    def arxiv_query(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        ids = [x for x in query.get("id_list", "").split(",") if x]
        known = set(self.arxiv_ids)
        bad = [x for x in ids if not re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?|[a-z-]+/\d{7}", x)]
        head = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
                'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">')
        if bad:
            return 400, {"Content-Type": "application/atom+xml"}, (
                head + f"<entry><id>https://arxiv.org/api/errors#incorrect_id_format_for_{bad[0]}</id>"
                f"<title>Error</title><summary>incorrect id format for {bad[0]}</summary></entry></feed>")
        max_results = int(query.get("max_results", 10))
        hits = [x for x in ids if x in known][:max_results]
        body = head + f"<opensearch:totalResults>{len(hits)}</opensearch:totalResults>"
        body += "".join(self.arxiv_entry(x) for x in hits) + "</feed>"
        return 200, {"Content-Type": "application/atom+xml; charset=utf-8"}, body

    # -- Scholar --
    def scholar_row(self, i: int) -> str:
        authors = "J Carberry, A Coauthor" + (", ..." if i % 4 == 0 else "")
        return (f'<tr class="gsc_a_tr"><td class="gsc_a_t"><a href="/citations?view_op=view_citation&amp;hl=en&amp;'
                f'user={self.SCHOLAR}&amp;citation_for_view={self.SCHOLAR}:paper{i:06d}" class="gsc_a_at">'
                f'{self.title(i)}</a><div class="gs_gray">{authors}</div><div class="gs_gray">Journal of Replays {i}, '
                f'1-{i + 9}<span class="gs_oph">, {2000 + i % 25}</span></div></td><td class="gsc_a_c">'
                f'<a href="#" class="gsc_a_ac gs_ibl">{i * 2}</a></td><td class="gsc_a_y"><span class="gsc_a_h '
                f'gsc_a_hc gs_ibl">{2000 + i % 25}</span></td></tr>')

    def scholar_page(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        start, size = int(query.get("cstart", 0)), int(query.get("pagesize", 20))
        rows = "".join(self.scholar_row(i) for i in range(start, min(self.n, start + size)))
        more = "" if start + size < self.n else " disabled"
        page = (f'<html><head><title>Josiah Carberry - Google Scholar</title></head><body>'
                f'<div id="gsc_prf_in">Josiah Carberry</div><table id="gsc_a_t"><tbody id="gsc_a_b">{rows}</tbody>'
                f'</table><button type="button" id="gsc_bpf_more" class="gs_btnPD"{more}>Show more</button></body></html>')
        return 200, {"Content-Type": "text/html; charset=UTF-8"}, page

    def mount(self, server: ReplayServer) -> None:
        server.add(f"/orcid/{self.ORCID}/works", self.orcid_works())
        server.route(f"/orcid/{self.ORCID}/works/", self.orcid_bulk)
        server.route("/openalex/works", self.openalex_works)
        server.route("/arxiv/query", self.arxiv_query)
        server.route("/scholar/citations", self.scholar_page)
        server.route(f"/dblp/pid/{self.DBLP_PID}.xml", self.dblp_person)
        server.route(f"/semanticscholar/author/{self.S2_AUTHOR}/papers", self.s2_papers)

    # -- DBLP (one person XML: every work as a conference paper, arXiv ones with their CoRR record) --
    DBLP_PID = "00/0001"
    S2_AUTHOR = "1000001"

    def dblp_person(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        me = f'<author pid="{self.DBLP_PID}">Josiah Carberry</author>'
        items = []
        for i in range(self.n):
            items.append(f'<r><inproceedings key="conf/jcdl/Carberry{i}" mdate="2024-01-01">{me}'
                         f"<title>{self.title(i)}.</title><year>{2000 + i % 25}</year><booktitle>JCDL</booktitle>"
                         f"<ee>https://doi.org/{self.doi(i)}</ee></inproceedings></r>")
            if self.arxiv_id(i):
                items.append(f'<r><article key="journals/corr/abs-{self.arxiv_id(i).replace(".", "-")}" '
                             f'mdate="2024-01-01" publtype="informal">{me}<title>{self.title(i)}.</title>'
                             f"<year>2021</year><journal>CoRR</journal><volume>abs/{self.arxiv_id(i)}</volume>"
                             f"<ee>https://arxiv.org/abs/{self.arxiv_id(i)}</ee></article></r>")
        body = (f'<?xml version="1.0" encoding="UTF-8"?><dblpperson name="Josiah Carberry" pid="{self.DBLP_PID}" '
                f'n="{len(items)}">' + "".join(items) + "</dblpperson>")
        return 200, {"Content-Type": "application/xml"}, body

    # -- Semantic Scholar (/author/{id}/papers, offset paging) --
    def s2_papers(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        offset, limit = int(query.get("offset", "0")), int(query.get("limit", "100"))
        data = [{"paperId": f"s2paper{i:06d}", "title": self.title(i), "year": 2000 + i % 25,
                 "externalIds": {"DOI": self.doi(i)}, "authors": [{"authorId": self.S2_AUTHOR,
                                                                    "name": "Josiah Carberry"}]}
                for i in range(offset, min(self.n, offset + limit))]
        page: dict[str, Any] = {"offset": offset, "data": data}
        if offset + limit < self.n:
            page["next"] = offset + limit
        return 200, {"Content-Type": "application/json"}, page
