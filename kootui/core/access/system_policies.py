"""The system policies, in the code so they never go stale: their rows in ``iam_policy``
(made by revision 0012) only let them be attached. Narrow one by writing a custom policy
(``Sender`` on one domain: copy it and add ``"Resource": ["sender/*@example.com"]``)."""

from __future__ import annotations

import json

from kootui.core.access.documents import PolicyDocument, parse_policy


def _document(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "1.1", "Statement": list(statements)}, indent=2)


SYSTEM_POLICY_TEXTS: dict[str, str] = {
    "FullAccess": _document({"Effect": "Allow", "Action": ["kooMessage:*:*"]}),
    "ReadOnly": _document({"Effect": "Allow", "Action": ["kooMessage:*:read"]}),
    "Sender": _document(
        {
            "Effect": "Allow",
            "Action": [
                "kooMessage:devSendTask:*",
                "kooMessage:message:send",
                "kooMessage:message:read",
                "kooMessage:sender:read",
                "kooMessage:template:read",
                "kooMessage:domain:read",
                "kooMessage:report:read",
                "kooMessage:workspace:read",
            ],
        }
    ),
    "TemplateApprover": _document(
        {
            "Effect": "Allow",
            "Action": [
                "kooMessage:template:read",
                "kooMessage:template:approve",
                "kooMessage:workspace:read",
            ],
        }
    ),
}

SYSTEM_POLICIES: dict[str, PolicyDocument] = {
    name: parse_policy(text) for name, text in SYSTEM_POLICY_TEXTS.items()
}
FULL_ACCESS = "FullAccess"
