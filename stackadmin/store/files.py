"""The files a SQLite database owns: created private, and never overwritten by an output.

A database holds people's names and emails, so it, its `-wal`/`-shm` files, its backups and
the folders stackadmin makes for them are readable by their owner only (files 0600, folders
0700) whatever the umask. SQLite gives the `-wal` and `-shm` files the permissions of the
database file, so creating that file 0600 before SQLite opens it is enough for all three.

Outputs (exports, calendars, backups) are checked against the open database's files by
resolved path and by inode: `export people stackadmin.sqlite` would otherwise write a CSV
over the data.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from stackadmin.errors import UserError

# The files SQLite keeps beside a database while it is open (WAL mode) or writing (rollback).
COMPANIONS = ("-wal", "-shm", "-journal")


def backup_name_pattern(database: Path) -> re.Pattern[str]:
    """File names of the automatic and manual backups made beside `database`."""
    return re.compile(rf"{re.escape(database.stem)}\.(manual-)?backup-.+"
                      rf"{re.escape(database.suffix)}")


def database_files(database: Path) -> list[Path]:
    """The database file and the companions SQLite may create beside it."""
    return [database, *(database.with_name(database.name + end) for end in COMPANIONS)]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_database_files(database: Path | None, output: Path) -> None:
    """Raises UserError when writing `output` would overwrite the open database, its
    `-wal`/`-shm`/`-journal` files or one of its backups (the same resolved path, or the
    same file under another name: a hard link)."""
    if database is None:
        return
    target = output.expanduser().resolve()
    db = database.expanduser().resolve()
    exists = target.exists()
    for protected in database_files(db):
        if target == protected or (exists and _same_file(target, protected)):
            what = ("the open database" if protected == db else
                    f"the open database's {protected.name.removeprefix(db.name)} file")
            raise UserError(f"{output} is {what} ({db}); choose another file name")
    backups = backup_name_pattern(db)
    is_backup = target.parent == db.parent and backups.fullmatch(target.name) is not None
    if not is_backup and exists and db.parent.is_dir():
        is_backup = any(backups.fullmatch(sibling.name) and _same_file(target, sibling)
                        for sibling in db.parent.iterdir())
    if is_backup:
        raise UserError(f"{output} is a backup of the open database; choose another file name")


def check_output_file(output: str | Path) -> Path:
    """The path to write an output to, or a UserError in words: a name is given, it is not
    a folder, and its folder exists."""
    text = str(output)
    if not text.strip():
        raise UserError("give the name of the file to write")
    path = Path(text).expanduser()
    if path.is_dir():
        raise UserError(f"{output} is a folder; give a file name to write in it")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"the folder {folder} does not exist")
    # Written beside the target and renamed over it: a link, a pipe or a device there
    # would be replaced by a plain file, not written through.
    if path.is_symlink():
        raise UserError(f"{output} is a link: choose another file name, or the file it "
                        "points to")
    if path.exists() and not path.is_file():
        raise UserError(f"{output} is not a regular file (a device, a pipe or a socket); "
                        "give a file name to write")
    return path
