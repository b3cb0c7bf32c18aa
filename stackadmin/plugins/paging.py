"""How vendors hand out the next page: a Link header, a URL or a cursor in the body, SCIM's
start index. Each style is a small object `VendorHttp.paginate` asks for the next request."""

from __future__ import annotations

import abc
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

from stackadmin.plugins.answers import with_params
from stackadmin.plugins.errors import BadResponse
from stackadmin.plugins.values import dig

Params = Mapping[str, str | int]
# One link of a Link header (RFC 8288): `<url>` and its parameters, whose values may be
# quoted strings holding `,` or `;` (a title="a, b" must not end the link before its rel).
_PARAM = r'\s*;\s*[^;,=\s]+\s*(?:=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))?'
_LINK = re.compile(rf"<([^>]*)>((?:{_PARAM})*)")
_PARAMS = re.compile(r'\s*;\s*([^;,=\s]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*))?')


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page's request: the URL and the query parameters added to it."""

    url: str
    params: Params = field(default_factory=dict)

    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What makes two page requests the same one (the repeated-page guard): the URL
        without its query, and every query parameter, in any order."""
        if "?" not in self.url and "#" not in self.url:
            # The common case (a cursor or an index in `params` of the same URL): the URL is
            # read once, the parameters are what the query would give back.
            return (_without_query(self.url),
                    tuple(sorted((k, str(v)) for k, v in self.params.items())))
        merged = with_params(self.url, self.params)
        return (str(merged.copy_with(query=None, fragment=None)),
                tuple(sorted(merged.params.multi_items())))


@functools.lru_cache(maxsize=256)
def _without_query(url: str) -> str:
    return str(httpx.URL(url).copy_with(query=None, fragment=None))


@dataclass(frozen=True, slots=True)
class JsonResponse:
    """A vendor's answer, its body already parsed from JSON."""

    url: str
    status: int
    headers: httpx.Headers
    body: Any


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing. `number` counts from 1 (again from 1 after a restart, and
    `restarts` says how many there were); `total` is the vendor's count of all items when
    it says one (SCIM `totalResults`, Copilot `total_seats`)."""

    number: int
    url: str
    body: Any
    items: list[Any]
    total: int | None
    restarts: int = 0


class Paging(abc.ABC):
    """A pagination style. `first` may add parameters to the first request; `next` reads a
    page's answer and returns the next request, or None at the end."""

    def first(self, request: PageRequest) -> PageRequest:
        return request

    @abc.abstractmethod
    def next(self, request: PageRequest, response: JsonResponse,
             items: list[Any]) -> PageRequest | None: ...

    def describe(self, request: PageRequest) -> str:
        """How a repeated request is named in the error (a URL, a cursor...)."""
        return request.url


class LinkHeader(Paging):
    """`Link: <url>; rel="next"` (GitHub, Okta): the URL is followed as given; no Link header,
    or none with rel=next, ends the listing (a short page with a next link goes on)."""

    def next(self, request: PageRequest, response: JsonResponse,
             items: list[Any]) -> PageRequest | None:
        link = _links(response.headers).get("next")
        if not link:
            return None
        return PageRequest(urljoin(response.url, link))


class NextUrl(Paging):
    """A next-page URL inside the body at `path`: Graph `@odata.nextLink`, Atlassian's
    `links` → `next`. Missing, null or "" ends the listing."""

    def __init__(self, *path: str) -> None:
        if not path:
            raise ValueError("NextUrl needs the path of the next link in the body")
        self.path = path

    def next(self, request: PageRequest, response: JsonResponse,
             items: list[Any]) -> PageRequest | None:
        value = dig(response.body, *self.path)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise BadResponse(f"the vendor's next-page link ({'.'.join(self.path)}) is "
                              f"{type(value).__name__}, not a URL", url=response.url)
        return PageRequest(urljoin(response.url, value))


