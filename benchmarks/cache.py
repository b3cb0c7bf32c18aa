"""The demo databases the figures run on, built once and kept: by size, seed and a
fingerprint of the code that writes them (the schema's head revision, the demo builder), as
SQLite files in the cache folder or as databases on the PostgreSQL server given."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from benchmarks.measure import ROOT, run

# The demo sizes (SIZES in services/demo/data.py) and their accounts.
ACCOUNTS = {"small": 0, "medium": 10_000, "large": 100_000, "huge": 1_000_000}


@dataclass(frozen=True)
class Demo:
    """A demo database: `where` is the file or URL to pass as --db."""

    where: str
    size: str
    seed: int
    as_of: date  # the day it was built: its dates are relative to that day
    accounts: int
    built_seconds: float
    built_peak_mb: float

    @property
    def postgresql(self) -> bool:
        return "://" in self.where


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stackadmin" / "benchmarks"


def fingerprint() -> str:
    digest = hashlib.sha256()
    # What the cached demo database is made by: the schema and the demo's code.
    code = ROOT / "stackadmin"
    for path in [*sorted((ROOT / "migrations" / "versions").glob("*.py")),
                 *sorted((code / "services" / "demo").glob("*.py")), code / "store" / "bulk.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _server(url: str) -> tuple[str, str]:
    """(the psycopg URL of the server's database given, the URL without a database)."""
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    head, _, _db = plain.rpartition("/")
    return plain, head


def _admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(_server(url)[0], autocommit=True)


def database_url(url: str, name: str) -> str:
    """`url` (a server's database) pointing at the database `name` on the same server."""
    head = url.rpartition("/")[0]
    return f"{head}/{name}"


def demo(size: str, seed: int, cache: Path, server: str | None = None) -> Demo:
    """The demo database of that size and seed, built on first use."""
    cache.mkdir(parents=True, exist_ok=True)
    key = f"demo-{size}-seed{seed}-{fingerprint()}"
    meta = cache / f"{key}{'-' + _slug(server) if server else ''}.json"
    if server is None:
        where = str(cache / f"{key}.sqlite")
        present = Path(where).exists()
    else:
        name = key.replace("-", "_")
        where = database_url(server, name)
        with _admin(server) as conn:
            present = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                   (name,)).fetchone() is not None
    if present and meta.exists():
        data = json.loads(meta.read_text())
        data["as_of"] = date.fromisoformat(data["as_of"])
        return Demo(**data)
    print(f"building the {size} demo (seed {seed}) in {where} …", flush=True)
    if server is None:
        Path(where).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(where + suffix).unlink(missing_ok=True)
    else:
        with _admin(server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    built = run(["python", "-m", "stackadmin", "--db", where, "demo", "--size", size,
                 "--seed", str(seed)], capture=True)
    accounts = int(built.stdout.rsplit(" terms, ", 1)[1].split()[0])
    result = Demo(where, size, seed, date.today(), accounts, built.seconds, built.peak_mb)
    data = asdict(result)
    data["as_of"] = result.as_of.isoformat()
    meta.write_text(json.dumps(data))
    print(f"  built in {built.seconds:.1f} s, peak memory {built.peak_mb:.0f} MB", flush=True)
    return result


def _slug(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:8]


@contextmanager
def empty_database(folder: Path, server: str | None = None) -> Iterator[str]:
    """A new empty database (a file in `folder`, or a database on the server), removed
    afterwards."""
    name = f"sa_bench_tmp_{uuid.uuid4().hex[:10]}"
    if server is None:
        path = folder / f"{name}.sqlite"
        try:
            yield str(path)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        return
    with _admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(server, name)
    finally:
        with _admin(server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
