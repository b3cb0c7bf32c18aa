"""The freedesktop link handler: a `stackadmin.desktop` entry under
$XDG_DATA_HOME/applications that makes the desktop hand stackadmin:// links (the digest
e-mail's) to `stackadmin gui LINK`, registered as the default handler with `xdg-mime` when
that program is there. Removing it takes both back. No Qt, no database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from stackadmin.domain.links import MIME_TYPE
from stackadmin.errors import UserError

ENTRY_NAME = "stackadmin.desktop"
_XDG_TIMEOUT_S = 20
# Characters that make an Exec argument need quotes (Desktop Entry Specification, "The Exec
# key"); inside quotes these four are escaped with a backslash.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = set('"`$\\')


@dataclass(frozen=True, slots=True)
class Outcome:
    path: Path
    said: list[str]  # what happened, a sentence each (xdg-mime missing, failed...)


def applications_dir() -> Path:
    """$XDG_DATA_HOME/applications, ~/.local/share/applications when it is not set (or not
    an absolute path, as the XDG spec asks)."""
    data = os.environ.get("XDG_DATA_HOME", "")
    base = Path(data) if data and os.path.isabs(data) else Path.home() / ".local" / "share"
    return base / "applications"


def _config_dir() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME", "")
    return Path(config) if config and os.path.isabs(config) else Path.home() / ".config"


def launcher() -> list[str]:
    """The command that starts this stackadmin: its console script when it is the one
    running (or on PATH), else this Python with `-m stackadmin`."""
    running = Path(sys.argv[0]).absolute() if sys.argv and sys.argv[0] else None
    if running is not None and running.name in ("stackadmin", "stackadmin-cli"):
        script = running.with_name("stackadmin")  # the GUI's script beside the CLI's
        if script.is_file():
            return [str(script)]
    found = shutil.which("stackadmin")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "stackadmin"]


def exec_argument(arg: str) -> str:
    """One argument of an Exec line: quoted when it must be, `%` doubled, and the string
    escapes of a desktop file applied on top (a literal backslash is written four times)."""
    if "\n" in arg or "\r" in arg:
        raise UserError("a path with a line break cannot go into a desktop entry")
    text = arg.replace("%", "%%")
    if any(c in _RESERVED for c in text) or not text:
        text = '"' + "".join("\\" + c if c in _ESCAPED_IN_QUOTES else c for c in text) + '"'
    return text.replace("\\", "\\\\")


def entry_text(command: list[str], db: str | None = None) -> str:
    """The .desktop entry: Exec passes the link (%u) to `gui`, MimeType claims the scheme."""
    args = [*command]
    if db:
        args += ["--db", db]
    args += ["gui"]
    exec_line = " ".join(exec_argument(a) for a in args) + " %u"
    icon = _icon()
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        "Name=stackadmin",
        "GenericName=SaaS inventory",
        "Comment=Which tools the teams pay for, who holds a seat, what each costs, when each "
        "renews",
        f"Exec={exec_line}",
        *([f"Icon={icon}"] if icon else []),
        "Terminal=false",
        "Categories=Office;",
        f"MimeType={MIME_TYPE};",
        "StartupNotify=true",
    ]
    return "\n".join(lines) + "\n"


def _icon() -> str:
    from stackadmin import paths

    icon = paths.resources_dir() / "icons" / "stackadmin.svg"
    return str(icon.resolve()) if icon.is_file() else ""


def _db_argument(db: str | None) -> str | None:
    """The database the links should open: a file path made absolute (the desktop starts
    stackadmin in another folder); a URL as is, unless it holds a password (refused: the
    entry is a plain file)."""
    if not db:
        return None
    if "://" in db:
        from urllib.parse import urlsplit

        if urlsplit(db).password:
            raise UserError("the database URL holds a password, which would be written into "
                            "the desktop entry in plain text: give the URL without it (the "
                            "server's own password file or trust rules can supply it)")
        return db
    return str(Path(db).expanduser().resolve())


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    """Written whole or not at all (a temporary file renamed over it). 0644 for the entry:
    the desktop reads it, and it holds no data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _run(program: str, *args: str) -> str | None:
    """Runs an xdg program; None when it worked, else its words."""
    try:
        done = subprocess.run([program, *args], capture_output=True, text=True,
                              timeout=_XDG_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode != 0:
        words = (done.stderr or done.stdout).strip().splitlines()
        return words[0] if words else f"exit status {done.returncode}"
    return None


def install(db: str | None = None) -> Outcome:
    """Writes the entry (replacing an older one) and makes it the scheme's default handler."""
    path = applications_dir() / ENTRY_NAME
    try:
        _write(path, entry_text(launcher(), _db_argument(db)))
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    said = [f"wrote {path}"]
    xdg_mime = shutil.which("xdg-mime")
    if xdg_mime is None:
        said.append("xdg-mime is not installed, so the entry is not registered as the "
                    f"handler of {MIME_TYPE}; desktops that read MimeType= from the entry "
                    "will still find it (install xdg-utils and run this again to register "
                    "it)")
    else:
        problem = _run(xdg_mime, "default", ENTRY_NAME, MIME_TYPE)
        said.append(f"registered as the default handler of {MIME_TYPE}" if problem is None
                    else f"xdg-mime could not register it: {problem}")
    updater = shutil.which("update-desktop-database")
    if updater is not None:
        _run(updater, str(path.parent))  # a cache some desktops read; harmless if stale
    return Outcome(path, said)


def _unregister() -> bool:
    """Takes stackadmin.desktop out of the scheme's line in mimeapps.list (xdg-mime has no
    command for it); other handlers and every other line are kept as they were."""
    listing = _config_dir() / "mimeapps.list"
    try:
        lines = listing.read_text(encoding="utf-8").splitlines(keepends=True)
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    kept, changed = [], False
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip() == MIME_TYPE:
            entries = [e for e in value.strip().split(";") if e]
            rest = [e for e in entries if e != ENTRY_NAME]
            if rest != entries:
                changed = True
                if rest:
                    kept.append(f"{key}={';'.join(rest)};\n")
                continue
        kept.append(line)
    if changed:
        _write(listing, "".join(kept), listing.stat().st_mode & 0o777)
    return changed


def remove() -> Outcome:
    path = applications_dir() / ENTRY_NAME
    said = []
    try:
        path.unlink()
        said.append(f"removed {path}")
    except FileNotFoundError:
        said.append(f"no {path} to remove")
    except OSError as exc:
        raise UserError(f"cannot remove {path}: {exc.strerror or exc}") from None
    if _unregister():
        said.append(f"no longer the handler of {MIME_TYPE} in {_config_dir() / 'mimeapps.list'}")
    return Outcome(path, said)
