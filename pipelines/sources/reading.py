"""Read any export file into a table of text cells with a person-readable line number per row.

Handles CSV/TSV/semicolon (delimiter sniffed), UTF-8 (with or without BOM), UTF-16, Latin-1 /
Windows-1252, quoted newlines, .gz and .zip, XLSX, Parquet and JSON (a list of records or a
vendor wrapper object such as {"users": [...]}). Whole-file problems raise FileProblem.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

LINE = "_line"
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
TABLE_SUFFIXES = (*TEXT_SUFFIXES, ".xlsx", ".xlsm", ".parquet", ".json", ".jsonl", ".ndjson")
_DELIMITERS = (",", ";", "\t", "|")
FAST_MIN_CHARS = 0  # text tables at least this long try the Polars reader first (0: all of them)
_WRAPPER_KEYS = ("tickets", "users", "admins", "conversations", "employees", "data", "results", "records", "items")


class FileProblem(ValueError):
    """A whole file that cannot be read as a table; the message says what was expected."""


@dataclass
class Rejected:
    """One row refused before it reached a canonical frame (e.g. too many values)."""

    line: int
    column: str
    value: str
    reason: str


@dataclass
class RawTable:
    """One table of text cells: `frame` has the original headers plus `_line` (header = line 1)."""

    name: str
    kind: str  # csv | xlsx | parquet | json
    headers: list[str]
    frame: pl.DataFrame
    rejected: list[Rejected] = field(default_factory=list)
    wrapper_key: str | None = None  # JSON: the key holding the records ("users", "admins", ...)
    extra: dict[str, Any] = field(default_factory=dict)  # JSON: sibling lists (e.g. metric_sets)

    @property
    def rows_read(self) -> int:
        return self.frame.height + len(self.rejected)


def inner_name(name: str) -> str:
    """The name without compression suffixes: tickets.csv.gz -> tickets.csv."""
    return re.sub(r"\.(gz|gzip)$", "", name, flags=re.IGNORECASE)


def _inflater(wbits: int) -> Any:  # noqa: ANN401 - zlib.Decompress or isal's equivalent
    """A gzip decompressor: ISA-L's (about 3x faster) when the optional `isal` package is installed, else zlib's."""
    try:
        from isal import isal_zlib
    except ImportError:
        return zlib.decompressobj(wbits=wbits)
    return isal_zlib.decompressobj(wbits=wbits)


def decompress(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The file's members: a .gz gives one, a .zip each table inside, anything else itself."""
    lower = name.lower()
    if lower.endswith((".gz", ".gzip")):
        try:
            inflate = _inflater(wbits=31)
            try:
                out = inflate.decompress(data)
            except Exception:  # noqa: BLE001 - zlib.error or isal's IsalError: gzip below names the damage
                out = b""
            else:
                if inflate.eof and not inflate.unused_data:
                    return [(name, out)]
            return [(name, gzip.decompress(data))]  # several members, or truncated: gzip says which
        except (EOFError, OSError, zlib.error) as err:
            raise FileProblem(f"is a damaged or truncated gzip file ({err}); download the export again") from None
    if lower.endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = [
                    m
                    for m in zf.infolist()
                    if not m.is_dir()
                    and not m.filename.startswith("__MACOSX")
                    and Path(m.filename).suffix.lower() in (*TABLE_SUFFIXES, ".gz")
                ]
                if not members:
                    raise FileProblem("is a zip archive with no CSV, XLSX, JSON or Parquet file inside")
                out: list[tuple[str, bytes]] = []
                for m in members:
                    out.extend(decompress(f"{name}/{m.filename}", zf.read(m)))
                return out
        except (zipfile.BadZipFile, EOFError, zlib.error) as err:
            raise FileProblem(f"is a damaged or truncated zip archive ({err}); download it again") from None
    return [(name, data)]


