"""``kootui web``: the console in a browser, through textual-serve (aiohttp).

Every browser connection runs its own ``kootui`` console process, which opens on the
sign-in screen (``--web-session``); the server only carries the terminal's bytes.
"""

from kootui.web.server import WebServer, check_web_listen, session_command

__all__ = ["WebServer", "check_web_listen", "session_command"]
