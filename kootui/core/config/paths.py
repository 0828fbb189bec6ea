"""Where kootui keeps its files: the data, config and state folders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "kootui"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path
    state_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database_file(self) -> Path:
        return self.data_dir / "kootui.db"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "kootui.log"

    @property
    def ui_state_file(self) -> Path:
        return self.state_dir / "ui-state.json"

    @property
    def demo_dir(self) -> Path:
        return self.data_dir / "demo"


def default_paths(environ: Mapping[str, str]) -> Paths:
    home = environ.get("KOOTUI_HOME", "").strip()
    if home:
        root = Path(home).expanduser()
        return Paths(root / "data", root / "config", root / "state")
    dirs = PlatformDirs(APP_NAME, appauthor=False)
    return Paths(Path(dirs.user_data_dir), Path(dirs.user_config_dir), Path(dirs.user_state_dir))