def decode(data: bytes) -> str:
    """Bytes -> text: BOMs first, then UTF-16 without BOM, UTF-8, Windows-1252, Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc)
            except UnicodeDecodeError:
                raise FileProblem("starts like UTF-16 but is damaged; save it again as UTF-8 CSV") from None
    sample = data[:4000]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return data.decode("utf-16-le", errors="replace")
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decode_keeping_utf8(data: bytes) -> tuple[str, bytes | None]:
    """decode(data), plus the UTF-8 bytes of that text (no BOM) when the file was UTF-8, else None."""
    if data.startswith(codecs.BOM_UTF8):
        return decode(data), data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data), None
    sample = data[:4000]
    if len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4):
        return decode(data), None
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError:
        return decode(data), None


def _looks_binary(text: str) -> bool:
    head = text[:4000]
    bad = sum(1 for ch in head if ord(ch) < 32 and ch not in "\r\n\t")
    return "\x00" in head or bad > max(3, len(head) // 100)


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most fields (quotes respected)."""
    best, best_n = ",", 0
    for d in _DELIMITERS:
        try:
            n = len(next(csv.reader([header_line], delimiter=d)))
        except (csv.Error, StopIteration):
            continue
        if n > best_n:
            best, best_n = d, n
    return best


def _check_headers(headers: list[str]) -> list[str]:
    cleaned = [h.strip().lstrip("\ufeff").strip() for h in headers]
    if not any(cleaned):
        raise FileProblem("has an empty header row; the first line must name the columns")
    seen: dict[str, int] = {}
    dupes = []
    for h in cleaned:
        key = h.casefold()
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            dupes.append(h)
    if dupes:
        names = ", ".join(repr(d) for d in dupes)
        raise FileProblem(f"names the column {names} twice; rename or remove the duplicate and export again")
    return [h if h else f"column {i + 1}" for i, h in enumerate(cleaned)]


def read_text_table(name: str, text: str, *, fast: bool = True, raw: bytes | None = None) -> RawTable:
    """A delimited text table -> RawTable; rows with the wrong number of values are refused.

    Clean files take the Polars path (`fast`; `raw`: the same text as UTF-8 bytes, saves encoding
    it again); any file that path cannot vouch for takes the exact csv path.
    """
    if text.startswith("\ufeff"):
        text, raw = text.lstrip("\ufeff"), None
    if _looks_binary(text):
        raise FileProblem("is not a text table (binary content); export it as CSV, XLSX, JSON or Parquet")
    if not text or text.isspace():
        raise FileProblem("is empty; export it again with its header row and data")
    nl = text.find("\n")
    first_line = (text if nl < 0 else text[:nl]).rstrip("\r")
    delim = sniff_delimiter(first_line)
    if fast and len(text) >= FAST_MIN_CHARS and first_line.count('"') % 2 == 0:
        try:
            headers = _check_headers(next(csv.reader([first_line], delimiter=delim, strict=True)))
        except (csv.Error, StopIteration):
            headers = []
        if headers:
            table = _fast_text_table(name, text, delim, headers, first_line, raw)
            if table is not None:
                return table
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        headers = _check_headers(next(reader))
    except csv.Error as err:
        raise FileProblem(f"has an unreadable header row ({err})") from None
    width = len(headers)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    lines: list[int] = []
    rejected: list[Rejected] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                rejected.append(
                    Rejected(line, "", delim.join(row)[:200], f"has {len(row)} values but the header has {width}")
                )
                continue
            lines.append(line)
            for i, cell in enumerate(row):
                columns[i].append(cell)
    except csv.Error as err:
        if "end of data" in str(err):
            raise FileProblem(
                f"looks truncated: a quoted value opened near line {start} never closes; export it again"
            ) from None
        raise FileProblem(
            f"has malformed quoting near line {start} ({err}); a value containing quotes must be quoted "
            'with its quotes doubled (""); export it again as standard CSV'
        ) from None
    if not lines and not rejected:
        raise FileProblem("has a header row but no data rows")
    last = rejected[-1] if rejected else None
    if last is not None and not text.endswith(("\n", "\r")) and (not lines or last.line > lines[-1]):
        raise FileProblem(f"looks truncated: the last line ({last.line}) {last.reason}; export it again")
    data = {h: pl.Series(h, col, dtype=pl.String) for h, col in zip(headers, columns, strict=True)}
    frame = pl.DataFrame(data).with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    return RawTable(name, "csv", headers, frame, rejected)


