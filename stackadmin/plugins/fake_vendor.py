"""A fake vendor for plugin tests: a real HTTP server on the loopback address, in a thread,
serving recorded pages and scripted faults, and recording every request it was sent.

    with FakeVendor() as vendor:
        vendor.link_pages("/orgs/acme/members", members, per_page=2)
        vendor.add("/orgs/acme/members", Reply.throttle(retry_after=2), times=1)
        ... run the plugin with base_url=vendor.url ...
        assert vendor.requests[0].headers["Authorization"] == "Bearer test-token"

Routes match the path exactly and, when given, a subset of the query. Answers added with
`times=N` are used up first, in the order added (a fault before the normal answer); the
others answer forever, the most specific query first and, among equals, the one added
last (so a test can override a helper's route).
A request no route matches gets a 404 and is listed in `unmatched`.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake received: method, path, query (each name's values), headers
    (case-insensitive) and body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: httpx.Headers
    body: bytes
    at: float  # time.monotonic() when it arrived

    def param(self, name: str) -> str | None:
        """The query parameter's (last) value, or None."""
        values = self.query.get(name)
        return values[-1] if values else None

    def form(self) -> dict[str, str]:
        """A form-encoded body as a dict (OAuth token requests)."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass(frozen=True)
class Reply:
    """What the fake answers. Make one with the class methods; `after(s)` delays it."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    action: str = "reply"  # "reply", "reset" (close without answering), "cut" (body cut off)

    @classmethod
    def json(cls, body: Any, *, status: int = 200,
             headers: Mapping[str, str] | None = None) -> Reply:
        return cls(status, {"Content-Type": "application/json", **(headers or {})},
                   json.dumps(body).encode())

    @classmethod
    def text(cls, text: str, *, status: int = 200, content_type: str = "text/plain",
             headers: Mapping[str, str] | None = None) -> Reply:
        return cls(status, {"Content-Type": f"{content_type}; charset=utf-8", **(headers or {})},
                   text.encode())

    @classmethod
    def html(cls, title: str = "Sign in", *, status: int = 200) -> Reply:
        """An HTML page with status 200: what a sign-in redirect or a proxy serves."""
        page = (f"<!DOCTYPE html><html><head><title>{title}</title></head>"
                f"<body><h1>{title}</h1></body></html>")
        return cls.text(page, status=status, content_type="text/html")

    @classmethod
    def error(cls, status: int, message: str = "", *,
              headers: Mapping[str, str] | None = None, body: Any = None) -> Reply:
        """An error status with a JSON body (`{"message": ...}` unless `body` is given)."""
        return cls.json(body if body is not None else {"message": message}, status=status,
                        headers=headers)

    @classmethod
    def throttle(cls, retry_after: str | float | None = 1, *, status: int = 429,
                 headers: Mapping[str, str] | None = None) -> Reply:
        """429 (or a throttling 403) with `Retry-After` (seconds or an HTTP date)."""
        extra = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return cls.error(status, "API rate limit exceeded", headers={**extra, **(headers or {})})

    @classmethod
    def unavailable(cls, status: int = 503, *, retry_after: str | float | None = None) -> Reply:
        extra = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return cls.error(status, "Service Unavailable", headers=extra)

    @classmethod
    def truncated(cls, body: Any, *, keep: float = 0.5) -> Reply:
        """Valid JSON cut short, sent with the cut length: a body that does not parse."""
        whole = json.dumps(body).encode()
        cut = whole[: max(1, int(len(whole) * keep))]
        return cls(200, {"Content-Type": "application/json"}, cut)

    @classmethod
    def cut(cls, body: Any) -> Reply:
        """The whole length announced, half the body sent, then the connection closed."""
        return replace(cls.json(body), action="cut")

    @classmethod
    def reset(cls) -> Reply:
        """The connection is reset without an answer."""
        return cls(action="reset")

    def after(self, seconds: float) -> Reply:
        """The same answer, sent only after `seconds` (a slow vendor, for timeouts)."""
        return replace(self, delay=seconds)

    def with_headers(self, headers: Mapping[str, str]) -> Reply:
        return replace(self, headers={**self.headers, **headers})


Handler = Callable[[RecordedRequest], "Reply | Any"]


