"""The console opens its store in two steps, on its worker threads (kootui/cli/console.py):
readable first (the workspace row, what the Overview's figures need), then the rest (the
public templates, the engine). Closing waits for both and closes what was opened."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from kootui.cli.console import ConsoleStore
from kootui.core.config import Settings
from kootui.core.context import Context
from kootui.core.store import Template
from kootui.core.workspace import get_workspace


def _public_templates(context: Context) -> int:
    public = select(func.count()).where(col(Template.public_key).is_not(None))
    with context.store.session() as session:
        return int(session.execute(public.select_from(Template)).scalar_one())


def test_readable_first_then_the_public_templates_when_finished(settings: Settings) -> None:
    store = ConsoleStore(settings, with_engine=False)
    try:
        context = store.open()  # a new home: the store is created and migrated
        assert get_workspace(context).name == "My workspace"
        assert _public_templates(context) == 0
        store.finish(context)
        assert _public_templates(context) > 0
        assert store.engine is None  # --no-engine
    finally:
        store.close()
    with pytest.raises(RuntimeError, match="ended before its store was open"):
        store.open()


def test_collection_is_on_again_once_the_console_has_opened(settings: Settings) -> None:
    # `kootui` starts the console with collection off; the end of opening turns it on.
    store = ConsoleStore(settings, with_engine=False)
    gc.disable()
    try:
        context = store.open()
        assert not gc.isenabled()  # still starting: the figures come first
        store.finish(context)
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()  # this test process's objects, frozen as the console's would be
        store.close()
