"""The schema itself refuses bad rows, and values come back exactly as stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from stackadmin.domain.money import Money
from stackadmin.store.models import Account, ExchangeRate, Person, SubscriptionTerm, Tool
from stackadmin.store.types import Moments


def _term(tool_id: int, **kw: object) -> SubscriptionTerm:
    values: dict[str, object] = {"tool_id": tool_id, "currency": "USD", "unit_price_minor": 100}
    values.update(kw)
    return SubscriptionTerm(**values)


@pytest.mark.parametrize("bad", [
    {"unit_price_minor": -1},
    {"seats": -3},
    {"currency": "usd"},
    {"currency": "EURO"},
    {"billing_months": 0},
    {"notice_days": -1},
    {"pricing": "per_user"},
    {"status": "paused"},
    {"term_start": date(2027, 1, 1), "renewal_date": date(2026, 1, 1)},
])
def test_bad_terms_are_rejected_by_the_database(engine: Engine, tool_id: int,
                                                bad: dict[str, object]) -> None:
    with Session(engine) as s, pytest.raises((IntegrityError, StatementError)):
        s.add(_term(tool_id, **bad))
        s.commit()


def test_a_term_for_a_missing_tool_is_rejected(engine: Engine) -> None:
    with Session(engine) as s, pytest.raises(IntegrityError):
        s.add(_term(9999))
        s.commit()


def test_one_account_per_tool_and_vendor_id(engine: Engine, tool_id: int) -> None:
    with Session(engine) as s:
        s.add(Account(tool_id=tool_id, external_id="U1", email="a@example.com"))
        s.commit()
        s.add(Account(tool_id=tool_id, external_id="U1", email="b@example.com"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_person_emails_are_unique_and_stored_lower_case(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(Person(email="ada@example.com", name="Ada"))
        s.commit()
        s.add(Person(email="ada@example.com", name="Ada again"))
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
        s.add(Person(email="Bob@Example.com", name="Bob"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_an_exemption_needs_a_reason(engine: Engine, tool_id: int) -> None:
    with Session(engine) as s, pytest.raises(IntegrityError):
        s.add(Account(tool_id=tool_id, email="x@example.com", exempt=True))
        s.commit()


def test_deleting_a_tool_removes_its_terms_and_accounts(engine: Engine, tool_id: int) -> None:
    with Session(engine) as s:
        s.add_all([_term(tool_id), Account(tool_id=tool_id, email="a@example.com")])
        s.commit()
        s.delete(s.get(Tool, tool_id))
        s.commit()
        assert s.scalars(select(SubscriptionTerm)).all() == []
        assert s.scalars(select(Account)).all() == []


@pytest.mark.parametrize(("amount", "currency"), [
    ("1234567.89", "USD"), ("98765432", "JPY"), ("12345.678", "KWD"),
])
def test_money_round_trips_exactly(engine: Engine, tool_id: int, amount: str,
                                   currency: str) -> None:
    money = Money.from_decimal(amount, currency)
    with Session(engine) as s:
        s.add(_term(tool_id, unit_price_minor=money.minor, currency=currency))
        s.commit()
    with Session(engine) as s:
        term = s.scalars(select(SubscriptionTerm)).one()
        back = Money(term.unit_price_minor, term.currency)
    assert back == money
    assert back.plain() == str(Decimal(amount))


def test_timestamps_come_back_aware_in_utc(engine: Engine, tool_id: int) -> None:
    paris = timezone(timedelta(hours=2))
    with Session(engine) as s:
        s.add(Account(tool_id=tool_id, email="a@example.com",
                      last_activity=datetime(2026, 6, 1, 9, 0, tzinfo=paris)))
        s.commit()
    with Session(engine) as s:
        account = s.scalars(select(Account)).one()
        assert account.last_activity == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
        assert account.last_activity.utcoffset() == timedelta(0)
        assert account.first_seen.tzinfo is not None


def test_raw_timestamps_read_as_the_column_reads_them_past_the_remembered_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Moments, "REMEMBERED", 3)
    moment = Moments()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    texts = [(start + timedelta(minutes=7 * i)).strftime("%Y-%m-%d %H:%M:%S.%f")
             for i in range(10)]
    for _ in range(2):  # the second round: three remembered, seven converted again
        assert [moment(t) for t in texts] == [start + timedelta(minutes=7 * i)
                                             for i in range(10)]
    assert len(moment._cache) == 3
    assert moment("2026-06-01 09:00:00+02:00") == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    assert moment(datetime(2026, 6, 1, 9, 0)) == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert moment(None) is None


def test_naive_timestamps_are_refused(engine: Engine, tool_id: int) -> None:
    with Session(engine) as s, pytest.raises(StatementError, match="naive datetime"):
        s.add(Account(tool_id=tool_id, email="a@example.com",
                      last_activity=datetime(2026, 6, 1, 9, 0)))
        s.commit()


def test_exchange_rates_keep_every_digit(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(ExchangeRate(currency="JPY", base_currency="USD", rate=Decimal("0.00671234567"),
                           as_of=date(2026, 11, 1)))
        s.commit()
    with Session(engine) as s:
        assert s.scalars(select(ExchangeRate.rate)).one() == Decimal("0.00671234567")
