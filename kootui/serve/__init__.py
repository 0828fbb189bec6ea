"""``kootui serve``: the HTTP face (FastAPI on uvicorn) over the same core as the console.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.serve.app import build_http_app
from kootui.serve.server import bind_socket, check_listen, is_loopback, serve_http

__all__ = ["bind_socket", "build_http_app", "check_listen", "is_loopback", "serve_http"]
