"""pyproject.toml lists kootui's packages by hand (kootui.themes is the top-level themes/
folder, which no package search finds): every folder under kootui/ must be in the list."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_folder_under_kootui_is_a_listed_package():
    on_disk = {
        ".".join(folder.relative_to(REPO).parts)
        for folder in [REPO / "kootui", *(REPO / "kootui").rglob("*")]
        if folder.is_dir() and folder.name != "__pycache__"
    }
    listed = set(_setuptools()["packages"])
    missing = sorted(on_disk - listed)
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"
    gone = sorted(name for name in listed - on_disk if name != "kootui.themes")
    assert not gone, f"these listed packages have no folder: {gone}"


def test_the_themes_folder_is_shipped_as_kootui_themes_with_its_palettes():
    setuptools = _setuptools()
    assert setuptools["package-dir"]["kootui.themes"] == "themes"
    assert "*.toml" in setuptools["package-data"]["kootui.themes"]
    assert (REPO / "themes" / "__init__.py").is_file()
    assert list((REPO / "themes").glob("*.toml"))
