"""The one HTTP layer every source goes through.

Per request: a connect/read timeout. Per source: a base URL, a User-Agent naming pubsync and the contact address,
credentials from the environment, a minimum interval between requests, retries with exponential backoff and jitter
(tenacity) for 429/5xx/network failures, `Retry-After`, and a total time budget (`max_seconds`) after which the source
fails with `SourceTimeout` instead of hanging. A source that can be blocked passes a `blocked` hook that recognises
a refusal in an answer; the session then raises `Blocked` at once. Secrets never reach a message: URLs and texts are
redacted.
"""
from __future__ import annotations

import email.utils
import json
import os
import re
import threading
import time
import warnings
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

import httpx
import tenacity

from pubsync import __version__
from pubsync.settings import DEFAULT_BASE_URLS, SourceSettings
from pubsync.sources import SourceError

USER_AGENT = "pubsync/{version} (+https://github.com/pubsync/pubsync; mailto:{mailto})"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_BASE = 1.0      # seconds; doubles per attempt, full jitter
BACKOFF_MAX = 30.0
MAX_BODY = 50_000_000   # bytes; a body larger than this is not a bibliographic response


# ---- errors -------------------------------------------------------------------------------------

class HttpStatusError(SourceError):
    """The server answered with an error status. `.body` keeps the (redacted) body for callers that parse it."""

    def __init__(self, message: str, status: int, body: str = "", headers: httpx.Headers | None = None):
        super().__init__(message)
        self.status = status
        self.body = body
        self.headers = headers or httpx.Headers()


class NetworkError(SourceError):
    """The connection failed, was reset, or the body arrived incomplete."""


class SourceTimeout(SourceError):
    """A request or the whole source ran out of time."""


class Blocked(SourceError):
    """The service refuses automated access, as the source's `blocked` hook recognises it. Never retried."""


class BadBody(SourceError):
    """A 2xx response whose body is not what the endpoint promises (HTML where JSON was expected, broken JSON…)."""


# ---- clock --------------------------------------------------------------------------------------

class Clock(Protocol):
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    def time(self) -> float: ...


class SystemClock:
    monotonic = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)
    time = staticmethod(time.time)


SYSTEM_CLOCK = SystemClock()


class _RateLimiter:
    """Spaces request starts at least `interval` seconds apart; shared by every session of one source and clock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = float("-inf")


_limiters: dict[tuple[str, str, int], _RateLimiter] = {}
_limiters_lock = threading.Lock()


def _limiter_for(name: str, base_url: str, clock: Clock) -> _RateLimiter:
    key = (name, base_url, id(clock))
    with _limiters_lock:
        return _limiters.setdefault(key, _RateLimiter())


# ---- helpers ------------------------------------------------------------------------------------

def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """'120' or an HTTP date → seconds to wait (≥ 0); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


def error_detail(body: str) -> str:
    """The human part of an API error body: JSON message fields, else the start of the text (tags stripped)."""
    body = body.strip()
    if body.startswith("{"):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            parts = [data.get(k) for k in ("developer-message", "message", "error", "user-message", "detail")]
            parts = [p if isinstance(p, str) else json.dumps(p) for p in parts if p]
            if parts:
                return one_line(parts[0], 200)
    if body.startswith("<"):
        title = re.search(r"<title[^>]*>(.*?)</title>", body, re.S | re.I)
        if title and title.group(1).strip():
            return one_line(title.group(1), 120)
        body = re.sub(r"<[^>]+>", " ", body)
    return one_line(body, 160)


