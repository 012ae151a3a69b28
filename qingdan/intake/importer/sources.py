"""Rows out of an .xlsx (openpyxl read-only) or CSV file (UTF-8 with or without BOM,
else GB18030, the superset of GBK that Chinese Excel writes)."""

import csv
import io
import multiprocessing
import queue as queues
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from qingdan.core.errors import ActionError

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
# Workbooks from this size on are parsed in a second process while this one
# validates and writes: openpyxl's parsing is pure Python, about half the work.
PARALLEL_MIN_BYTES = 2_000_000
CHUNK = 500
CSV_SUFFIXES = {".csv", ".txt"}
ZIP_MAGIC = b"PK\x03\x04"


class UnreadableFile(ActionError):
    code = "import_file_unreadable"


@dataclass
class Sheet:
    """A header row and the data rows after it, each with the row number a
    spreadsheet shows (the header is row 1)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    total: int | None
    kind: str  # "xlsx" or "csv"
    encoding: str = ""
    close: Any = None


def clean_header(value: Any) -> str:
    text = "" if value is None else str(value)
    # Templates mark required columns with "*" and exports pad with spaces.
    return text.replace("\ufeff", "").strip().strip("*＊").strip()


def decode_csv(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _("The file is neither UTF-8 nor GB18030 text (byte %(pos)d).") % {"pos": exc.start}
        ) from exc


def _numbered(rows, first: int) -> Iterator[tuple[int, list[Any]]]:
    for number, row in enumerate(rows, start=first):
        cells = list(row)
        if any(cell is not None and str(cell).strip() for cell in cells):
            yield number, cells


def open_csv(data: bytes) -> Sheet:
    text, encoding = decode_csv(data)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    headers = [clean_header(h) for h in next(reader, [])]
    # A counting pass: cheap next to validation, and the page can show a true percentage.
    total = sum(1 for _row in csv.reader(io.StringIO(text), dialect)) - 1
    return Sheet(headers, _numbered(reader, 2), max(total, 0), "csv", encoding)


def _workbook_rows(source, sheet_name: str | None):
    """(close, headers, total, rows) of a workbook; raises UnreadableFile."""
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(_("The file is not a valid Excel workbook (.xlsx).")) from exc
    if sheet_name:
        if sheet_name not in workbook.sheetnames:
            names = list(workbook.sheetnames)
            workbook.close()
            raise UnreadableFile(
                _("The workbook has no sheet “%(name)s” (it has: %(names)s).")
                % {"name": sheet_name, "names": "、".join(names)},
                code="no_sheet",
            )
        sheet = workbook[sheet_name]
    else:
        sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = [clean_header(h) for h in next(rows, ())]
    while headers and not headers[-1]:
        headers.pop()
    # Read-only sheets know their size from the file's <dimension> when it has one.
    total = sheet.max_row - 1 if sheet.max_row and sheet.max_row > 1 else None
    return workbook.close, headers, total, _numbered(rows, 2)


def open_xlsx(handle: IO[bytes], sheet_name: str | None = None) -> Sheet:
    close, headers, total, rows = _workbook_rows(handle, sheet_name)
    return Sheet(headers, rows, total, "xlsx", close=close)


def _read_in_child(path: str, sheet_name: str | None, out, chunk: int) -> None:
    """The reader process: no Django here, so errors travel as codes."""
    try:
        close, headers, total, rows = _workbook_rows(path, sheet_name)
    except UnreadableFile as exc:
        out.put(("error", exc.code))
        return
    out.put(("head", headers, total))
    batch = []
    for item in rows:
        batch.append(item)
        if len(batch) >= chunk:
            out.put(("rows", batch))
            batch = []
    if batch:
        out.put(("rows", batch))
    close()
    out.put(("end",))


def open_xlsx_parallel(path: str, sheet_name: str | None = None) -> Sheet:
    # spawn, not fork: the importer may run in a thread of a web server.
    context = multiprocessing.get_context("spawn")
    channel = context.Queue(maxsize=16)
    process = context.Process(
        target=_read_in_child, args=(path, sheet_name, channel, CHUNK), daemon=True
    )
    process.start()

    def receive():
        while True:
            try:
                return channel.get(timeout=2)
            except queues.Empty:
                if not process.is_alive():
                    try:
                        return channel.get(timeout=1)
                    except queues.Empty:
                        raise UnreadableFile(_("Reading the workbook stopped.")) from None

    def close() -> None:
        if process.is_alive():
            process.terminate()
        process.join(timeout=10)
        channel.close()

    first = receive()
    if first[0] == "error":
        close()
        # The child cannot translate; read the file here for the message.
        with open(path, "rb") as handle:
            _workbook_rows(handle, sheet_name)
        raise UnreadableFile()

    def rows():
        while True:
            message = receive()
            if message[0] == "end":
                return
            yield from message[1]

    return Sheet(first[1], rows(), first[2], "xlsx", close=close)


def open_sheet(source: str | Path | IO[bytes], name: str = "", sheet: str | None = None) -> Sheet:
    """Open a work-order file by its content (a zip is a workbook), else by its name."""
    if isinstance(source, str | Path):
        name = name or str(source)
        try:
            handle: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise UnreadableFile(
                _("Cannot read %(file)s: %(error)s") % {"file": name, "error": exc.strerror}
            ) from exc
    else:
        handle = source
    head = handle.read(4)
    handle.seek(0)
    suffix = Path(name).suffix.lower()
    if head == ZIP_MAGIC or suffix in XLSX_SUFFIXES:
        if isinstance(source, str | Path) and Path(source).stat().st_size >= PARALLEL_MIN_BYTES:
            handle.close()
            return open_xlsx_parallel(str(source), sheet)
        opened = open_xlsx(handle, sheet)
        workbook_close = opened.close

        def close():
            workbook_close()
            handle.close()

        opened.close = close
        return opened
    if suffix and suffix not in CSV_SUFFIXES:
        handle.close()
        raise UnreadableFile(
            _("Unknown file type %(suffix)s: upload an .xlsx workbook or a .csv file.")
            % {"suffix": suffix}
        )
    data = handle.read()
    handle.close()
    return open_csv(data)
