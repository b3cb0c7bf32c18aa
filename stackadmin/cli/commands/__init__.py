"""One module per group of subcommands; each defines register(subparsers, common)."""

from __future__ import annotations

import re
from pathlib import Path

# `sub.add_parser("name", ...)`: how every command module declares its subcommands.
_DECLARED = re.compile(r"\bsub\.add_parser\(\s*[\"']([\w-]+)[\"']")


def declared_commands() -> dict[str, list[str]]:
    """Subcommand -> the command modules whose source declares it, read from the files
    without importing them (empty when the sources are not there, e.g. compiled only)."""
    found: dict[str, list[str]] = {}
    try:
        files = sorted(Path(__file__).parent.glob("*.py"))
        for file in files:
            if file.name.startswith("_"):
                continue
            for name in _DECLARED.findall(file.read_text("utf-8")):
                found.setdefault(name, []).append(file.stem)
    except OSError:
        return {}
    return found


def modules_for(command: str) -> list[str]:
    """The modules to import for one subcommand; empty when unknown (then all of them)."""
    return declared_commands().get(command, [])
