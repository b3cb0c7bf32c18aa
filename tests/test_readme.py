"""README.md's two commands and its system packages are what CI runs on a bare machine."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _ci() -> str:
    return (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_apt_line_of_the_readme_lists_the_same_qt_libraries_as_ci() -> None:
    apt = [line for line in _readme().splitlines() if line.strip().startswith("apt-get install")]
    assert len(apt) == 1, apt
    readme_libs = {w for w in apt[0].split() if w.startswith("lib")}
    ci_line = re.search(r'^qt_libs="([^"]+)"$', _ci(), re.M)
    assert ci_line is not None
    assert readme_libs == set(ci_line.group(1).split())
    # the desktop (xcb) platform's own libraries, not only what offscreen needs
    assert {"libxcb-cursor0", "libxcb-icccm4", "libxkbcommon-x11-0", "libx11-xcb1"} <= readme_libs
    assert "sudo" not in apt[0]


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"^    (python3 -m venv .venv .*)$", _readme(), re.M)
    assert any("pip install -e . " in c and c.endswith("stackadmin") for c in commands)
    tests = [c for c in commands if "pytest" in c]
    assert len(tests) == 1
    assert "readme_test_cmd" in _ci() and "sed -n" in _ci()
