"""Benchmark: import a ~40 MB recipient workbook; print rows/s and peak memory.

    python bench/import_xlsx.py [--rows 2000000] [--keep FILE] [--reuse FILE]
        [--no-reference]

Writes the workbook with openpyxl's write_only mode (email, name, code per row;
2,000,000 rows is ~37 MiB, under the 40 MB limit), then imports it in a fresh
child process so the peak RSS is the import's own. As references measured in the
same run, more children only iterate the same sheet, with no checks, validation or
storage: (a) openpyxl read_only, (b) kootui's sheet reader
(kootui/core/recipients/xlsx/sheet.py, plain rows by pattern), (c) the same reader
with every row through expat callbacks (what it did before the fast path). The
import minus (b) is what validating and storing the rows costs. Storing the task's
message rows (tasks.create_task) is not part of these figures. Goal from the
issue: under 30 s and under 300 MB on 2 cores. Results: bench/RESULTS.md (the
``--rounds`` A/B of the reader process that was removed ran at commit 0b92a6e).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_workbook(path: Path, rows: int) -> float:
    from openpyxl import Workbook

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Recipients")
    sheet.append(["email", "name", "code"])
    for i in range(rows):
        sheet.append([f"user{i}@example-mail{i % 50}.com", f"Person {i}", f"C{i:07d}"])
    workbook.save(path)
    return time.perf_counter() - started


def _cpu_seconds() -> float:
    """User + system CPU of this process: what the work cost, whatever else the cores ran."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_import(path: Path) -> dict[str, float]:
    from kootui.core.recipients.xlsx import import_recipients

    started = time.perf_counter()
    report = import_recipients(path, ["name", "code"])
    elapsed = time.perf_counter() - started
    figures = {
        "seconds": elapsed,
        "rows": report.rows_read,
        "valid": report.valid_count,
        "refused": report.refused_count,
        "duplicates": report.duplicate_count,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_seconds": _cpu_seconds(),
    }
    report.close()
    return figures


def child_reference(path: Path) -> dict[str, float]:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True)
    rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    workbook.close()
    return {
        "seconds": time.perf_counter() - started,
        "rows": rows,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_seconds": _cpu_seconds(),
    }


def child_reader(path: Path, *, fast: bool = True) -> dict[str, float]:
    import zipfile

    from kootui.core.recipients.xlsx import (
        SheetRows,
        read_date_styles,
        read_layout,
        read_shared_strings,
    )

    started = time.perf_counter()
    with zipfile.ZipFile(path) as archive:
        layout = read_layout(archive)
        assert layout.first_sheet is not None
        strings = read_shared_strings(archive, layout.shared_strings)
        dates, durations = read_date_styles(archive, layout.styles)
        sheet = SheetRows(
            archive, layout.first_sheet, strings, dates, durations, layout.epoch, fast=fast
        )
        rows = sum(1 for _ in sheet.rows()) - 1
    return {
        "seconds": time.perf_counter() - started,
        "rows": rows,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_seconds": _cpu_seconds(),
    }


def run_child(mode: str, path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, f"--child-{mode}", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--keep", type=Path, help="write the workbook here and keep it")
    parser.add_argument("--reuse", type=Path, help="import this existing workbook instead")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-reference", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-reader", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-expat", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    children = {
        "child_import": child_import,
        "child_reference": child_reference,
        "child_reader": child_reader,
        "child_expat": lambda path: child_reader(path, fast=False),
    }
    for name, run in children.items():
        if getattr(args, name):
            print(json.dumps(run(getattr(args, name))))
            return 0

    with tempfile.TemporaryDirectory() as folder:
        path = args.reuse or args.keep or Path(folder) / "recipients.xlsx"
        if not args.reuse:
            seconds = write_workbook(path, args.rows)
            print(f"wrote {args.rows:,} rows in {seconds:.1f} s")
        size = path.stat().st_size
        print(f"workbook: {path} ({size / 2**20:.1f} MiB, {size:,} bytes)")
        result = run_child("import", path)
        print(
            f"kootui import: {result['rows']:,.0f} rows in {result['seconds']:.1f} s "
            f"= {result['rows'] / result['seconds']:,.0f} rows/s, peak RSS "
            f"{result['peak_rss_mb']:.0f} MB, CPU {result['cpu_seconds']:.1f} s "
            f"({result['valid']:,.0f} valid, "
            f"{result['refused']:,.0f} refused, {result['duplicates']:,.0f} repeated)"
        )
        if not args.no_reference:
            for mode, label in (
                ("reader", "(b) kootui sheet reader, iteration only"),
                ("expat", "(c) the same, every row through expat callbacks"),
                ("reference", "(a) openpyxl read_only, iteration only"),
            ):
                reference = run_child(mode, path)
                print(
                    f"reference {label}: {reference['rows']:,.0f} rows "
                    f"in {reference['seconds']:.1f} s = "
                    f"{reference['rows'] / reference['seconds']:,.0f} rows/s, peak RSS "
                    f"{reference['peak_rss_mb']:.0f} MB, CPU {reference['cpu_seconds']:.1f} s"
                )
        print("goal: under 30 s and under 300 MB on 2 cores")
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"load average (1, 5, 15 min) at the end: {load} (CPU s < wall s: cores were shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
