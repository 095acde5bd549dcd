import gzip
import io
import zipfile

import polars as pl
import pytest

from pipelines.sources.reading import FileProblem, read_tables

CSV = 'id,name,note\n1,Ann,plain\n2,Bo,"two\nlines"\n3,Cy,last\n'


def _one(name, data):
    (table,) = read_tables(name, data)
    return table


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(sep):
    t = _one("x.csv", CSV.replace(",", sep).encode())
    assert t.headers == ["id", "name", "note"]
    assert t.frame["name"].to_list() == ["Ann", "Bo", "Cy"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_encodings(encoding):
    t = _one("x.csv", "id,name\n1,Zoë Ó Sé\n".encode(encoding))
    assert t.frame["name"].to_list() == ["Zoë Ó Sé"]


def test_quoted_newlines_keep_the_line_a_person_sees():
    t = _one("x.csv", CSV.encode())
    assert t.frame["_line"].to_list() == [2, 3, 5]
    assert t.frame["note"][1] == "two\nlines"


def test_gzip_and_zip_are_read_transparently():
    assert _one("x.csv.gz", gzip.compress(CSV.encode())).frame.height == 3
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("inner/x.csv", CSV)
    assert _one("x.zip", buf.getvalue()).frame.height == 3


def test_xlsx_parquet_and_json_wrappers():
    frame = pl.DataFrame({"id": [1, 2], "when": ["2024-01-01", "2024-01-02"]})
    buf = io.BytesIO()
    frame.write_excel(buf)
    assert _one("x.xlsx", buf.getvalue()).frame["id"].to_list() == ["1", "2"]
    buf = io.BytesIO()
    frame.write_parquet(buf)
    assert _one("x.parquet", buf.getvalue()).frame["_line"].to_list() == [2, 3]
    t = _one("users.json", b'{"users": [{"id": 1, "name": "A", "meta": {"x": true}}], "next_page": null}')
    assert t.wrapper_key == "users" and t.frame["meta.x"].to_list() == ["true"]


def test_row_with_wrong_number_of_values_is_refused_not_dropped():
    t = _one("x.csv", b"a,b\n1,2\n3,4,5\n6,7\n")
    assert t.frame.height == 2 and t.rows_read == 3
    assert t.rejected[0].line == 3 and "3 values" in t.rejected[0].reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"a,b\n", "no data rows"),
        (b"id,Name,name\n1,2,3\n", "twice"),
        (b"a,b,c\n1,2,3\n4,5", "truncated"),
        (b'a,b\n1,"unclosed\n', "truncated"),
        (b"\x00\x01\x02\x03binary\x00\x00", "not a text table"),
    ],
)
def test_whole_file_problems(data, message):
    with pytest.raises(FileProblem, match=message):
        read_tables("x.csv", data)


def test_unreadable_xlsx_and_truncated_gzip():
    with pytest.raises(FileProblem, match="not a readable XLSX"):
        read_tables("x.xlsx", b"PK\x03\x04 not really a workbook")
    with pytest.raises(FileProblem, match="truncated gzip"):
        read_tables("x.csv.gz", gzip.compress(CSV.encode())[:-12])
