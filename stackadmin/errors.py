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
