"""PySide6's per-module feature scan, turned off for the GUI process.

PySide6 replaces `__import__` so that every module imported after it is asked whether it
"uses PySide6", for its `__feature__` switches (`from __feature__ import snake_case`): the
answer comes from reading the module's whole source through `inspect.getsource` (its file
read, its encoding looked up, its lines cached). Importing the data stack after the window
pays that for each of several hundred modules: ~40 ms of SQLAlchemy's import and ~15 ms of
stackadmin's, measured on this machine (docs/platform-notes.md).

stackadmin uses no `__feature__` switch (tests/ui/test_bindings.py checks its sources), and
neither do its dependencies, so the answer does not matter: a module that does not switch
features on keeps the default selection, which is no feature at all. `skip_feature_scan`
answers "no" without reading anything. Should a module switch features on all the same,
its own `from __feature__ import …` records its switches as before.
"""

from __future__ import annotations

import sys
from types import ModuleType

FEATURE_MODULE = "shibokensupport.feature"  # where PySide6 keeps the scan


def _uses_no_features(_module: ModuleType) -> bool:
    return False


def skip_feature_scan() -> bool:
    """Turns the scan off (PySide6 must be imported); False when this PySide6 has no such
    scan (a later version may drop it), and nothing changes."""
    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _uses_no_features  # type: ignore[attr-defined]
    return True
