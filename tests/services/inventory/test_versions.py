"""Two people editing the same term, tool or person (two windows, two machines): the second
save, based on what they saw before the first one saved, is refused in words instead of
overwriting it; saving again on the current version is a deliberate overwrite. Imports move
the version on too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from stackadmin.domain.vocab import AuditSource
from stackadmin.errors import StaleRecordError
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.services.inventory import people, terms, tools
from stackadmin.services.spreadsheets import importer
from stackadmin.store.models import AuditEvent, Person
from tests.conftest import TODAY


@pytest.fixture
def alice(ctx: ServiceContext) -> ServiceContext:
    return replace(ctx.with_source(AuditSource.UI), actor="alice")


@pytest.fixture
def bob(db_url: str, ctx: ServiceContext) -> Iterator[ServiceContext]:
    other = open_context(db_url, source=AuditSource.UI, today=lambda: TODAY)
    yield replace(other, actor="bob")
    other.close()


def test_the_second_save_of_a_term_is_told_it_changed(alice: ServiceContext,
                                                     bob: ServiceContext) -> None:
    tool = tools.create_tool(alice, name="Figma")
    term = terms.create_term(alice, tool_id=tool.id, currency="USD", unit_price="45", seats=10)
    assert term.version == 1
    seen_by_alice = terms.get_term(alice, term.id)
    seen_by_bob = terms.get_term(bob, term.id)
    saved = terms.update_term(alice, term.id, expected_version=seen_by_alice.version, seats=12)
    assert saved.version == 2
    with pytest.raises(StaleRecordError) as refused:
        terms.update_term(bob, term.id, expected_version=seen_by_bob.version, seats=8)
    message = str(refused.value)
    assert message.startswith("term Figma was changed by someone else after you opened it")
    assert "last saved by alice in the app" in message and "nothing was saved" in message
    assert refused.value.current_version == 2
    assert terms.get_term(bob, term.id).seats == 12  # alice's save stands
    # Bob saves again on the version he was told about: his value, on purpose.
    again = terms.update_term(bob, term.id, expected_version=refused.value.current_version,
                              seats=8)
    assert (again.seats, again.version) == (8, 3)


def test_tools_and_people_are_guarded_the_same_way(alice: ServiceContext,
                                                   bob: ServiceContext) -> None:
    tool = tools.create_tool(alice, name="Slack")
    person = people.create_person(alice, email="ada@example.com", name="Ada")
    tools.update_tool(alice, tool.id, expected_version=tool.version, category="Chat")
    people.update_person(alice, person.id, expected_version=person.version, title="CTO")
    with pytest.raises(StaleRecordError, match="tool Slack was changed"):
        tools.update_tool(bob, tool.id, expected_version=tool.version, category="Messaging")
    with pytest.raises(StaleRecordError, match=r"person ada@example\.com was changed"):
        people.update_person(bob, person.id, expected_version=person.version, title="CEO")
    with pytest.raises(StaleRecordError):
        people.mark_departed(bob, person.id, TODAY, expected_version=person.version)
    with pytest.raises(StaleRecordError):
        terms.renew_term(bob, terms.create_term(alice, tool_id=tool.id, currency="USD").id,
                         expected_version=0)
    assert tools.tool_by_name(bob, "Slack").category == "Chat"
    assert people.get_person(bob, person.id).title == "CTO"


def test_an_unchanged_save_keeps_the_version_and_a_save_without_one_is_not_checked(
        alice: ServiceContext) -> None:
    tool = tools.create_tool(alice, name="Zoom", category="Video")
    same = tools.update_tool(alice, tool.id, expected_version=tool.version, category="Video")
    assert same.version == tool.version
    moved = tools.update_tool(alice, tool.id, category="Calls")  # the CLI: no form, no check
    assert moved.version == tool.version + 1


def test_an_import_moves_the_version_on(alice: ServiceContext, tmp_path: Path) -> None:
    person = people.create_person(alice, email="ada@example.com", name="Ada")
    path = tmp_path / "people.csv"
    path.write_text("email,name,department\nada@example.com,Ada,Research\n")
    plan = importer.import_file(alice, path, "people")
    assert plan.updated == 1
    with pytest.raises(StaleRecordError):
        people.update_person(alice, person.id, expected_version=person.version, title="CTO")
    current = people.get_person(alice, person.id)
    assert current.version == person.version + 1 and current.department == "Research"


def test_each_change_moves_the_version_once(alice: ServiceContext, bob: ServiceContext) -> None:
    """The version counts the saves: none is lost."""
    person = people.create_person(alice, email="ada@example.com")
    for n in range(5):
        who = alice if n % 2 else bob
        people.update_person(who, person.id, title=f"title {n}")
    with alice.read() as session:
        stored = session.scalars(select(Person).where(Person.id == person.id)).one()
        updates = session.scalars(select(AuditEvent).where(
            AuditEvent.entity == "person", AuditEvent.action == "update")).all()
    assert stored.version == 6 and len(updates) == 5
