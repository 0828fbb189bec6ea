"""Domain, address, key, login and user ids are never reused (SQLite AUTOINCREMENT)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 00:50:00

0018 did it for messages, events, tasks and templates. These ids outlive their rows too:
the Statistics Report's hourly rows keep a deleted domain's and address's ids as history
(plain ids, no foreign key), so a new domain that took a deleted one's id would show its
mail as its own; a daily limit names a user by id (``user/<id>``), so a new user would
inherit a deleted one's limit and the day's count; API keys and SMTP logins are named by
id in their rate buckets and limits. The recipe is 0018's (``autoincrement.py``).
"""

from kootui.core.store.migrations.autoincrement import add_autoincrement, drop_autoincrement

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_REBUILT = ("sender_domain", "sender_address", "api_key", "smtp_credential", "iam_user")


def upgrade() -> None:
    add_autoincrement(revision, _REBUILT)


def downgrade() -> None:
    drop_autoincrement(revision, _REBUILT)
