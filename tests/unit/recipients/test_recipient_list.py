"""The scratch store of imported rows: repeats dropped, the rest numbered 0..N-1 in sheet order."""

from __future__ import annotations

import pytest

from kootui.core.recipients import ImportedRecipients


def _store(addresses: list[str]) -> ImportedRecipients:
    store = ImportedRecipients("test (xlsx)", ["name"])
    store.add_rows([(n + 2, address, f"N{n}") for n, address in enumerate(addresses)])
    return store


def test_a_list_without_repeats_keeps_every_row_in_order():
    with _store([f"u{i}@example.com" for i in range(50)]) as store:
        assert store.finish(listed=10) == (0, [])
        assert store.count == 50
        assert store.row(0) == ("u0@example.com", {"name": "N0"})
        assert store.row(49) == ("u49@example.com", {"name": "N49"})
        assert store.sheet_row_number(49) == 51
        assert [len(chunk) for chunk in store.chunks(20)] == [20, 20, 10]
        with pytest.raises(IndexError):
            store.row(50)


def test_repeats_are_counted_listed_up_to_the_limit_and_dropped():
    addresses = ["a@x.com", "b@x.com", "A@X.COM", "c@x.com", "b@x.com", "a@x.com", "d@x.com"]
    with _store(addresses) as store:
        count, shown = store.finish(listed=2)
        assert count == 3
        assert [(item.row, item.address) for item in shown] == [(4, "A@X.COM"), (6, "b@x.com")]
        assert store.count == 4
        # the first row of each address wins, and the kept rows are renumbered without gaps
        kept = [store.row(i) for i in range(4)]
        assert kept == [
            ("a@x.com", {"name": "N0"}),
            ("b@x.com", {"name": "N1"}),
            ("c@x.com", {"name": "N3"}),
            ("d@x.com", {"name": "N6"}),
        ]
        assert [store.sheet_row_number(i) for i in range(4)] == [2, 3, 5, 8]
        with pytest.raises(IndexError):
            store.row(4)


def test_an_empty_list_and_a_second_finish():
    with _store([]) as store:
        assert store.finish(listed=5) == (0, [])
        assert store.count == 0
        assert list(store.chunks(10)) == []
        with pytest.raises(RuntimeError):
            store.finish(listed=5)


def test_rows_cannot_be_read_before_finish():
    with _store(["a@x.com"]) as store, pytest.raises(RuntimeError):
        store.row(0)
