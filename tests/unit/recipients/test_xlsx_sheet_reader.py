"""kootui's own sheet reader: what it reads, and what it refuses to parse."""

from __future__ import annotations

import resource
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kootui.core.errors import ValidationError
from kootui.core.recipients.xlsx import (
    EntityRefused,
    FormulaCell,
    SheetRows,
    check_workbook_file,
    import_recipients,
    read_date_styles,
    read_layout,
    read_shared_strings,
    safe_expat_parser,
)
from kootui.core.recipients.xlsx import workbook as xlsx_workbook_parts

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
LAUGHS = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
)
BILLION_LAUGHS = f"<!DOCTYPE lolz [{LAUGHS}]>"
HIDING_COMMENT = "<!--" + "x" * 20_000 + "-->"  # pushes a DTD past xlsx_safety's head check


def _sheet(rows: str, prolog: str = "") -> str:
    head = f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
    return f'{head}<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>'


def _build(
    path: Path,
    sheets: dict[str, str],
    *,
    order: list[str] | None = None,
    shared: str | None = None,
    chart_first: bool = False,
) -> Path:
    """A minimal workbook from raw XML parts: ``sheets`` maps a part name to its XML, and
    ``order`` is the order of the <sheet> elements in workbook.xml (first = the first sheet)."""
    order = order or list(sheets)
    rels = [
        f'<Relationship Id="rId{i}" Type="{REL_TYPE}/worksheet" Target="{name}"/>'
        for i, name in enumerate(order, start=1)
    ]
    if chart_first:
        rels[0] = rels[0].replace("/worksheet", "/chartsheet")
    if shared is not None:
        rels.append(
            f'<Relationship Id="rIdS" Type="{REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    sheet_elements = "".join(
        f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(order) + 1)
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        '.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{REL_TYPE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>{sheet_elements}'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE_RELS}">{"".join(rels)}'
        "</Relationships>",
    }
    for name, xml in sheets.items():
        parts[f"xl/{name}"] = xml
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _rows(path: Path) -> list[tuple[int, list[Any]]]:
    with zipfile.ZipFile(path) as archive:
        layout = read_layout(archive)
        assert layout.first_sheet is not None
        strings = read_shared_strings(archive, layout.shared_strings)
        dates, durations = read_date_styles(archive, layout.styles)
        reader = SheetRows(archive, layout.first_sheet, strings, dates, durations, layout.epoch)
        return list(reader.rows())


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_shared_and_inline_strings_read_the_same(tmp_path):
    shared = (
        f'<sst xmlns="{NS}" count="3" uniqueCount="3"><si><t>email</t></si>'
        "<si><t>ann@example.com</t></si>"
        # rich text runs join; the phonetic reading (rPh) is not part of the value
        '<si><r><t>An</t></r><r><t xml:space="preserve">n B</t></r><rPh sb="0" eb="1"><t>ア'
        "</t></rPh></si></sst>"
    )
    shared_rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>name</t></is></c>'
        '</row><row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c></row>'
    )
    inline_rows = (
        f'<row r="1">{_inline("A1", "email")}{_inline("B1", "name")}</row>'
        f'<row r="2">{_inline("A2", "ann@example.com")}'
        '<c r="B2" t="inlineStr"><is><r><t>An</t></r><r><t>n B</t></r></is></c></row>'
    )
    with_shared = _build(
        tmp_path / "s.xlsx", {"worksheets/sheet1.xml": _sheet(shared_rows)}, shared=shared
    )
    with_inline = _build(tmp_path / "i.xlsx", {"worksheets/sheet1.xml": _sheet(inline_rows)})
    expected = [(1, ["email", "name"]), (2, ["ann@example.com", "Ann B"])]
    assert _rows(with_shared) == expected
    assert _rows(with_inline) == expected
    for path in (with_shared, with_inline):
        with import_recipients(path, ["name"]).recipients as recipients:
            assert recipients.row(0) == ("ann@example.com", {"name": "Ann B"})


