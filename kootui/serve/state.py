"""What the routes share: the context, the settings, the key gate, the checker, the intake."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.submissions import Intake, SubmissionChecker
from kootui.serve.auth import Caller, KeyGate


@dataclass
class ApiState:
    context: Context
    settings: Settings
    gate: KeyGate
    checker: SubmissionChecker
    intake: Intake

    @property
    def max_body(self) -> int:
        return self.settings.http.max_body_bytes


def api_state(request: Request) -> ApiState:
    state = request.app.state.api
    assert isinstance(state, ApiState)
    return state


async def caller(request: Request) -> Caller:
    return await api_state(request).gate.caller(request)
