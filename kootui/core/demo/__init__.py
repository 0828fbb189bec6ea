"""The demo workspace: realistic domains, templates, tasks and a sending history.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.demo.seed import reset_demo, seed_demo, seed_demo_if_empty

__all__ = ["reset_demo", "seed_demo", "seed_demo_if_empty"]