class Cursor(Paging):
    """A cursor inside the body at `path`, sent back as the query parameter `param`: Slack
    (`cursor`, `response_metadata.next_cursor`), Google (`pageToken`, `nextPageToken`), Zoom
    (`next_page_token`, `next_page_token`). Missing, null or "" ends the listing."""

    def __init__(self, param: str, *path: str) -> None:
        if not path:
            raise ValueError("Cursor needs the path of the cursor in the body")
        self.param = param
        self.path = path

    def next(self, request: PageRequest, response: JsonResponse,
             items: list[Any]) -> PageRequest | None:
        value = dig(response.body, *self.path)
        if value is None or value == "":
            return None
        if not isinstance(value, str | int):
            raise BadResponse(f"the vendor's next-page cursor ({'.'.join(self.path)}) is "
                              f"{type(value).__name__}, not text", url=response.url)
        return PageRequest(request.url, {**request.params, self.param: str(value)})

    def describe(self, request: PageRequest) -> str:
        cursor = str(request.params.get(self.param, ""))
        shown = cursor if len(cursor) <= 24 else cursor[:20] + "…"
        return f"the cursor '{shown}'"


class PageNumber(Paging):
    """Numbered pages, `param` = 1, 2, 3... (Slack `team.accessLogs`: `page`, with the
    count in `paging.pages`). The listing ends at the page count the body gives at
    `pages_path`, or, without one, at the first page that holds no items."""

    def __init__(self, param: str = "page", *pages_path: str, first: int = 1) -> None:
        self.param = param
        self.pages_path = pages_path
        self.first_number = first

    def first(self, request: PageRequest) -> PageRequest:
        return PageRequest(request.url, {**request.params, self.param: self.first_number})

    def next(self, request: PageRequest, response: JsonResponse,
             items: list[Any]) -> PageRequest | None:
        number = int(request.params.get(self.param, self.first_number))
        pages = dig(response.body, *self.pages_path) if self.pages_path else None
        if isinstance(pages, int) and not isinstance(pages, bool):
            if number >= pages:
                return None
        elif not items:
            return None
        return PageRequest(request.url, {**request.params, self.param: number + 1})

    def describe(self, request: PageRequest) -> str:
        return f"page {request.params.get(self.param)}"


class ScimIndex(Paging):
    """SCIM 2.0 (RFC 7644 §3.4.2.4): `startIndex` from 1 and `count`; the next index is this
    page's start plus the resources it held (servers may return fewer than asked), until
    `totalResults` is reached. An empty page before that is an error: ending early would
    read as if the missing users had been removed."""

    def __init__(self, count: int = 100) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self.count = count

    def first(self, request: PageRequest) -> PageRequest:
        return PageRequest(request.url, {**request.params, "startIndex": 1, "count": self.count})

    def next(self, request: PageRequest, response: JsonResponse,
             items: list[Any]) -> PageRequest | None:
        total = _int_field(response, "totalResults")
        start = _int_field(response, "startIndex") or int(request.params.get("startIndex", 1))
        if total is None:
            raise BadResponse("the SCIM answer has no totalResults", url=response.url)
        after = start + len(items)
        if after > total:
            return None
        if not items:
            raise BadResponse(f"the SCIM server stopped at {start - 1} of the {total} users it "
                              "announced (an empty page before the end)", url=response.url)
        return PageRequest(request.url, {**request.params, "startIndex": after})

    def describe(self, request: PageRequest) -> str:
        return f"startIndex {request.params.get('startIndex')}"


def _int_field(response: JsonResponse, name: str) -> int | None:
    value = dig(response.body, name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadResponse(f"the SCIM answer's {name} is not a number", url=response.url)
    try:
        return int(value)
    except ValueError:
        raise BadResponse(f"the SCIM answer's {name} '{value}' is not a number",
                          url=response.url) from None


def _links(headers: httpx.Headers) -> dict[str, str]:
    """rel → URL from every Link header (a vendor may send several; a URL may hold commas)."""
    found: dict[str, str] = {}
    for header in headers.get_list("link"):
        for match in _LINK.finditer(header):
            for key, value in _PARAMS.findall(match.group(2)):
                if key.lower() == "rel":
                    for rel in value.strip('"').split():
                        found.setdefault(rel.lower(), match.group(1).strip())
    return found
