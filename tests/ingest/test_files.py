"""Input files: compression by magic bytes, header checks, zip members."""

from __future__ import annotations

import gzip
import zipfile

import pytest

from openceir.errors import InputError
from openceir.ingest.files import compression, read_header, sha256, zip_member


def test_header_is_canonicalised(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("\ufeffDate, IMEI ,Model Name\n1,2,3\n")
    header = read_header(path)
    assert header.columns == ("date", "imei", "model_name") and header.delimiter == ","


def test_pipe_header_when_pipes_are_allowed(tmp_path) -> None:
    path = tmp_path / "tac.txt"
    path.write_text("TAC|Manufacturer\n35209900|X\n")
    assert read_header(path, ("|", ",")).delimiter == "|"
    with pytest.raises(InputError, match=r"separated by '\|'; expected ','"):
        read_header(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"date,imei,date\n", "column 'date' appears twice"),
        (b"date\timei\timsi\n", "separated by tab"),
        (b"\xff\xfedate,imei\n", r"not UTF-8 text \(byte 0xff at column 1\)"),
        (b"da\x00te,imei\n", "binary data"),
    ],
)
def test_bad_headers(tmp_path, content, message) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_header(path)
    assert err.value.line == 1 and err.value.source == "bad.csv"


def test_compression_is_read_from_magic_bytes_not_the_name(tmp_path) -> None:
    gz = tmp_path / "looks_plain.csv"
    gz.write_bytes(gzip.compress(b"imei\n1\n"))
    assert compression(gz) == "gzip"
    assert read_header(gz).columns == ("imei",)
    assert len(sha256(gz)) == 64


def test_zip_member_must_be_exactly_one(tmp_path) -> None:
    one = tmp_path / "one.zip"
    with zipfile.ZipFile(one, "w") as archive:
        archive.writestr("list.csv", "imei\n1\n")
    assert zip_member(one) == "list.csv"
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w"):
        pass
    with pytest.raises(InputError, match="zip holds 0 files"):
        zip_member(empty)
