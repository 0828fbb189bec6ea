"""One function hides the secrets of a database URL wherever one is shown (issue 18,
class 6): the password in the userinfo and secret-looking query values."""

from __future__ import annotations

import pytest

from kootui.core.config import redact_database_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@host/db", "postgresql://u:***@host/db"),
        ("postgresql+psycopg://u:pw@host:5432/db", "postgresql+psycopg://u:***@host:5432/db"),
        # A raw '@', '/' or '?' in the password: SQLAlchemy would show a piece of it.
        ("postgresql://u:p@ss@host/db", "postgresql://u:***@host/db"),
        ("postgresql://u:pa/ss@host/db?x=1", "postgresql://u:***@host/db?x=1"),
        ("postgresql://u:pa?ss@host/db", "postgresql://u:***@host/db"),
        ("postgresql://u:p%40ss@host/db", "postgresql://u:***@host/db"),
        ("postgresql://host/db?password=pw", "postgresql://host/db?password=***"),
        (
            "postgresql://host/db?sslmode=require&password=pw",
            "postgresql://host/db?sslmode=require&password=***",
        ),
        ("postgresql://host/db?sslpassword=pw", "postgresql://host/db?sslpassword=***"),
        ("postgresql://host/db?PassWord=pw&x=1", "postgresql://host/db?PassWord=***&x=1"),
        ("postgresql://host/db?client_secret=pw", "postgresql://host/db?client_secret=***"),
        ("postgresql://host/db?access_token=pw", "postgresql://host/db?access_token=***"),
        ("postgresql://host/db?pass%77ord=pw", "postgresql://host/db?pass%77ord=***"),
        (
            "postgresql://u:pw@host/db?sslpassword=pw&application_name=k",
            "postgresql://u:***@host/db?sslpassword=***&application_name=k",
        ),
        # An '@' in the query: the host is hidden too rather than risk any of the password.
        ("postgresql://u:pw@host/db?password=a@pw", "postgresql://u:***@***"),
        ("postgresql://host:5432/db?x=a@b", "postgresql://host:***@***"),
        ("postgresql://u@host/db", "postgresql://u@host/db"),
        ("postgresql://host:5432/db", "postgresql://host:5432/db"),
        ("sqlite:////tmp/k/kootui.db", "sqlite:////tmp/k/kootui.db"),
        ("", ""),
        # Not a URL at all: the same rules still apply.
        ("u:pw@host", "u:***@host"),
    ],
)
def test_secrets_are_hidden(url: str, shown: str) -> None:
    assert redact_database_url(url) == shown


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:pw@host/db",
        "postgresql://u:a@b/c?d@pw@host/db?x=y",
        "postgresql://u@x:pw@host/db",
        "postgresql://host/db?x=1&password=pw&y=2",
        "postgresql://host/db?SSLPASSWORD=pw",
        "postgresql://u:pw@host/db?sslpassword=pw",
        "postgresql://u:pw@host/db?sslpassword=x@pw",
        "postgresql://u:pw@host/db?sslpassword=x@y@pw",
        "postgresql://host:5432/db?sslpassword=x@pw",
        "postgresql://host/db?sslpassword=x@pw",
    ],
)
def test_no_piece_of_the_password_is_shown(url: str) -> None:
    assert "pw" not in redact_database_url(url)