def _fast_text_table(
    name: str, text: str, delim: str, headers: list[str], first_line: str, raw: bytes | None = None
) -> RawTable | None:
    """The same table as the exact reader, parsed by Polars; None when the file needs the exact reader.

    Polars refuses rows with too many values and quoting the csv module also refuses. Rows with too
    few values (or blank lines) are found by accounting for every byte: without quotes the file's
    length must equal the cells' bytes plus width - 1 delimiters and one line ending a row (no scan
    of the text); with quotes, every row must hold exactly width - 1 delimiters outside its cells.
    Line numbers stay exact: quoted newlines are counted.
    """
    data = raw if raw is not None else text.encode("utf-8", errors="surrogatepass")
    crlf = b"\r" in data
    if crlf and data.count(b"\r") != data.count(b"\r\n"):
        return None  # lone carriage returns: the csv module counts them as line breaks
    width = len(headers)
    quoted = b'"' in data
    try:
        frame = pl.read_csv(
            data,
            has_header=True,
            new_columns=[f"c{i}" for i in range(width)],
            separator=delim,
            quote_char='"',
            infer_schema=False,
            empty_string_is_null=False,
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, UnicodeEncodeError):
        return None
    if frame.width != width or frame.height == 0:
        return None
    rows = frame.height
    if not quoted:
        if crlf and data.count(b"\r") != data.count(b"\n"):
            return None  # mixed line endings
        cell_bytes = frame.select(pl.sum_horizontal(pl.col(c).str.len_bytes().sum() for c in frame.columns)).item()
        endings = rows + 1 if data.endswith(b"\n") else rows
        expected = len(first_line.encode("utf-8", errors="surrogatepass")) + int(cell_bytes or 0)
        expected += (width - 1) * rows + endings * (2 if crlf else 1)
        if len(data) != expected:
            return None  # a row with too few values or a blank line: the exact reader says which
        lines = pl.int_range(2, rows + 2, dtype=pl.Int64, eager=True)
        frame.columns = headers
        return RawTable(name, "csv", headers, frame.with_columns(lines.alias(LINE)))
    inside_delims = frame.select(
        pl.sum_horizontal(pl.col(c).str.count_matches(delim, literal=True).sum() for c in frame.columns)
    ).item()
    expected = first_line.count(delim) + int(inside_delims or 0) + (width - 1) * rows
    if data.count(delim.encode()) != expected:
        return None  # a row with too few values or a blank line: the exact reader says which
    lines = pl.int_range(2, rows + 2, dtype=pl.Int64, eager=True)
    newlines = frame.select(
        pl.sum_horizontal(pl.col(c).str.count_matches("\n", literal=True) for c in frame.columns)
    ).to_series()
    if int(newlines.sum()):
        lines = lines + (newlines.cum_sum() - newlines).cast(pl.Int64)
    frame.columns = headers
    return RawTable(name, "csv", headers, frame.with_columns(lines.alias(LINE)))


def _to_text_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Typed columns -> text cells (ISO dates and times, true/false), so every reader yields text."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            fmt = "%Y-%m-%dT%H:%M:%S%.f" + ("%z" if dtype.time_zone else "")
            out.append(col.dt.strftime(fmt).alias(name))
        elif dtype == pl.Date:
            out.append(col.dt.strftime("%Y-%m-%d").alias(name))
        elif dtype == pl.Boolean:
            out.append(pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false")).alias(name))
        elif isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            out.append(col.map_elements(lambda v: json.dumps(v, default=str), return_dtype=pl.String).alias(name))
        else:
            out.append(col.cast(pl.String).alias(name))
    return frame.select(out)


def read_xlsx(name: str, data: bytes) -> RawTable:
    """The first sheet of a workbook -> RawTable (Excel row numbers as lines)."""
    try:
        frame = pl.read_excel(io.BytesIO(data), engine="calamine", infer_schema_length=0)
    except Exception as err:  # noqa: BLE001 - fastexcel raises many kinds for a damaged workbook
        raise FileProblem(
            f"is not a readable XLSX workbook ({type(err).__name__}); open it in Excel and save it again, or export CSV"
        ) from None
    headers = _check_headers([str(c) for c in frame.columns])
    frame = _to_text_frame(frame)
    frame.columns = headers
    frame = frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(LINE))
    return _non_empty(RawTable(name, "xlsx", headers, frame))


