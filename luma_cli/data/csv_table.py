"""Reading a CSV with a header row, with every problem reported as file:line: column.

Rules: the first row names the columns (non-blank, unique); a UTF-8 BOM and CRLF endings are
accepted; blank lines are skipped; every row has as many cells as the header.

Two paths. The fast one hands an all-numeric body to numpy.loadtxt's C parser and checks the
result (shape, finiteness): a clean numeric file costs little more than loadtxt itself, and no
per-cell Python objects. Anything it does not accept (text labels, a bad cell, a ragged row) is
read again by the csv module into cells, which is what finds and names the exact line and column.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from luma_cli.errors import DataError

MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "-nan", "+nan"})
_INFINITE = {"inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}


@dataclass(frozen=True)
class CsvTable:
    """The header and the body of a CSV file: parsed numbers (fast path) or raw cells with line numbers."""

    path: Path
    columns: list[str]
    numbers: np.ndarray | None  # (rows, columns) float64, when every cell was a finite number
    cells: np.ndarray | None  # (rows, columns) of str otherwise
    lines: np.ndarray | None  # (rows,) physical line number of each row, with cells
    ascii_only: bool = True  # no cell holds a non-ASCII character

    def index_of(self, column: str) -> int:
        return self.columns.index(column)

    def column(self, name: str) -> np.ndarray:
        """One column: float64 on the fast path, str otherwise."""
        index = self.index_of(name)
        return self.numbers[:, index] if self.numbers is not None else self.cells[:, index]  # type: ignore[index]

    def careful(self) -> CsvTable:
        """The same file read cell by cell, with line numbers (to name where a problem is)."""
        return self if self.cells is not None else _read_cells(self.path)

    def line_of(self, row: int) -> int | str:
        return int(self.lines[row]) if self.lines is not None else "?"

    def numeric(self, columns: list[str]) -> np.ndarray:
        """The named columns as float64, refusing missing, non-finite and non-numeric cells."""
        indices = [self.index_of(c) for c in columns]
        if self.numbers is not None:
            if indices == list(range(indices[0], indices[0] + len(indices))):
                return self.numbers[:, indices[0] : indices[0] + len(indices)]  # a view: no copy of a large file
            return self.numbers[:, indices]
        assert self.cells is not None
        picked = self.cells[:, indices]
        try:
            values = picked.astype(np.float64)
        except ValueError:
            values = None
        if values is not None and self.ascii_only and np.isfinite(values).all():
            return values
        self._raise_first_bad_cell(picked, columns)
        assert values is not None, "a cell astype() refused must also fail cell_problem()"
        return values

    def _raise_first_bad_cell(self, picked: np.ndarray, columns: list[str]) -> None:
        for row_index, row in enumerate(picked):
            for col_index, cell in enumerate(row):
                problem = cell_problem(cell)
                if problem:
                    raise DataError(
                        f"{self.path}:{self.line_of(row_index)}: column '{columns[col_index]}' {problem}",
                        hint="every feature cell must be a finite number; fix or drop that row",
                    )


def cell_problem(cell: str) -> str | None:
    """Why `cell` is not a usable number, or None when it is."""
    text = cell.strip()
    lowered = text.lower()
    if lowered in MISSING_MARKERS:
        return "is empty (a missing value)" if not text else f"holds '{text}' (a missing value)"
    if lowered in _INFINITE:
        return f"holds '{text}' (not finite)"
    if not text.isascii():  # float() accepts digits of any script ('١٢'); a CSV of numbers should not
        return f"holds '{text}', which is not a plain ASCII number"
    try:
        value = float(text)
    except ValueError:
        return f"holds '{text}', which is not a number"
    if not np.isfinite(value):
        return f"holds '{text}' (not finite)"
    return None


def read_csv(path: str | Path) -> CsvTable:
    """Parse `path` into a CsvTable, or raise DataError naming the file and line."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except FileNotFoundError:
        raise DataError(
            f"{path}: file not found", hint="check the path (relative paths in a config are relative to the config file)"
        ) from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    return _read_numeric(path, head) or _read_cells(path)


_HEAD_BYTES = 65536


def _read_numeric(path: Path, head: bytes) -> CsvTable | None:
    """The fast path: None whenever anything looks unusual, so the careful path can say what."""
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header, line = next(((row, reader.line_num) for row in reader if row and any(c.strip() for c in row)), (None, 0))
    except csv.Error:
        return None
    if header is None or (len(head) == _HEAD_BYTES and text.count("\n") < line):
        return None  # the header row does not end inside the bytes read
    header = [c.strip() for c in header]
    _check_header(path, header, line)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # utf-8, not utf-8-sig: a BOM can only sit in the skipped header line, and the -sig codec
            # is a Python-level decoder that costs ~10 ms per 100,000 rows.
            numbers = np.loadtxt(path, delimiter=",", skiprows=line, comments=None, ndmin=2, dtype=np.float64,
                                 encoding="utf-8")
    except (ValueError, UnicodeDecodeError, IndexError):
        return None
    # One sum is NaN or Inf whenever any cell is (or, for astronomically large values, when it
    # overflows; then the careful path re-checks cell by cell): half the cost of isfinite().all().
    if numbers.shape[0] == 0 or numbers.shape[1] != len(header) or not np.isfinite(np.add.reduce(numbers, axis=None)):
        return None
    return CsvTable(path=path, columns=header, numbers=numbers, cells=None, lines=None)


def _read_cells(path: Path) -> CsvTable:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not UTF-8 text", hint="save the file as UTF-8 CSV") from None
    if "\x00" in text:
        raise DataError(f"{path}: contains NUL bytes; this is not a text CSV file")
    if not text.strip():
        raise DataError(f"{path}: the file is empty", hint="a CSV needs a header row and at least one data row")

    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header, header_line = [c.strip() for c in row], reader.line_num
                continue
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: malformed CSV: {exc}") from None
    if header is None:
        raise DataError(f"{path}: no header row (the file holds only blank or empty fields)",
                        hint="a CSV needs a header row and at least one data row")
    _check_header(path, header, header_line)
    if not rows:
        raise DataError(f"{path}: has a header but no data rows", hint="add at least one data row")
    width = len(header)
    for row, line in zip(rows, lines):
        if len(row) != width:
            raise DataError(
                f"{path}:{line}: row has {len(row)} cells, the header has {width}",
                hint="every row needs one cell per column (check for stray or missing commas)",
            )
    cells = np.array(rows, dtype=str)
    return CsvTable(path=path, columns=header, numbers=None, cells=cells, lines=np.array(lines), ascii_only=text.isascii())


def _check_header(path: Path, header: list[str], line: int) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            raise DataError(f"{path}:{line}: column {position} has a blank name", hint="give every column a name in the header row")
        if name in seen:
            raise DataError(
                f"{path}:{line}: column name '{name}' appears twice (columns {seen[name]} and {position})",
                hint="column names must be unique",
            )
        seen[name] = position
