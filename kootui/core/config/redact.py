"""The one way a database URL is made safe to print or log.

The URL is taken apart by hand, not by SQLAlchemy: a password holding a raw ``@`` is
split by SQLAlchemy's parser into a password and a "host" that still shows the rest of
it. Here everything that might be the password is hidden, at the price of sometimes
hiding a little more than the password (see ``redact_database_url``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

MASK = "***"
# Query keys whose values are secrets: password=, sslpassword=, PGPASSWORD-like keys,
# client secrets and tokens; matched case-insensitively, after percent-decoding.
_SECRET_KEY_PARTS = ("password", "passwd", "secret", "token")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")


def redact_database_url(url: str) -> str:
    """The URL with its password and secret query values replaced by ``***``.

    ``postgresql://u:pw@host/db?sslpassword=x&sslmode=require`` becomes
    ``postgresql://u:***@host/db?sslpassword=***&sslmode=require``. The password runs
    from the ``:`` after the user name to the last ``@``: a raw ``@`` in the password
    then stays hidden, and an ``@`` in the query hides the host and the query too rather
    than risk showing a piece of a secret.
    """
    scheme = _SCHEME.match(url)
    head = scheme.group(0) if scheme else ""
    rest = url[len(head) :]
    # A user name never holds ':' or '/'; the first of them decides whether a password
    # can follow ("user:pw@...") or the ':' is a port ("host:5432/db") or nothing is.
    name_end = re.match(r"[^:/]*", rest)
    colon = name_end.end() if name_end else 0
    last_at = rest.rfind("@")
    if colon < len(rest) and rest[colon] == ":" and last_at > colon:
        hidden = rest[colon + 1 : last_at]
        head += rest[: colon + 1] + MASK
        rest = rest[last_at:]
        if "=" in hidden.partition("?")[2]:
            # The last '@' sat in a query value: what follows it may be a secret's tail.
            return f"{head}@{MASK}"
    where, question, query = rest.partition("?")
    if not question:
        return head + where
    return f"{head}{where}?{_redact_query(query)}"


def _redact_query(query: str) -> str:
    shown: list[str] = []
    for pair in query.split("&"):
        key, equals, _value = pair.partition("=")
        if equals and any(part in unquote_plus(key).lower() for part in _SECRET_KEY_PARTS):
            shown.append(f"{key}={MASK}")
        else:
            shown.append(pair)
    return "&".join(shown)