@dataclass
class _Route:
    method: str
    path: str
    query: Mapping[str, str]
    answer: Reply | Handler
    times: int | None

    def matches(self, request: RecordedRequest) -> bool:
        return (self.method == request.method and self.path == request.path
                and all(request.param(k) == v for k, v in self.query.items()))


class FakeVendor:
    """See the module docstring. Use as a context manager, or `start()` / `close()`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[RecordedRequest] = []
        self.unmatched: list[RecordedRequest] = []
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self._server = _Server((host, 0), _handler_for(self))
        self._thread: threading.Thread | None = None
        port = self._server.server_address[1]
        self.url = f"http://{host}:{port}"

    def start(self) -> FakeVendor:
        if self._thread is None:
            # `close` waits for the server's loop to look up from its poll: 10 ms rather than
            # 50 keeps a test suite of hundreds of fakes quick.
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.01}, daemon=True,
                                            name="fake-vendor")
            self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeVendor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url_for(self, path: str, **query: str | int) -> str:
        return f"{self.url}{path}" + (f"?{urlencode(query)}" if query else "")

    # -- routes ------------------------------------------------------------------------------

    def add(self, path: str, answer: Reply | Handler | Any, *, method: str = "GET",
            query: Mapping[str, str | int] | None = None, times: int | None = None) -> None:
        """Answers `method path[?query...]` with `answer`: a Reply, a function of the
        RecordedRequest returning a Reply (or a JSON body), or a JSON body. With `times`,
        only that many times, before the routes without it."""
        if not isinstance(answer, Reply) and not callable(answer):
            answer = Reply.json(answer)
        route = _Route(method.upper(), path, {k: str(v) for k, v in (query or {}).items()},
                       answer, times)
        with self._lock:
            self._routes.append(route)

    def pages(self, path: str, bodies: Sequence[Any], *, param: str = "page",
              values: Sequence[str | None] | None = None, link: bool = False,
              headers: Mapping[str, str] | None = None,
              query: Mapping[str, str | int] | None = None) -> None:
        """Recorded pages: `bodies[k]` answers when the query `param` is `values[k]`
        (default: absent for the first page, then "2", "3"...). With `link`, each page but
        the last carries a `Link: <...>; rel="next"` header to the following one."""
        keys = list(values) if values is not None else [None] + [str(n) for n in
                                                                  range(2, len(bodies) + 1)]
        if len(keys) != len(bodies):
            raise ValueError("one value per page")

        def answer(request: RecordedRequest) -> Reply:
            got = request.param(param)
            index = keys.index(got) if got in keys else (0 if keys[0] is None else -1)
            if index < 0:
                return Reply.error(404, f"no page {param}={got}")
            extra = dict(headers or {})
            if link and index + 1 < len(keys):
                extra["Link"] = f'<{self._next_url(request, param, keys[index + 1])}>; rel="next"'
            return Reply.json(bodies[index], headers=extra)

        self.add(path, answer, query=query)

    def link_pages(self, path: str, items: Sequence[Any], *, per_page: int,
                   wrap: Callable[[list[Any]], Any] | None = None, param: str = "page",
                   headers: Mapping[str, str] | None = None,
                   query: Mapping[str, str | int] | None = None) -> None:
        """`items` served `per_page` at a time at `path?page=N` with GitHub/Okta-style Link
        headers (next and last); `wrap(page_items)` makes the body (default: the list).
        Every page helper takes `query`: the route then answers only requests with it
        (one listing per `role=...`)."""
        chunks = [list(items[i:i + per_page]) for i in range(0, len(items), per_page)] or [[]]

        def answer(request: RecordedRequest) -> Reply:
            number = int(request.param(param) or 1)
            chunk = chunks[number - 1] if 1 <= number <= len(chunks) else []
            extra = dict(headers or {})
            if number < len(chunks):
                following = self._next_url(request, param, str(number + 1))
                last = self._next_url(request, param, str(len(chunks)))
                extra["Link"] = f'<{following}>; rel="next", <{last}>; rel="last"'
            return Reply.json(wrap(chunk) if wrap else chunk, headers=extra)

        self.add(path, answer, query=query)

    def cursor_pages(self, path: str, items: Sequence[Any], *, per_page: int, param: str,
                     wrap: Callable[[list[Any], str | None], Any],
                     query: Mapping[str, str | int] | None = None) -> None:
        """`items` served `per_page` at a time; the page after the first is asked for with
        the query `param` set to the cursor the previous body carried. `wrap(page_items,
        next_cursor)` makes the body (next_cursor None on the last page)."""
        chunks = [list(items[i:i + per_page]) for i in range(0, len(items), per_page)] or [[]]
        cursors = [f"cursor-{n}" for n in range(len(chunks))]

        def answer(request: RecordedRequest) -> Any:
            got = request.param(param)
            index = cursors.index(got) if got in cursors else 0
            if got and got not in cursors:
                return Reply.error(400, f"invalid {param}")
            following = cursors[index + 1] if index + 1 < len(chunks) else None
            return wrap(chunks[index], following)

        self.add(path, answer, query=query)

    def next_link_pages(self, path: str, items: Sequence[Any], *, per_page: int,
                        wrap: Callable[[list[Any], str | None], Any], param: str = "page",
                        query: Mapping[str, str | int] | None = None) -> None:
        """Like `link_pages`, but the next page's absolute URL goes into the body:
        `wrap(page_items, next_url)` (Graph `@odata.nextLink`, Atlassian `links.next`)."""
        chunks = [list(items[i:i + per_page]) for i in range(0, len(items), per_page)] or [[]]

        def answer(request: RecordedRequest) -> Any:
            number = int(request.param(param) or 1)
            chunk = chunks[number - 1] if 1 <= number <= len(chunks) else []
            following = (self._next_url(request, param, str(number + 1))
                         if number < len(chunks) else None)
            return wrap(chunk, following)

        self.add(path, answer, query=query)

    def scim_users(self, path: str, resources: Sequence[Any], *,
                   max_count: int | None = None,
                   query: Mapping[str, str | int] | None = None) -> None:
        """A SCIM 2.0 ListResponse endpoint over `resources`, honouring `startIndex` and
        `count` (capped at `max_count`, as providers do)."""

        def answer(request: RecordedRequest) -> Any:
            start = max(1, int(request.param("startIndex") or 1))
            count = int(request.param("count") or 100)
            if max_count is not None:
                count = min(count, max_count)
            chunk = list(resources[start - 1:start - 1 + count])
            return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                    "totalResults": len(resources), "startIndex": start,
                    "itemsPerPage": len(chunk), "Resources": chunk}

        self.add(path, answer, query=query)

    def requests_to(self, path: str, method: str = "GET") -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path and r.method == method.upper()]

    # -- answering ---------------------------------------------------------------------------

    def _next_url(self, request: RecordedRequest, param: str, value: str | None) -> str:
        query = {k: v[-1] for k, v in request.query.items()}
        if value is None:
            query.pop(param, None)
        else:
            query[param] = value
        return f"{self.url}{request.path}" + (f"?{urlencode(query)}" if query else "")

    def _answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            candidates = [r for r in self._routes if r.matches(request)]
            once = [r for r in candidates if r.times is not None and r.times > 0]
            # The most specific query first; among equals the latest added (it overrides).
            lasting = sorted(reversed([r for r in candidates if r.times is None]),
                             key=lambda r: -len(r.query))
            route = once[0] if once else (lasting[0] if lasting else None)
            if route is None:
                self.unmatched.append(request)
                return Reply.error(404, "Not Found")
            if route.times is not None:
                route.times -= 1
        answer = route.answer
        if isinstance(answer, Reply):
            return answer
        made = answer(request)
        return made if isinstance(made, Reply) else Reply.json(made)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request (killed, cancelled, timed out) is no fault of
        # the vendor's: no traceback on the test's output for it.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _handler_for(vendor: FakeVendor) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real vendors do
        # Headers and body are separate writes: with Nagle's algorithm each keep-alive
        # answer would wait ~40 ms for a delayed ACK.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test output stays clean; requests are in vendor.requests

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = RecordedRequest(self.command, parts.path, parse_qs(parts.query),
                                      httpx.Headers(list(self.headers.items())), body,
                                      time.monotonic())
            reply = vendor._answer(request)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.action == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if reply.action == "cut":
                    self.wfile.write(reply.body[: len(reply.body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout): fine

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return _Handler
