"""What the GUI says about a failed piece of work: a known problem in its own words, a bug
named as one with its details in the crash log. Every window and dialog uses it, so it
lives below them all (the main window, the import wizard and the menus import it)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def describe_error(exc: BaseException) -> str:
    """A known problem (UserError) in its own words; a bug named as one, details in the log."""
    from stackadmin.errors import UserError, ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(exc.problems)
    if isinstance(exc, UserError):
        return str(exc)
    from stackadmin import crashlog

    where = crashlog.write(exc)  # the stack goes to the log, not to the terminal
    log.error("unexpected error in the GUI (%s); details in %s", crashlog.one_line(exc), where)
    return (f"Something went wrong ({crashlog.one_line(exc)}). Nothing was changed. "
            f"Details are in {where}.")