def read_parquet(name: str, data: bytes) -> RawTable:
    """A Parquet file -> RawTable (row number + 1 as the line, as if a header preceded it)."""
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - damaged Parquet raises ComputeError/OSError/...
        raise FileProblem(f"is not a readable Parquet file ({type(err).__name__}); write it again") from None
    headers = _check_headers(list(frame.columns))
    frame = _to_text_frame(frame)
    frame.columns = headers
    frame = frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(LINE))
    return _non_empty(RawTable(name, "parquet", headers, frame))


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        elif value is None:
            out[name] = None
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, list):
            scalar = all(not isinstance(v, (dict, list)) for v in value)
            out[name] = " ".join(str(v) for v in value) if scalar else json.dumps(value)
        else:
            out[name] = str(value)
    return out


def read_json(name: str, text: str) -> RawTable:
    """JSON records -> RawTable; a wrapper object's first list of records is the table."""
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise FileProblem("is empty; export it again")
    try:
        if name.lower().endswith((".jsonl", ".ndjson")):
            doc: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise FileProblem(f"is not valid JSON (line {err.lineno}: {err.msg}); it may be truncated") from None
    wrapper_key = None
    extra: dict[str, Any] = {}
    if isinstance(doc, dict):
        lists = {k: v for k, v in doc.items() if isinstance(v, list) and (not v or isinstance(v[0], dict))}
        if not lists:
            raise FileProblem('is JSON without a list of records; expected [ {...}, ... ] or {"users": [...]}')
        preferred = [k for k in _WRAPPER_KEYS if k in lists]
        wrapper_key = preferred[0] if preferred else max(lists, key=lambda k: len(lists[k]))
        records = lists.pop(wrapper_key)
        extra = lists
    elif isinstance(doc, list):
        records = doc
    else:
        raise FileProblem("is JSON without a list of records")
    if not all(isinstance(r, dict) for r in records):
        raise FileProblem("is a JSON list whose items are not objects")
    if not records:
        raise FileProblem("has no records")
    flat = [_flatten(r) for r in records]
    headers = list(dict.fromkeys(k for r in flat for k in r))
    data = {h: pl.Series(h, [r.get(h) for r in flat], dtype=pl.String) for h in headers}
    frame = pl.DataFrame(data).with_columns(pl.int_range(1, len(flat) + 1, dtype=pl.Int64).alias(LINE))
    return RawTable(name, "json", headers, frame, wrapper_key=wrapper_key, extra=extra)


def _non_empty(table: RawTable) -> RawTable:
    if not table.headers:
        raise FileProblem("is empty; export it again with its header row and data")
    if table.frame.height == 0:
        raise FileProblem("has a header row but no data rows")
    return table


def read_tables(name: str, data: bytes) -> list[RawTable]:
    """Every table in one file (a zip may hold several)."""
    if not data:
        raise FileProblem("is empty (0 bytes); export it again")
    tables = []
    for member, payload in decompress(name, data):
        lower = inner_name(member).lower()
        if lower.endswith((".xlsx", ".xlsm")):
            tables.append(read_xlsx(member, payload))
        elif lower.endswith(".xls"):
            raise FileProblem("is an old .xls workbook; save it as .xlsx or CSV")
        elif lower.endswith(".parquet"):
            tables.append(read_parquet(member, payload))
        elif lower.endswith((".json", ".jsonl", ".ndjson")):
            tables.append(read_json(member, decode(payload)))
        elif payload[:4] == b"PK\x03\x04":
            tables.append(read_xlsx(member, payload))
        elif payload[:4] == b"PAR1":
            tables.append(read_parquet(member, payload))
        else:
            if not payload.strip():
                raise FileProblem("is empty; export it again with its header row and data")
            text, raw = decode_keeping_utf8(payload)
            if text.lstrip("\ufeff \r\n\t")[:1] in ("{", "["):
                tables.append(read_json(member, text))
            else:
                tables.append(read_text_table(member, text, raw=raw))
    return tables
