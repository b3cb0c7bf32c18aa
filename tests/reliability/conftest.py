"""The standing reliability suite: crash mid-write, concurrency, file modes.

Each section tries a fixed budget of cases (CI time is bounded; the cases are drawn from a
seeded random generator, so a failure can be replayed with the same seed) and prints one
summary line at the end of the run: cases tried, passed, and rows lost (which must be 0).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

SEED_ENV = "STACKADMIN_RELIABILITY_SEED"


@dataclass
class Section:
    """The tally of one section on one engine."""

    name: str
    engine: str
    tried: int = 0
    passed: int = 0
    rows_lost: int = 0
    notes: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def record(self, ok: bool, *, rows_lost: int = 0, what: str = "",
               **counts: int) -> None:
        self.tried += 1
        self.passed += int(ok)
        self.rows_lost += rows_lost
        for key, value in counts.items():
            self.notes[key] = self.notes.get(key, 0) + value
        if not ok:
            self.failures.append(what)

    def line(self) -> str:
        extra = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(self.notes.items()))
        return (f"reliability · {self.name} ({self.engine}): {self.tried} cases tried, "
                f"{self.passed} passed, {self.rows_lost} rows lost"
                + (f" [{extra}]" if extra else ""))


class Report:
    def __init__(self) -> None:
        self.sections: dict[tuple[str, str], Section] = {}

    def section(self, name: str, engine: str) -> Section:
        return self.sections.setdefault((name, engine), Section(name, engine))


_REPORT = Report()


@pytest.fixture(scope="session")
def reliability() -> Report:
    return _REPORT


@pytest.fixture(scope="session")
def seed() -> int:
    """The cases' random seed: fixed, so CI runs the same cases; set the variable to try
    others."""
    return int(os.environ.get(SEED_ENV, "20261129"))


@pytest.fixture
def rng(seed: int, request: pytest.FixtureRequest) -> Iterator[random.Random]:
    yield random.Random(f"{seed}:{request.node.nodeid}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _REPORT.sections:
        return
    terminalreporter.section("reliability")
    for section in _REPORT.sections.values():
        terminalreporter.write_line(section.line())
        for failure in section.failures[:10]:
            terminalreporter.write_line(f"    failed: {failure}")
