"""The work of one CLI command, without the interpreter's start: stackadmin and the
command's module are imported first, then `main(ARGS)` is timed (its output thrown away).
What the growth table compares across sizes. Prints {"seconds": ...}.

    python -m benchmarks.probes.work ARGS...
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time


def main() -> None:
    argv = sys.argv[1:]
    from stackadmin.cli import build_parser
    from stackadmin.cli import main as cli_main
    from stackadmin.cli.commands import modules_for

    command = next(a for n, a in enumerate(argv) if not a.startswith("-")
                   and (n == 0 or argv[n - 1] != "--db"))
    build_parser(command)  # imports the command's module and the data stack
    for name in modules_for(command):
        __import__(f"stackadmin.cli.commands.{name}")
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        started = time.perf_counter()
        code = cli_main(argv)
        seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"exit {code}: {' '.join(argv)}")
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main()
