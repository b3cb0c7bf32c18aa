"""Which process owns a running sync, and whether that process is still there.

A run records its owner as `host:pid:start`: the host name, the process id and the
process's start time as the kernel counts it (Linux: clock ticks after boot, field 22 of
/proc/<pid>/stat), so that a process id the system has since given to another program is not
taken for the owner. Nothing else goes in: no user, no path, no command line.

A new sync of an integration whose run is still marked running asks `stopped`: a run whose
owner on this host has ended (or whose pid now belongs to a process started at another
moment) was interrupted, at once; otherwise (the owner runs, runs on another host sharing
the database, or is not known) the run counts as stopped only once its heartbeat is `STALE`.

Only Linux is asked about processes (/proc); elsewhere the start time is not recorded and
the heartbeat alone decides (psutil is not a dependency; on Windows `os.kill(pid, 0)` would
end the process, not probe it).
"""

from __future__ import annotations

import enum
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

# A run whose process gave no sign of life for this long was interrupted (killed, crashed).
STALE = timedelta(minutes=5)


class Seen(enum.Enum):
    """What a look at a process id found, when it found no start time."""

    NO_PROCESS = "no process has this id (or it has ended: a zombie)"
    UNREADABLE = "a process has this id, its start time cannot be read"


# A process id → its start time (as `Owner.start` records it), or what was found instead.
Probe = Callable[[int], str | Seen]


class Verdict(enum.Enum):
    """A recorded owner, judged from this process."""

    GONE = "its process on this host has ended, or the pid is another process's now"
    ALIVE = "its process runs on this host"
    ELSEWHERE = "it runs on another host"
    UNKNOWN = "no owner recorded, or this host cannot tell"


@dataclass(frozen=True, slots=True)
class Owner:
    """One process on one host. `start`: its start time as the kernel counts it (None where
    it cannot be read)."""

    host: str
    pid: int
    start: str | None

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.start or ''}"

    @classmethod
    def parse(cls, text: str | None) -> Owner | None:
        """The owner a run recorded, or None (none recorded, or not in this form)."""
        if not text:
            return None
        host, _, rest = text.rpartition(":")  # host names hold no colon, but be sure
        host, _, pid = host.rpartition(":")
        start = rest
        if not host or not pid.isdigit() or (start and not start.isdigit()):
            return None
        return cls(host, int(pid), start or None)


def _linux() -> bool:
    return sys.platform.startswith("linux")


def _stat_fields(pid: int | str) -> list[str]:
    """/proc/<pid>/stat from field 3 (state) on: the name before it (field 2, in
    parentheses) may hold spaces and parentheses itself."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    return text[text.rindex(")") + 2:].split()


def probe(pid: int) -> str | Seen:
    """The start time of the process `pid` on this host (Linux: /proc/<pid>/stat field 22),
    or what was seen instead. A zombie (killed, not yet reaped) counts as no process."""
    if not _linux() or pid <= 0:
        return Seen.UNREADABLE
    try:
        os.kill(pid, 0)  # signal 0 on Linux: is there such a process? (nothing is sent)
    except ProcessLookupError:
        return Seen.NO_PROCESS
    except PermissionError:
        pass  # another user's process: it exists
    except OSError:
        return Seen.UNREADABLE
    try:
        fields = _stat_fields(pid)
    except (OSError, ValueError):
        # Gone meanwhile, or hidden (/proc mounted with hidepid): not sure, so not gone.
        return Seen.UNREADABLE
    if len(fields) < 20:
        return Seen.UNREADABLE
    if fields[0] in ("Z", "X"):  # it has ended; its parent has not collected it yet
        return Seen.NO_PROCESS
    return fields[19]  # field 22, counted from field 3


def this_process() -> Owner:
    """This process, as a run records its owner."""
    start: str | None = None
    if _linux():
        try:
            start = _stat_fields("self")[19]
        except (OSError, ValueError, IndexError):
            start = None
    return Owner(socket.gethostname(), os.getpid(), start)


def judge(recorded: str | None, *, here: str | None = None,
          look: Probe = probe) -> Verdict:
    """The recorded owner of a run, judged from this host (`here`, its host name; `look`,
    how a process is looked at, for tests)."""
    owner = Owner.parse(recorded)
    if owner is None:
        return Verdict.UNKNOWN
    if owner.host != (here if here is not None else socket.gethostname()):
        return Verdict.ELSEWHERE
    if owner.start is None:  # a pid alone may be another process's by now
        return Verdict.UNKNOWN
    seen = look(owner.pid)
    if seen is Seen.NO_PROCESS:
        return Verdict.GONE
    if seen is Seen.UNREADABLE:
        return Verdict.UNKNOWN
    return Verdict.ALIVE if seen == owner.start else Verdict.GONE


def stopped(recorded: str | None, last_heard: datetime, now: datetime, *,
            here: str | None = None, look: Probe = probe) -> bool:
    """True when a run still marked running was interrupted: its owner is gone, or it gave no
    sign of life (`last_heard`) for `STALE`."""
    if last_heard <= now - STALE:
        return True
    return judge(recorded, here=here, look=look) is Verdict.GONE
