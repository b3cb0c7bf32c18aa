"""Plugin tests: a loopback fake vendor per test, the vendors' documented bodies, a secret
that must never show up anywhere but in the requests sent to the vendor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stackadmin.plugins.testing import FakeVendor

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "ghp_T0pSecretTokenValue1234567890"


def body(name: str) -> Any:
    """A documented example body from tests/plugins/fixtures (a fresh copy each time)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    with FakeVendor() as fake:
        yield fake
