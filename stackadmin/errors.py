"""The two kinds of failure: a UserError is told to the user in words; anything else is a bug."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad input, missing database, refused operation).

    Its message is complete, plain words: it is shown as is, without a traceback.
    """


class ValidationError(UserError):
    """Input that does not meet the rules; `problems` lists each one in words."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class NotFoundError(UserError):
    """A named thing (tool, person, term...) does not exist."""


class DatabaseError(UserError):
    """The database cannot be opened or used as asked (newer schema, unreachable server...)."""


class NoDatabaseError(DatabaseError):
    """A command that only reads found no database where it was pointed (never creates one)."""


class DatabaseBusyError(DatabaseError):
    """Another stackadmin held the database for writing longer than we wait."""

    MESSAGE = "the database is busy (another stackadmin is writing); try again"

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)


class DatabaseDamagedError(DatabaseError):
    """The database file is not a readable SQLite database (truncated, overwritten, corrupt)."""


class StaleRecordError(UserError):
    """An edit was based on a version of the record that someone else has changed since.

    Nothing was saved. `current_version` is the version now stored: saving again with it
    replaces the other person's changes on purpose."""

    def __init__(self, message: str, *, entity: str, record_id: int,
                 current_version: int) -> None:
        super().__init__(message)
        self.entity = entity
        self.record_id = record_id
        self.current_version = current_version
