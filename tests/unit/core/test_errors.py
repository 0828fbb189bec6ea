from __future__ import annotations

from kootui.core.errors import Conflict, KootuiError, LimitReached, NotFound, ValidationError


def test_error_carries_code_field_and_message() -> None:
    error = ValidationError("must be 1 to 66 characters", field="name", code="domain.name_length")
    assert error.code == "domain.name_length"
    assert error.field == "name"
    assert str(error) == "name: must be 1 to 66 characters"
    assert error.as_dict() == {
        "code": "domain.name_length",
        "message": "must be 1 to 66 characters",
        "field": "name",
    }
    assert error.http_status == 422


def test_default_codes_and_statuses_per_kind() -> None:
    assert LimitReached("10 domains at most").code == "limit.reached"
    assert LimitReached("x", code="domain.limit_reached").code == "domain.limit_reached"
    assert NotFound("no such domain").http_status == 404
    assert Conflict("in use").http_status == 409
    assert isinstance(Conflict("in use"), KootuiError)
    assert str(NotFound("no such domain")) == "no such domain"
