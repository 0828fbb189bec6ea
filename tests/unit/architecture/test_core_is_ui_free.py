"""kootui.core must never import Textual: the core serves the CLI, API and SMTP faces too."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import kootui.core


def test_importing_every_core_module_never_imports_textual() -> None:
    modules = [
        info.name
        for info in pkgutil.walk_packages(kootui.core.__path__, "kootui.core.")
        if ".migrations" not in info.name
    ]
    assert "kootui.core.store.models" in modules
    program = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import kootui.core.config\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_importing_the_store_creates_no_engine(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KOOTUI_HOME", str(tmp_path / "h"))
    program = (
        "import kootui.core.store.engine, kootui.core.store.models, kootui.core.config, kootui.cli"
    )
    subprocess.run([sys.executable, "-c", program], check=True)
    assert not (tmp_path / "h").exists()
