"""Load the CI scripts under `.github/scripts/` as modules (a dotted folder is not an importable package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.support import PROJECT_DIR

SCRIPTS_DIR = PROJECT_DIR / ".github" / "scripts"
WORKFLOWS_DIR = PROJECT_DIR / ".github" / "workflows"


def load_script(name: str) -> ModuleType:
    """`.github/scripts/<name>.py` as a module, loaded once per process."""
    module_name = f"ci_scripts_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    path: Path = SCRIPTS_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
