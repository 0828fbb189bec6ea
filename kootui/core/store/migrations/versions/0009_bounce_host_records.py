"""The bounce host's MX and SPF records for existing sender domains

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 19:45:00

Messages now leave with a VERP return path on ``bounce.<domain>`` (``core/mail/verp.py``),
so every sender domain has two more records to publish: the bounce host's MX (pointing at
``sending.mx_host``) and its SPF. Domains made from now on get them with the others; this
revision gives existing domains pending rows, so the domain page and ``kootui domain
doctor`` show them as records to publish and check, not as a silent change. The expected
values come from the settings when shown (an empty stored value reads as "changed since the
last check"), so none is guessed here. The label is the default ``bounce``; a deployment
that chose another label gets the rows replaced by its next verification.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_NOTE = "new record for bounces (revision 0009): publish it, then verify the domain again"


def upgrade() -> None:
    for purpose, rtype in (("bounce_mx", "MX"), ("bounce_spf", "TXT")):
        op.execute(
            sa.text(
                "INSERT INTO dns_record "
                "(domain_id, purpose, rtype, name, expected, required, status, found, detail) "
                "SELECT d.id, :purpose, :rtype, 'bounce.' || d.name, '', :required, "
                "'pending', '[]', :note FROM sender_domain d "
                "WHERE NOT EXISTS (SELECT 1 FROM dns_record r "
                "WHERE r.domain_id = d.id AND r.purpose = :purpose)"
            ).bindparams(purpose=purpose, rtype=rtype, required=False, note=_NOTE)
        )


def downgrade() -> None:
    op.execute("DELETE FROM dns_record WHERE purpose IN ('bounce_mx', 'bounce_spf')")
