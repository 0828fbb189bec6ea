"""The public endpoints on the tracking host: one-click unsubscription (``/u/<token>``),
the open pixel (``/o/<token>.gif``) and click redirects (``/c/<token>/<n>``).

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.serve.public.routes import public_router

__all__ = ["public_router"]
