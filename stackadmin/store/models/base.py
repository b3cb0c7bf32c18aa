"""What every table shares: the declarative base with its naming convention, timestamps, checks."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, MetaData, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from stackadmin.domain import vocab
from stackadmin.store.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def check_in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in vocab.values(enum))})"


CURRENCY_OK = "length(currency) = 3 AND currency = upper(currency)"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic locking for records people edit in forms (two windows, two people): every
    UPDATE sets `version` to one more and only succeeds on the version it read, so an edit
    made from an out-of-date form is refused instead of silently overwriting the other.
    The services hand the version out with each row and take it back with each edit."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}
