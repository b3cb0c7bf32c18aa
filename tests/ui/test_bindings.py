"""PySide6's per-module feature scan is off in the GUI process: no module imported after
the window reads its own source for it, and nothing in stackadmin needs it."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import stackadmin
from stackadmin.ui import bindings

_PROBE = textwrap.dedent("""
    import inspect, sys
    sys.path.insert(0, sys.argv[1])
    import PySide6.QtCore  # noqa: F401  (installs the import hook and its scan)
    from stackadmin.ui.bindings import FEATURE_MODULE, skip_feature_scan

    read = []
    real = inspect.getsource
    def counting(obj, *args, **kw):
        read.append(getattr(obj, "__name__", "?"))
        return real(obj, *args, **kw)
    inspect.getsource = counting
    features = sys.modules[FEATURE_MODULE].pyside_feature_dict

    import uses_qt_before  # noqa: F401
    before = (features.get("uses_qt_before"), "uses_qt_before" in read)
    print("skipped", skip_feature_scan())
    import uses_qt_after  # noqa: F401
    after = (features.get("uses_qt_after"), "uses_qt_after" in read)
    print("before", *before)
    print("after", *after)
""")


def test_modules_imported_after_it_are_not_read_for_features(tmp_path: Path) -> None:
    for name in ("uses_qt_before", "uses_qt_after"):
        (tmp_path / f"{name}.py").write_text("import PySide6\nVALUE = 1\n", "utf-8")
    result = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["skipped"] == "True"
    # Before: PySide6 read the module's source and found "PySide6" in it (0: no feature).
    assert lines["before"] == "0 True"
    # After: nothing read; the module is left out of feature switching (-1), which is what
    # a module without a `from __feature__ import …` gets when no module switches any on.
    assert lines["after"] == "-1 False"


def test_nothing_in_stackadmin_switches_features_on() -> None:
    package = Path(stackadmin.__file__).parent
    switch = re.compile(r"^\s*(from\s+__feature__\s+import|import\s+__feature__)", re.M)
    users = [str(p.relative_to(package)) for p in package.rglob("*.py")
             if switch.search(p.read_text("utf-8"))]
    assert users == []


def test_without_the_scan_it_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, bindings.FEATURE_MODULE, raising=False)
    assert bindings.skip_feature_scan() is False
