"""`stackadmin documents` and `stackadmin contacts`, run as a user would."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.cli.conftest import Run


def test_documents_add_list_path_and_remove(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"STACKADMIN_DATA_DIR": str(data)}
    assert run("demo", env=env).code == 0
    source = tmp_path / "Figma order form.pdf"
    source.write_bytes(b"%PDF order form")
    added = run("documents", "add", "figma", str(source), "--kind", "order-form", env=env)
    assert added.code == 0, added.err
    assert "added order form 'Figma order form' to Figma (document 1" in added.out
    listed = json.loads(run("documents", "list", "--tool", "Figma", "--json", env=env).out)
    assert [(d["id"], d["kind"], d["title"], d["present"]) for d in listed] == [
        (1, "order_form", "Figma order form", True)]
    copy = Path(run("documents", "path", "1", env=env).out.strip())
    assert copy.read_bytes() == b"%PDF order form" and copy.is_relative_to(data)
    if os.name == "posix":
        assert copy.stat().st_mode & 0o777 == 0o600
    removed = run("documents", "remove", "1", env=env)
    assert removed.code == 0 and not copy.exists() and source.exists()
    assert "no documents yet" in run("documents", "list", env=env).out


def test_documents_refuse_bad_input_in_one_line(run: Run, tmp_path: Path) -> None:
    env = {"STACKADMIN_DATA_DIR": str(tmp_path / "data")}
    assert run("demo", env=env).code == 0
    source = tmp_path / "x.pdf"
    source.write_bytes(b"x")
    for args, words in (
            (("documents", "add", "Nope", str(source), "--kind", "contract"),
             "there is no tool named 'Nope'"),
            (("documents", "add", "Figma", str(tmp_path / "gone.pdf"), "--kind", "contract"),
             "does not exist"),
            (("documents", "add", "Figma", str(source), "--kind", "brochure"),
             "document kind must be one of contract, order_form"),
            (("documents", "path", "7"), "there is no document with id 7")):
        result = run(*args, env=env)
        assert result.code == 1
        assert result.err.startswith("stackadmin: error: ") and words in result.err
        assert len(result.err.strip().splitlines()) == 1
    assert run("documents", "add", "Figma", str(source), env=env).code == 2  # no --kind


def test_contacts_add_list_and_remove(run: Run) -> None:
    assert run("demo").code == 0
    added = run("contacts", "add", "Figma", "--name", "Jo Rep", "--role", "Account manager",
                "--email", "JO@figma.example")
    assert added.code == 0 and "added contact Jo Rep to Figma" in added.out
    listed = json.loads(run("contacts", "list", "--json").out)
    assert listed == [{"id": 1, "tool": "Figma", "name": "Jo Rep", "role": "Account manager",
                       "email": "jo@figma.example", "phone": None, "notes": None}]
    bad = run("contacts", "add", "Figma", "--name", "X", "--email", "nope")
    assert bad.code == 1 and "'nope' is not an email address" in bad.err
    assert run("contacts", "remove", "1").code == 0
    assert "no contacts yet" in run("contacts", "list").out
