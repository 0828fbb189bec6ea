"""The workspace's time zone: the machine's by default, read from TZ, /etc/localtime or
/etc/timezone; a name that is not a zone refused naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kootui.core.clock import machine_time_zone
from kootui.core.context import Context
from kootui.core.errors import ValidationError
from kootui.core.workspace import get_workspace, update_workspace


def test_the_machine_zone_comes_from_tz_then_the_localtime_link_then_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zoneinfo = tmp_path / "usr" / "share" / "zoneinfo" / "Europe"
    zoneinfo.mkdir(parents=True)
    (zoneinfo / "Berlin").write_bytes(b"TZif")
    etc = tmp_path / "etc"
    etc.mkdir()
    localtime = etc / "localtime"
    localtime.symlink_to(zoneinfo / "Berlin")
    monkeypatch.setenv("TZ", ":Asia/Tokyo")
    assert machine_time_zone(localtime) == "Asia/Tokyo"
    monkeypatch.setenv("TZ", "not a zone")
    assert machine_time_zone(localtime) == "Europe/Berlin"
    monkeypatch.delenv("TZ")
    localtime.unlink()
    (etc / "timezone").write_text("America/Santiago\n", encoding="utf-8")
    assert machine_time_zone(localtime) == "America/Santiago"
    (etc / "timezone").unlink()
    assert machine_time_zone(localtime) == "UTC"


def test_the_workspace_zone_is_set_checked_and_reset_to_the_machines(
    context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    view = get_workspace(context)
    assert (view.time_zone, view.time_zone_is_machine) == ("Pacific/Auckland", True)
    view = update_workspace(context, time_zone=" Europe/Berlin ")
    assert (view.time_zone, view.time_zone_is_machine) == ("Europe/Berlin", False)
    for bad in ("Mars/Olympus", "../../etc/passwd", "/usr/share/zoneinfo/UTC"):
        with pytest.raises(ValidationError) as refused:
            update_workspace(context, time_zone=bad)
        assert refused.value.field == "time_zone"
        assert refused.value.code == "workspace.time_zone"
    assert get_workspace(context).time_zone == "Europe/Berlin"
    assert update_workspace(context, time_zone="machine").time_zone == "Pacific/Auckland"
