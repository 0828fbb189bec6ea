"""The bounce MX of ``kootui serve``: an SMTP listener that takes bounces and complaints for
VERP addresses and hands them to ``core.bounces``.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.serve.mx.listener import MxHandler, MxListener, check_mx

__all__ = ["MxHandler", "MxListener", "check_mx"]