def test_sparse_rows_and_columns_keep_excel_row_numbers(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["C1"] = "email", "name"  # column B has no header at all
    sheet["A4"], sheet["C4"] = "ann@example.com", "Ann"
    sheet["C6"] = "nobody"  # a row with a name and no address
    sheet["A9"], sheet["C9"] = "bob@example.com", "Bob"
    workbook.save(tmp_path / "sparse.xlsx")
    assert _rows(tmp_path / "sparse.xlsx") == [
        (1, ["email", None, "name"]),
        (4, ["ann@example.com", None, "Ann"]),
        (6, [None, None, "nobody"]),
        (9, ["bob@example.com", None, "Bob"]),
    ]
    report = import_recipients(tmp_path / "sparse.xlsx", ["name"])
    try:
        assert [report.recipients.sheet_row_number(i) for i in range(2)] == [4, 9]
        assert [(item.row, item.reason) for item in report.refused] == [(6, "the address is empty")]
    finally:
        report.close()


def test_cells_without_references_follow_each_other(tmp_path):
    rows = (
        '<row><c t="inlineStr"><is><t>email</t></is></c><c t="inlineStr"><is><t>n</t></is></c>'
        '</row><row r="5"><c t="inlineStr"><is><t>ann@example.com</t></is></c><c><v>7</v></c>'
        '</row><row><c r="B6"><v>8</v></c></row>'
    )
    path = _build(tmp_path / "noref.xlsx", {"worksheets/sheet1.xml": _sheet(rows)})
    assert _rows(path) == [(1, ["email", "n"]), (5, ["ann@example.com", 7]), (6, [None, 8])]


def test_dates_and_numbers_in_parameter_columns_read_as_text(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email", "when", "day", "at", "amount", "count", "ratio", "flag", "big"])
    sheet.append(
        [
            "ann@example.com",
            datetime(2026, 12, 1, 9, 30),
            date(2026, 12, 24),
            time(18, 45),
            0.1 + 0.2,
            1234.0,
            2.5,
            True,
            4915112345678,
        ]
    )
    sheet["E2"].number_format = "0.00"
    workbook.save(tmp_path / "typed.xlsx")
    names = ["when", "day", "at", "amount", "count", "ratio", "flag", "big"]
    with import_recipients(tmp_path / "typed.xlsx", names).recipients as recipients:
        assert recipients.row(0)[1] == {
            "when": "2026-12-01 09:30",
            "day": "2026-12-24",
            "at": "18:45:00",
            "amount": "0.3",
            "count": "1234",
            "ratio": "2.5",
            "flag": "TRUE",
            "big": "4915112345678",
        }


def _hidden(tmp_path: Path, name: str, prolog: str, *, in_shared: bool) -> Path:
    """A workbook whose sheet or shared-strings part has ``prolog`` after a long comment."""
    if in_shared:
        shared = (
            f'<?xml version="1.0" encoding="UTF-8"?>{HIDING_COMMENT}{prolog}<sst xmlns="{NS}">'
            "<si><t>email</t></si><si><t>&lol9;</t></si></sst>"
        )
        rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v>'
        rows += "</c></row>"
        sheet = _sheet(rows)
    else:
        shared = None
        rows = f'<row r="1">{_inline("A1", "email")}</row><row r="2">{_inline("A2", "&lol9;")}'
        sheet = _sheet(rows + "</row>", HIDING_COMMENT + prolog)
    path = _build(tmp_path / name, {"worksheets/sheet1.xml": sheet}, shared=shared)
    check_workbook_file(path)  # the zip check cannot see it: the parser must refuse it
    return path


@pytest.mark.parametrize("in_shared", [False, True], ids=["in-sheet", "in-shared-strings"])
def test_billion_laughs_is_refused_before_any_expansion(tmp_path, in_shared):
    path = _hidden(tmp_path, "lol.xlsx", BILLION_LAUGHS, in_shared=in_shared)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, [])
    assert caught.value.code == "xlsx.entity_bomb"
    # 10^9 'lol's would be 3 GB; refusing at the declaration keeps the peak where it was.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024


@pytest.mark.parametrize("in_shared", [False, True], ids=["in-sheet", "in-shared-strings"])
def test_external_entity_is_refused_never_read(tmp_path, in_shared):
    xxe = '<!DOCTYPE x [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>'
    path = _hidden(tmp_path, "xxe.xlsx", xxe, in_shared=in_shared)
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, [])
    assert caught.value.code == "xlsx.entity_bomb"
    assert "root:" not in caught.value.message


