"""What a kootui process makes while it starts lives as long as the process: the garbage
collector should not walk it again.

A full collection walks every object the collector tracks, with the GIL held. In
``kootui serve``, once FastAPI, SQLAlchemy, pydantic and the core have loaded, that is
some 170,000 objects and 55-85 ms; under load the API ran one every 0.5-5 s, each holding
every request in flight, and two in ten seconds were the p99 at 500 requests/s (75-95 ms;
29-45 ms with start-up frozen, bench/RESULTS.md). The console's start-up paid the same
(about 100 ms of processor before the Overview's figures).

So these processes start with collection off (``kootui.__main__``, and each engine
child of ``kootui.cli.worker``), freeze what they made (``gc.freeze``: the permanent
generation, never walked) and turn collection on again when start-up ends. Where
collection was never turned off (tests, a program importing kootui) nothing changes.
"""

from __future__ import annotations

import gc


def pause_collection_while_starting() -> None:
    """For a process about to start: no collection until ``start_up_done``."""
    gc.disable()


def freeze_start_up_objects() -> None:
    """Freeze what start-up has made so far, if it runs with collection off."""
    if not gc.isenabled():
        gc.freeze()


def start_up_done(*, collect_first: bool = False) -> None:
    """Start-up is over: its objects frozen, collection on again. ``collect_first`` frees
    start-up's garbage cycles before the freeze (one full collection, 50-80 ms: a server
    pays it once; the console, whose first figures wait, does not)."""
    if gc.isenabled():
        return
    if collect_first:
        gc.collect()
    gc.freeze()
    gc.enable()
