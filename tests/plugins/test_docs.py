"""docs/plugins.md stays true: its example plugin and its tests run as written, and every
name the contract exports is documented there."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from stackadmin.plugins import api
from stackadmin.plugins.testing import check_metadata

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def _files() -> dict[str, str]:
    blocks = re.findall(r"```python\n# file: (\S+)\n(.*?)```", DOC.read_text(encoding="utf-8"),
                        re.S)
    return {name: source for name, source in blocks}


def test_the_documented_plugin_and_its_tests_run(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files()
    assert set(files) == {"stackadmin_example_hr.py", "test_example_hr.py"}
    for name, source in files.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        plugin_module = importlib.import_module("stackadmin_example_hr")
        check_metadata(plugin_module.ExampleHrPlugin)
        tests = importlib.import_module("test_example_hr")
        names = [n for n in dir(tests) if n.startswith("test_")]
        assert len(names) == 3
        for name in names:
            getattr(tests, name)()
    finally:
        for name in ("stackadmin_example_hr", "test_example_hr"):
            sys.modules.pop(name, None)


def test_every_name_of_the_contract_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in api.__all__ if not re.search(rf"\b{re.escape(name)}\b", text)]
    assert not missing, f"not in docs/plugins.md: {missing}"