@pytest.mark.parametrize(
    "document",
    [
        '<!DOCTYPE worksheet SYSTEM "http://127.0.0.1:9/x.dtd"><worksheet/>',
        '<!DOCTYPE w [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><w/>',
        '<!DOCTYPE w [<!ENTITY e "x">]><w>&e;</w>',
        '<!DOCTYPE w [<!ENTITY u SYSTEM "a.png" NDATA png>]><w/>',
    ],
    ids=["external-dtd", "parameter-entity", "internal-entity", "unparsed-entity"],
)
def test_the_parser_refuses_every_kind_of_dtd(document):
    with pytest.raises(EntityRefused):
        safe_expat_parser().Parse(document.encode(), True)


def test_first_sheet_is_found_through_the_workbook_not_by_file_name(tmp_path):
    first = _sheet(
        f'<row r="1">{_inline("A1", "email")}</row><row r="2">'
        + _inline("A2", "first@example.com")
        + "</row>"
    )
    second = _sheet(
        f'<row r="1">{_inline("A1", "email")}</row><row r="2">'
        + _inline("A2", "second@example.com")
        + "</row>"
    )
    path = _build(
        tmp_path / "order.xlsx",
        {"worksheets/sheet1.xml": second, "worksheets/data.xml": first},
        order=["/xl/worksheets/data.xml", "worksheets/sheet1.xml"],
    )
    with zipfile.ZipFile(path) as archive:
        assert read_layout(archive).first_sheet == "xl/worksheets/data.xml"
    with import_recipients(path, []).recipients as recipients:
        assert recipients.row(0)[0] == "first@example.com"


def test_openpyxl_agrees_on_a_first_sheet_that_is_not_sheet1(tmp_path):
    workbook = Workbook()
    workbook.active.title = "Later"
    workbook.active.append(["email"])
    workbook.active.append(["later@example.com"])
    first = workbook.create_sheet("First", 0)  # first in the workbook, saved as sheet2.xml
    first.append(["email"])
    first.append(["first@example.com"])
    workbook.save(tmp_path / "two.xlsx")
    with zipfile.ZipFile(tmp_path / "two.xlsx") as archive:
        first_part = read_layout(archive).first_sheet
    assert load_workbook(tmp_path / "two.xlsx", read_only=True).worksheets[0].title == "First"
    assert first_part is not None
    assert _rows(tmp_path / "two.xlsx") == [(1, ["email"]), (2, ["first@example.com"])]


def _openpyxl_rows(path: Path) -> list[tuple[int, list[Any]]]:
    rows = []
    workbook = load_workbook(path, read_only=True, data_only=False)
    for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values:
            rows.append((number, values))
    workbook.close()
    return rows


