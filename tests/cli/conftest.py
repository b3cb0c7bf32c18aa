from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(db_url: str) -> Run:
    """Runs `stackadmin --db <test database> ARGS...` as a separate process, as a user would."""

    def _run(*args: str, db: str | None = db_url, env: dict[str, str] | None = None) -> Result:
        cmd = [sys.executable, "-m", "stackadmin"]
        if db is not None:
            cmd += ["--db", db]
        proc = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300,
                              env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return _run