def decode_body(data: bytes, name: str) -> str:
    """Saved or received bytes → text: UTF-8 (BOM tolerated), else cp1252 with a warning, never a crash."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        warnings.warn(f"{name}: not valid UTF-8 (byte {e.start}); read as Windows-1252", stacklevel=2)
        return data.decode("cp1252", errors="replace")


def json_body(text: str, what: str) -> Any:
    """Parse JSON or raise BadBody naming what was expected and what came instead."""
    try:
        return json.loads(text)
    except ValueError as e:
        head = text.lstrip()[:1]
        if head == "<":
            got = f"HTML/XML ({error_detail(text)!r})" if error_detail(text) else "HTML/XML"
        elif not text.strip():
            got = "an empty body"
        else:
            got = f"malformed JSON ({e.msg} at line {e.lineno} column {e.colno})"
        raise BadBody(f"{what}: expected JSON, got {got}") from None


# ---- session ------------------------------------------------------------------------------------

class _Retryable(Exception):
    """Internal: carries a retryable failure (and any Retry-After) through tenacity."""

    def __init__(self, error: SourceError, retry_after: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


# (status, final URL after redirects, decoded body) -> why the service refused automated access, or None.
BlockedHook = Callable[[int, str, str], str | None]


class HttpSession:
    """One source's HTTP client. Not shared across sources; safe to use from one thread."""

    def __init__(self, settings: SourceSettings, *, transport: httpx.BaseTransport | None = None,
                 clock: Clock | None = None, blocked: BlockedHook | None = None):
        self.settings = settings
        self.blocked = blocked
        self.name = settings.name
        self.base_url = (settings.base_url or DEFAULT_BASE_URLS.get(settings.name, "")).rstrip("/")
        self.clock = clock or SYSTEM_CLOCK
        self.requests = 0
        self.deadline = self.clock.monotonic() + settings.max_seconds
        self._limiter = _limiter_for(self.name, self.base_url, self.clock)
        self._secrets: list[str] = []
        params: dict[str, str] = {}
        auth: dict[str, str] = {}
        headers = {"User-Agent": USER_AGENT.format(version=__version__, mailto=settings.mailto or "unknown")}
        if self.name == "openalex" and os.environ.get("OPENALEX_API_KEY"):
            params["api_key"] = os.environ["OPENALEX_API_KEY"]
            self._secrets.append(params["api_key"])
        if self.name == "semanticscholar" and os.environ.get("S2_API_KEY"):
            auth["x-api-key"] = os.environ["S2_API_KEY"]
            self._secrets.append(os.environ["S2_API_KEY"])
        if self.name == "orcid" and os.environ.get("ORCID_TOKEN"):
            auth["Authorization"] = f"Bearer {os.environ['ORCID_TOKEN']}"
            self._secrets.append(os.environ["ORCID_TOKEN"])
        transport = _CredentialsTransport(transport or httpx.HTTPTransport(retries=0), params, auth,
                                          urlsplit(self.base_url).netloc)
        if settings.cache:
            transport = _cache_transport(transport, settings.cache_dir, self.name)
        self._client = httpx.Client(transport=transport, headers=headers, follow_redirects=True)

    # -- public --

    def remaining(self) -> float:
        return self.deadline - self.clock.monotonic()

    def get(self, path: str, params: dict[str, Any] | None = None, accept: str | None = None) -> httpx.Response:
        """GET base_url + path (or an absolute URL on the same host). Returns a 2xx response with its body read."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + ("" if path.startswith("/") else "/") + path
        query = {k: v for k, v in (params or {}).items() if v is not None}
        headers = {"Accept": accept} if accept else {}
        retrying = tenacity.Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Retryable),
            sleep=self.clock.sleep,
            reraise=True,
        )
        self._give_up_reason = ""
        try:
            return retrying(self._attempt, url, query, headers)
        except _Retryable as failure:
            err = failure.error
            attempts = retrying.statistics.get("attempt_number", 1)
            suffix = f" (after {attempts} attempt{'s' if attempts != 1 else ''}{self._give_up_reason})"
            raise type(err)(str(err) + suffix, *(_extra_args(err))) from None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def redact(self, text: str) -> str:
        text = re.sub(r"(?i)(api_key|token|access_token|key)=[^&\s]+", r"\1=***", text)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    # -- tenacity hooks --

    def _wait(self, state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _Retryable) and failure.retry_after is not None:
            return failure.retry_after
        return tenacity.wait_random_exponential(multiplier=BACKOFF_BASE, max=BACKOFF_MAX)(state)

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        if state.attempt_number > self.settings.retries:
            return True
        upcoming = state.upcoming_sleep or 0.0
        left = self.remaining()
        if upcoming + 0.05 >= left:
            failure = state.outcome.exception() if state.outcome else None
            told = isinstance(failure, _Retryable) and failure.retry_after is not None
            self._give_up_reason = (f"; {'Retry-After' if told else 'next retry in'} {upcoming:.0f} s exceeds the "
                                    f"{max(left, 0):.0f} s left of max_seconds={self.settings.max_seconds:g}")
            return True
        return False

    # -- one attempt --

    def _attempt(self, url: str, query: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        shown = self.redact(_with_query(url, {k: v for k, v in query.items() if k != "api_key"}))
        self._pace(shown)
        left = self.remaining()
        if left <= 0:
            raise SourceTimeout(f"{self.name}: max_seconds={self.settings.max_seconds:g} used up before GET {shown}")
        per_request = min(self.settings.timeout, left)
        timeout = httpx.Timeout(per_request)
        self.requests += 1
        try:
            with self._client.stream("GET", url, params=query, headers=headers, timeout=timeout) as response:
                body = self._read(response, shown)
        except httpx.TimeoutException as e:
            kind = "connect" if isinstance(e, httpx.ConnectTimeout) else "read"
            err = SourceTimeout(f"{self.name}: {kind} timeout after {per_request:.3g} s on GET {shown}")
            if self.remaining() <= 0:
                raise SourceTimeout(str(err) + f"; max_seconds={self.settings.max_seconds:g} used up") from None
            raise _Retryable(err) from None
        except httpx.TransportError as e:
            raise _Retryable(NetworkError(f"{self.name}: {_describe_transport_error(e)} on GET {shown}")) from None
        text = body.decode(response.encoding or "utf-8", errors="replace") if body else ""
        status = response.status_code
        reason = self.blocked(status, str(response.url), text) if self.blocked else None
        if reason:
            # Retrying a refusal only deepens the block.
            raise Blocked(f"{self.name}: blocked on GET {shown}, stopped without retrying: {one_line(reason)}")
        result = httpx.Response(status, headers=_plain_headers(response.headers), content=body,
                                request=response.request)
        if 200 <= status < 300:
            return result
        detail = self.redact(error_detail(text))
        err = HttpStatusError(f"{self.name}: HTTP {status} from GET {shown}" + (f": {detail}" if detail else ""),
                              status, self.redact(text), result.headers)
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock.time())
            if retry_after is not None and retry_after > self.remaining():
                raise HttpStatusError(f"{err}; Retry-After {retry_after:.0f} s exceeds the {max(self.remaining(), 0):.0f} s "
                                      f"left of max_seconds={self.settings.max_seconds:g}", status, err.body, err.headers)
            raise _Retryable(err, retry_after)
        raise err

    def _pace(self, shown: str) -> None:
        interval = self.settings.min_interval
        if interval <= 0:
            return
        with self._limiter.lock:
            wait = self._limiter.last + interval - self.clock.monotonic()
            if wait > 0:
                if wait >= self.remaining():
                    raise SourceTimeout(f"{self.name}: the rate limit ({interval:g} s between requests) would pass "
                                        f"max_seconds={self.settings.max_seconds:g} before GET {shown}")
                self.clock.sleep(wait)
            self._limiter.last = self.clock.monotonic()

    def _read(self, response: httpx.Response, shown: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY:
                raise BadBody(f"{self.name}: body of GET {shown} exceeds {MAX_BODY // 1_000_000} MB")
            if self.remaining() <= 0:
                raise SourceTimeout(f"{self.name}: max_seconds={self.settings.max_seconds:g} used up while reading "
                                    f"GET {shown}")
        return b"".join(chunks)


def _extra_args(err: SourceError) -> tuple:
    if isinstance(err, HttpStatusError):
        return (err.status, err.body, err.headers)
    return ()


def _with_query(url: str, query: dict[str, Any]) -> str:
    if not query:
        return url
    return str(httpx.URL(url, params=query))


def _plain_headers(headers: httpx.Headers) -> httpx.Headers:
    # The body is already decoded; keeping these would make httpx decode or length-check it again.
    return httpx.Headers([(k, v) for k, v in headers.multi_items()
                          if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")])


def _describe_transport_error(e: httpx.TransportError) -> str:
    text = str(e).lower()
    if isinstance(e, httpx.ConnectError):
        return "cannot connect"
    if isinstance(e, httpx.RemoteProtocolError):
        if "without sending" in text and "response" in text:
            return "server closed the connection without a response"
        if "incomplete" in text or "complete message" in text or "content-length" in text:
            return "body truncated (connection closed early)"
        return "HTTP protocol error"
    if isinstance(e, httpx.ReadError):
        return "connection reset while reading"
    if isinstance(e, httpx.DecodingError):
        return "undecodable body (bad compression)"
    return f"network error ({type(e).__name__})"


class _CredentialsTransport(httpx.BaseTransport):
    """Adds API keys and tokens at the last moment, beneath the HTTP cache, so no cache entry, log line or error
    message built from the request ever holds them."""

    def __init__(self, inner: httpx.BaseTransport, params: dict[str, str], headers: dict[str, str], netloc: str):
        self.inner, self.params, self.headers, self.netloc = inner, params, headers, netloc

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.netloc.decode("ascii") == self.netloc:     # credentials go to the configured service only
            if self.params:
                request.url = request.url.copy_merge_params(self.params)
            request.headers.update(self.headers)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _cache_transport(transport: httpx.BaseTransport, cache_dir: str, name: str) -> httpx.BaseTransport:
    from pathlib import Path

    import hishel
    from hishel.httpx import CacheTransport

    path = Path(cache_dir)
    path.mkdir(parents=True, exist_ok=True)
    storage = hishel.SqliteStorage(database_path=str(path / f"{name}.sqlite"))
    return CacheTransport(next_transport=transport, storage=storage, rfc=True)
