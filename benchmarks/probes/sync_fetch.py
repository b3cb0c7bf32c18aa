"""Fetching users served as pages of 100 by a loopback server (50,000 by default), through
stackadmin's HTTP layer and a plugin (records built and checked), vs fetching and parsing the
same pages with bare httpx, in the same process, alternated (target: within 1.3x).

The server runs in its own process with every page rendered beforehand, so neither side
pays for the other's work, and answers at once unless `--latency MS` makes it think that long
per page (real vendors take 100-500 ms). Best of N runs for each side, alternated; `--gc app`
runs both with the desktop app's garbage-collector thresholds (a sync runs in the app's
worker thread), the default is Python's.
Prints {"ours": s, "limit": s, "layer": s} (best runs).

    python -m benchmarks.probes.sync_fetch [scim|copilot] [--users N] [--runs N]
        [--latency MS] [--gc default|app]
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

USERS = 50_000  # --users
PAGE = 100
TARGET = 1.3
RUNS = 5  # --runs


def _scim_pages() -> dict[str, bytes]:
    pages: dict[str, bytes] = {}
    for start in range(1, USERS + 1, PAGE):
        resources = [{
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": f"2819c223-7f76-453a-919d-{i:012d}", "externalId": f"E{i:06d}",
            "userName": f"user{i}@example.com", "active": i % 17 != 0,
            "name": {"givenName": f"Given{i}", "familyName": f"Family{i}",
                     "formatted": f"Given{i} Family{i}"},
            "displayName": f"Given{i} Family{i}",
            "emails": [{"value": f"user{i}@example.com", "type": "work", "primary": True}],
            "roles": [{"value": "admin" if i % 50 == 0 else "User", "primary": False}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": f"Dept {i % 40}", "costCenter": f"CC{i % 12}"},
            "meta": {"resourceType": "User", "created": "2024-01-31T18:25:01.000Z"},
        } for i in range(start, min(start + PAGE, USERS + 1))]
        pages[str(start)] = json.dumps({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": USERS, "startIndex": start, "itemsPerPage": len(resources),
            "Resources": resources}).encode()
    return pages


def _copilot_pages(port: int) -> dict[str, bytes]:
    pages: dict[str, bytes] = {}
    count = USERS // PAGE
    for number in range(1, count + 1):
        first = (number - 1) * PAGE
        seats = [{
            "created_at": "2024-08-03T18:00:00-06:00", "updated_at": "2024-09-23T15:00:00-06:00",
            "pending_cancellation_date": "2026-12-01" if i % 97 == 0 else None,
            "last_activity_at": None if i % 9 == 0 else "2026-10-14T00:53:32-06:00",
            "last_activity_editor": "vscode/1.77.3/copilot/1.86.82", "plan_type": "business",
            "assignee": {"login": f"user{i}", "id": 1000 + i, "node_id": f"MDQ6VXNlcj{i}",
                         "type": "User", "site_admin": False,
                         "url": f"https://api.github.com/users/user{i}"},
        } for i in range(first, first + PAGE)]
        pages[str(number)] = json.dumps({"total_seats": USERS, "seats": seats}).encode()
    return pages


def _serve(kind: str, latency: float, ready: Any, users: int) -> None:
    global USERS
    USERS = users  # a spawned server process does not share the caller's globals
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    pages = _scim_pages() if kind == "scim" else _copilot_pages(port)
    billing = json.dumps({"seat_breakdown": {"total": USERS, "active_this_cycle": USERS},
                          "plan_type": "business"}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if latency:
                time.sleep(latency)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = {"Content-Type": "application/json"}
            if parts.path.endswith("/billing"):
                body = billing
            elif kind == "scim":
                body = pages[query.get("startIndex", ["1"])[0]]
            else:
                number = int(query.get("page", ["1"])[0])
                body = pages[str(number)]
                if number < len(pages):
                    headers["Link"] = (f'<http://127.0.0.1:{port}{parts.path}?per_page={PAGE}'
                                       f'&page={number + 1}>; rel="next"')
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server.RequestHandlerClass = Handler
    ready.send(port)
    server.serve_forever()


def bare(kind: str, base: str) -> int:
    """The floor: the same requests with a bare httpx client, each body parsed as JSON."""
    users: list[Any] = []
    with httpx.Client(timeout=30) as client:
        if kind == "scim":
            for start in range(1, USERS + 1, PAGE):
                body = client.get(f"{base}/Users", params={"startIndex": start,
                                                           "count": PAGE}).json()
                users.extend(body["Resources"])
        else:
            client.get(f"{base}/orgs/acme/copilot/billing").json()
            url: str | None = f"{base}/orgs/acme/copilot/billing/seats?per_page={PAGE}"
            while url:
                response = client.get(url)
                users.extend(response.json()["seats"])
                url = response.links.get("next", {}).get("url")
    return len(users)


def http_layer(kind: str, base: str) -> int:
    """stackadmin's HTTP layer alone: the same pages through VendorHttp.paginate, no records."""
    from stackadmin.plugins.http import VendorHttp
    from stackadmin.plugins.paging import LinkHeader, ScimIndex

    count = 0
    with VendorHttp() as http:
        if kind == "scim":
            pages = http.paginate(f"{base}/Users", ScimIndex(PAGE), items="Resources")
        else:
            http.get_json(f"{base}/orgs/acme/copilot/billing")
            pages = http.paginate(f"{base}/orgs/acme/copilot/billing/seats", LinkHeader(),
                                  params={"per_page": PAGE}, items="seats")
        for page in pages:
            count += len(page.items)
    return count


def plugin(kind: str, base: str) -> int:
    from stackadmin.plugins.host import PluginRun

    if kind == "scim":
        from stackadmin.plugins.builtin.scim import ScimPlugin as cls
        options = {"base_url": base}
    else:
        from stackadmin.plugins.builtin.github_copilot import GitHubCopilotPlugin as cls
        options = {"org": "acme", "base_url": base}
    with PluginRun(cls, options, "benchmark-token") as run:
        result = run.fetch(keep_raw=False)  # as a sync fetches
    assert result.stats.pages == USERS // PAGE, result.stats
    return len(result.accounts)


def main() -> None:
    global USERS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kind", nargs="?", choices=["scim", "copilot"], default="scim")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="the server's think time per page (default 0)")
    parser.add_argument("--gc", choices=["default", "app"], default="default")
    args = parser.parse_args()
    USERS = args.users - args.users % PAGE or PAGE
    kind = args.kind
    if args.gc == "app":
        gc.set_threshold(50_000, 20, 20)  # stackadmin.app.tune_gc, without importing Qt
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=_serve, args=(kind, args.latency / 1000, send,
                                                          USERS), daemon=True)
    server.start()
    port = receive.recv()
    base = f"http://127.0.0.1:{port}"
    labels = ("bare httpx", "HTTP layer", "stackadmin")
    times: dict[str, list[float]] = {label: [] for label in labels}
    try:
        plugin(kind, base)  # warm-up: imports, connections
        for _ in range(args.runs):
            for label, work in zip(labels, (bare, http_layer, plugin), strict=True):
                started = time.perf_counter()
                count = work(kind, base)
                times[label].append(time.perf_counter() - started)
                assert count == USERS, (label, count)
    finally:
        server.terminate()
    print(json.dumps({"ours": min(times["stackadmin"]), "limit": min(times["bare httpx"]),
                      "layer": min(times["HTTP layer"]), "users": USERS}))


if __name__ == "__main__":
    main()
