"""Benchmark: a whole sync of 50,000 users served as 500 pages by a loopback server (fetch,
records, reconcile, one transaction into a SQLite file) vs fetching and parsing the same
pages with bare httpx, in the same run: what making records and writing them adds to the
fetch (the fetch alone is benchmarks/probes/sync_fetch.py's, with its 1.3x target; the reconcile
alone is benchmarks/sync_reconcile.py's).

The server is benchmarks/probes/sync_fetch.py's (its own process, pages rendered beforehand,
`--latency MS` of think time per page; real vendors take 100-500 ms). Measured: the first
sync (50,000 accounts added) and the next one (nothing changed), best of N alternated with
the bare fetch. The adoption snapshot a sync refreshes afterwards is left out (it is the
utilization report's cost, benchmarks/savings_page.py).
Run: python -m benchmarks.sync_full [scim|copilot] [--latency MS] [--runs N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.probes.sync_fetch import PAGE, USERS, _serve, bare


class _Keyring:
    """An in-memory keyring backend for the benchmark's token."""

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, name: str) -> str | None:
        return self.store.get((service, name))

    def set_password(self, service: str, name: str, value: str) -> None:
        self.store[(service, name)] = value

    def delete_password(self, service: str, name: str) -> None:
        self.store.pop((service, name), None)


def setup(kind: str, base: str, folder: Path, n: int) -> tuple[Any, Any]:
    from stackadmin.secrets import SecretStore
    from stackadmin.services.context import open_context
    from stackadmin.services.sync import integrations

    ctx = open_context(str(folder / f"sync-{n}.sqlite"))
    secrets = SecretStore(_Keyring())
    options = ({"base_url": base} if kind == "scim" else {"org": "acme", "base_url": base})
    integrations.add_integration(ctx, "scim" if kind == "scim" else "github-copilot", "bench",
                                 "Bench", options, "benchmark-token", secrets=secrets)
    return ctx, secrets


def one_sync(ctx: Any, secrets: Any) -> Any:
    from stackadmin.services.sync import engine

    result = engine.sync(ctx, "bench", secrets=secrets, force=True, snapshot=False)
    assert result.ok, result.error
    assert result.pages == USERS // PAGE, result.pages
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kind", nargs="?", choices=["scim", "copilot"], default="scim")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=_serve,
                                     args=(args.kind, args.latency / 1000, send), daemon=True)
    server.start()
    port = receive.recv()
    base = bare_base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="stackadmin-bench-"))
    times: dict[str, list[float]] = {"bare": [], "first": [], "again": []}
    cpu: dict[str, list[float]] = {"bare": [], "first": [], "again": []}
    try:
        bare(args.kind, bare_base)  # warm-up: imports, connections
        for n in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            assert bare(args.kind, bare_base) == USERS
            times["bare"].append(time.perf_counter() - t0)
            cpu["bare"].append(time.process_time() - c0)
            ctx, secrets = setup(args.kind, base, folder, n)
            for label in ("first", "again"):
                t0, c0 = time.perf_counter(), time.process_time()
                result = one_sync(ctx, secrets)
                times[label].append(time.perf_counter() - t0)
                cpu[label].append(time.process_time() - c0)
                # (SCIM: the inactive users, never seen before, are not added.)
                if label == "first":
                    assert result.added > USERS * 0.9 and result.unchanged == 0, result
                else:
                    assert (result.added, result.changed, result.deprovisioned) == (
                        0, 0, 0) and result.unchanged > USERS * 0.9, result
            ctx.close()
    finally:
        server.terminate()
    floor = min(times["bare"])
    print(f"{args.kind}: {USERS:,} users in {USERS // PAGE} pages, server latency "
          f"{args.latency:g} ms a page; load average {os.getloadavg()[0]:.1f}")
    print(f"  bare httpx (fetch + json): {floor:.2f} s, CPU {min(cpu['bare']):.2f} s")
    for label, text in (("first", "first sync (all added)"), ("again", "next sync (none "
                                                                       "changed)")):
        best = min(times[label])
        print(f"  stackadmin {text}: {best:.2f} s, CPU {min(cpu[label]):.2f} s, "
              f"{best / floor:.2f}x  (runs: " + ", ".join(f"{t:.2f}" for t in times[label])
              + ")")


if __name__ == "__main__":
    main()