def test_reader_agrees_with_openpyxl_on_mixed_cell_types(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email", "text", "number", "when", "flag", "error", "formula"])
    for i in range(60):
        sheet.append(
            [
                f"user{i}@example.com",
                f"Name & <{i}> \"quoted\" 'é' ✓" if i % 3 else f"Shared {i % 5}",
                i * 1.25 if i % 2 else -i,
                datetime(2026, 1, 1 + i % 28, i % 24, i % 60) if i % 4 else date(2025, 2, 3),
                i % 2 == 0,
                "#N/A" if i % 5 == 0 else None,
                f"=B{i + 2}&C{i + 2}" if i % 7 == 0 else None,
            ]
        )
    sheet["D70"] = time(7, 15)
    sheet["J75"] = "far right"
    sheet.append([])
    sheet.append(["last@example.com", 1e-7, 10**15])
    path = tmp_path / "mixed.xlsx"
    workbook.save(path)

    def comparable(rows: list[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
        return [
            (number, [cell.text if isinstance(cell, FormulaCell) else cell for cell in cells])
            for number, cells in rows
        ]

    ours = comparable(_rows(path))
    assert ours == _openpyxl_rows(path)
    assert any(isinstance(cell, FormulaCell) for _number, cells in _rows(path) for cell in cells)
    assert len(ours) == 64


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path):
    rows = f'<row r="1">{_inline("A1", "email")}</row><row r="2">{_inline("A2", "x" * 40_000)}'
    path = _build(tmp_path / "long.xlsx", {"worksheets/sheet1.xml": _sheet(rows + "</row>")})
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, [])
    assert caught.value.code == "xlsx.corrupt" and "32,767" in caught.value.message


def test_shared_strings_over_the_budget_are_refused(tmp_path, monkeypatch):
    shared = f'<sst xmlns="{NS}">' + "".join(f"<si><t>s{i}</t></si>" for i in range(500)) + "</sst>"
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    path = _build(tmp_path / "sst.xlsx", {"worksheets/sheet1.xml": _sheet(rows)}, shared=shared)
    monkeypatch.setattr(xlsx_workbook_parts, "MAX_SHARED_STRINGS_BYTES", 4096)
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, [])
    assert caught.value.code == "xlsx.too_large" and "shared-strings" in caught.value.message


def test_a_shared_string_index_out_of_range_is_a_corrupt_file(tmp_path):
    shared = f'<sst xmlns="{NS}"><si><t>email</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>9</v>'
    path = _build(
        tmp_path / "idx.xlsx", {"worksheets/sheet1.xml": _sheet(rows + "</c></row>")}, shared=shared
    )
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, [])
    assert caught.value.code == "xlsx.corrupt"


def test_a_workbook_without_a_worksheet(tmp_path):
    path = _build(tmp_path / "none.xlsx", {"worksheets/sheet1.xml": _sheet("")}, order=["gone.xml"])
    with pytest.raises(ValidationError) as caught:
        import_recipients(path, [])
    assert caught.value.code == "xlsx.empty"


def test_a_sheet_that_prefixes_the_spreadsheet_namespace(tmp_path):
    rows = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>email</x:t></x:is></x:c></x:row>'
        '<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>ann@example.com</x:t></x:is></x:c>'
        '<x:c r="B3"><x:v>4</x:v></x:c></x:row>'
    )
    sheet = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{NS}" xmlns="urn:other"><x:sheetData>'
        f"{rows}</x:sheetData></x:worksheet>"
    )
    path = _build(tmp_path / "prefixed.xlsx", {"worksheets/sheet1.xml": sheet})
    assert _rows(path) == [(1, ["email"]), (3, ["ann@example.com", 4])]
    not_a_sheet = _build(tmp_path / "chart.xlsx", {"worksheets/sheet1.xml": "<chartsheet/>"})
    with pytest.raises(ValidationError) as caught:
        import_recipients(not_a_sheet, [])
    assert caught.value.code == "xlsx.corrupt"


def test_a_chart_sheet_first_is_skipped_like_openpyxl_does(tmp_path):
    chart = "<chartsheet/>"
    data = _sheet(f'<row r="1">{_inline("A1", "email")}</row>')
    path = _build(
        tmp_path / "chart_first.xlsx",
        {"chartsheets/sheet1.xml": chart, "worksheets/sheet1.xml": data},
        chart_first=True,
    )
    with zipfile.ZipFile(path) as archive:
        assert read_layout(archive).first_sheet == "xl/worksheets/sheet1.xml"
    assert _rows(path) == [(1, ["email"])]
