"""What every limit script shares: the floor import, a driver connection with `?`
placeholders on either engine, values read back the same way, settings and rates."""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy.orm  # noqa: F401  (the floor: every stackadmin command imports it)

from stackadmin.domain.utilization import idle_before
from stackadmin.services.records import RateTable, Settings

HOLDING = "('active', 'invited', 'suspended')"


class Db:
    """A plain DB-API connection; SQL is written with `?` placeholders."""

    def __init__(self, where: str) -> None:
        self.postgresql = "://" in where
        if self.postgresql:
            import psycopg

            url = where.replace("postgresql+psycopg://", "postgresql://", 1)
            self.conn: Any = psycopg.connect(url, autocommit=True)
        else:
            self.conn = sqlite3.connect(where)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.postgresql:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.conn.execute(sql, tuple(params))

    def moment(self, value: datetime) -> Any:
        """A UTC timestamp parameter, compared with stored timestamps."""
        if self.postgresql:
            return value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def day(self, value: date) -> Any:
        return value if self.postgresql else value.isoformat()

    def codepoint(self, expr: str) -> str:
        """Text ordered by code point, as Python orders it."""
        return f'{expr} COLLATE "C"' if self.postgresql else expr

    @staticmethod
    def as_moment(value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @staticmethod
    def as_day(value: Any) -> date | None:
        if value is None or isinstance(value, date):
            return value
        return date.fromisoformat(value)

    def settings(self) -> Settings:
        return Settings.from_stored(dict(self.rows("SELECT key, value FROM setting")))

    def rates(self, day: date, base: str) -> RateTable:
        return RateTable.from_history(base, (
            (c, q, Decimal(r)) for c, q, r in self.rows(
                "SELECT currency, base_currency, rate FROM exchange_rate WHERE as_of <= ? "
                "ORDER BY as_of", [self.day(day)])))

    def cutoff_case(self, day: date, default_days: int) -> tuple[str, list[Any]]:
        """SQL giving each tool's idle cutoff (midnight UTC of today − T), and its params."""
        thresholds = sorted({t for (t,) in self.rows(
            "SELECT DISTINCT coalesce(inactivity_days, ?) FROM tool", [default_days])}
            | {default_days})
        params: list[Any] = [default_days]
        sql = "CASE coalesce(t.inactivity_days, ?)"
        for t in thresholds:
            sql += " WHEN ? THEN ?"
            params += [t, self.moment(datetime.combine(idle_before(day, t), time(),
                                                       tzinfo=UTC))]
        return sql + " END", params


def departed_sql(db: Db, day: date) -> tuple[str, list[Any]]:
    """A person (alias p, outer-joined) has left as of `day`."""
    return ("(CASE WHEN p.end_date IS NOT NULL THEN p.end_date <= ? "
            "ELSE coalesce(p.status, '') = 'departed' END)", [db.day(day)])


def reason_sql(db: Db, day: date, default_days: int) -> tuple[str, list[Any]]:
    """The unused reason of an account (alias a, tool t, person p), or NULL."""
    cut, cut_params = db.cutoff_case(day, default_days)
    gone, gone_params = departed_sql(db, day)
    sql = (f"CASE WHEN NOT (a.status IN {HOLDING} AND NOT a.exempt AND NOT a.is_bot) "
           f"THEN NULL WHEN {gone} THEN 'departed' "
           "WHEN a.status = 'suspended' THEN 'suspended' "
           "WHEN a.status = 'invited' AND a.last_activity IS NULL "
           f"AND coalesce(a.invited_at, a.first_seen) < {cut} THEN 'pending_invite' "
           "WHEN NOT a.activity_known THEN NULL "
           f"WHEN a.last_activity IS NULL THEN CASE WHEN a.first_seen < {cut} "
           "THEN 'never_active' END "
           f"WHEN a.last_activity < {cut} THEN 'inactive' END")
    return sql, [*gone_params, *cut_params, *cut_params, *cut_params]


def active_sql(db: Db, day: date, default_days: int) -> tuple[str, list[Any]]:
    cut, cut_params = db.cutoff_case(day, default_days)
    gone, gone_params = departed_sql(db, day)
    return (f"(a.status IN ('active', 'invited') AND NOT {gone} AND a.activity_known "
            f"AND a.last_activity >= {cut})", [*gone_params, *cut_params])


def arguments(doc: str | None, *, json: bool = False, output: bool = False
              ) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("db")
    if output:
        parser.add_argument("file")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    if json:
        parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def tomorrow(day: date) -> date:
    return day + timedelta(days=1)
