"""The store's tests: an engine on a new database at the head revision, and a tool in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from stackadmin.store.engine import resolve_target
from stackadmin.store.migrate import open_database
from stackadmin.store.models import Tool


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(resolve_target(db_url))
    yield engine
    engine.dispose()


@pytest.fixture
def tool_id(engine: Engine) -> int:
    with Session(engine) as s, s.begin():
        tool = Tool(name="Figma")
        s.add(tool)
        s.flush()
        return tool.id
