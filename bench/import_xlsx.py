"""Benchmark: import a ~40 MB recipient workbook; print rows/s and peak memory.

    python bench/import_xlsx.py [--rows 2000000] [--keep FILE] [--reuse FILE]
        [--no-reference] [--rounds N]

Writes the workbook with openpyxl's write_only mode (email, name, code per row;
2,000,000 rows is ~37 MiB, under the 40 MB limit), then imports it in a fresh
child process so the peak RSS is the import's own. A file this large is read by
a reader process of its own (kootui/core/recipients/xlsx/rows_source.py) while the import
process checks and stores rows, when the load leaves a core idle: the bench
runs the import both ways, says which one the load would choose, and shows
both processes' CPU and peak RSS. As references measured in the same run, more children only
iterate the same sheet, with no checks, validation or storage: (a) openpyxl
read_only, (b) kootui's sheet reader (kootui/core/recipients/xlsx/sheet.py, plain
rows by pattern), (c) the same reader with every row through expat callbacks
(what it did before the fast path). The import minus (b) is what validating and
storing the rows costs. Storing the task's message rows (tasks.create_task) is
not part of these figures. Goal from the issue: under 30 s and under 300 MB on
2 cores.

``--rounds N`` is the fair A/B: it runs the two ways alternately (two, one, two,
one, ...) N times each and prints every run, with the CPU pressure and load
before it, and the medians; on shared cores only runs interleaved this way see
the same load. Results: bench/RESULTS.md.
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


def _pressure_text() -> str:
    from kootui.core.recipients.xlsx.rows_source import cpu_pressure

    pressure = cpu_pressure()
    load = os.getloadavg()[0]
    return (
        f"CPU pressure {pressure:.0f}%, load {load:.2f}"
        if pressure is not None
        else (f"load {load:.2f}")
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def interleaved(path: Path, rounds: int) -> None:
    """Two processes and one process alternately, ``rounds`` times each: same-run A/B."""
    walls: dict[str, list[float]] = {"import": [], "import-one": []}
    cpus: dict[str, list[float]] = {"import": [], "import-one": []}
    for round_number in range(1, rounds + 1):
        for mode in ("import", "import-one"):
            before = _pressure_text()
            result = run_child(mode, path)
            cpu = result["cpu_seconds"] + result["reader_cpu_seconds"]
            walls[mode].append(result["seconds"])
            cpus[mode].append(cpu)
            label = "two processes" if mode == "import" else "one process "
            print(
                f"round {round_number} {label}: {result['seconds']:.1f} s wall, "
                f"{cpu:.1f} CPU s (reader {result['reader_cpu_seconds']:.1f}), "
                f"peak RSS {result['peak_rss_mb']:.0f} MB [{before} before]",
                flush=True,
            )
    for mode, label in (("import", "two processes"), ("import-one", "one process")):
        print(
            f"median {label}: {_median(walls[mode]):.1f} s wall "
            f"(range {min(walls[mode]):.1f}-{max(walls[mode]):.1f}), "
            f"{_median(cpus[mode]):.1f} CPU s "
            f"(range {min(cpus[mode]):.1f}-{max(cpus[mode]):.1f})"
        )
    ratio = _median(walls["import"]) / _median(walls["import-one"])
    print(f"two processes / one process, median wall: {ratio:.2f}")


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


def child_import(path: Path, *, one_process: bool = False) -> dict[str, float]:
    from kootui.core.recipients.xlsx import import_recipients
    from kootui.core.recipients.xlsx import rows_source as xlsx_rows_source

    if one_process:
        xlsx_rows_source.PROCESS_FROM_BYTES = 2**62  # read in this process, on one core
    else:
        xlsx_rows_source.spare_core = lambda: True  # a reader process, whatever the load
    started = time.perf_counter()
    report = import_recipients(path, ["name", "code"])
    elapsed = time.perf_counter() - started
    reader = resource.getrusage(resource.RUSAGE_CHILDREN)  # the reader process, reaped by now
    figures = {
        "seconds": elapsed,
        "rows": report.rows_read,
        "valid": report.valid_count,
        "refused": report.refused_count,
        "duplicates": report.duplicate_count,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "reader_peak_rss_mb": reader.ru_maxrss / 1024,
        "cpu_seconds": _cpu_seconds(),
        "reader_cpu_seconds": reader.ru_utime + reader.ru_stime,
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
    parser.add_argument(
        "--rounds", type=int, default=0, help="interleave the two ways N times each (A/B)"
    )
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-import-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-reference", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-reader", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-expat", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    children = {
        "child_import": child_import,
        "child_import_one": lambda path: child_import(path, one_process=True),
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
        from kootui.core.recipients.xlsx import use_child_process

        chosen = "two processes" if use_child_process(path) else "one process"
        print(f"at this load an import would run in {chosen} (xlsx_rows_source.spare_core)")
        if args.rounds:
            interleaved(path, args.rounds)
            load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
            print(f"load average (1, 5, 15 min) at the end: {load}")
            return 0
        for mode, label in (
            ("import", "kootui import, two processes"),
            ("import-one", "kootui import, one process"),
        ):
            result = run_child(mode, path)
            reader = (
                f" + {result['reader_cpu_seconds']:.1f} s in the reader process"
                f" (peak RSS {result['reader_peak_rss_mb']:.0f} MB)"
                if result["reader_cpu_seconds"] > 0.5
                else " (no reader process)"
            )
            print(
                f"{label}: {result['rows']:,.0f} rows in {result['seconds']:.1f} s "
                f"= {result['rows'] / result['seconds']:,.0f} rows/s, peak RSS "
                f"{result['peak_rss_mb']:.0f} MB, CPU {result['cpu_seconds']:.1f} s{reader} "
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
