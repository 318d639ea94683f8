"""Output writers: exact bytes from Arrow line arrays, deterministic compressed containers."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

from openceir.simulate.files import TableWriter, file_name


def test_line_arrays_are_written_byte_for_byte_even_when_sliced(tmp_path: Path) -> None:
    lines = pa.array(["a,1\n", "b,2\n", "c,3\n", "d,4\n"])
    writer = TableWriter(tmp_path, "x", "csv", "k,v")
    writer.write_line_array(lines.slice(1, 2))
    writer.write_line_array(None)
    writer.close()
    assert (tmp_path / "x.csv").read_bytes() == b"k,v\nb,2\nc,3\n"
    assert writer.rows == 2


def test_gzip_and_zip_have_no_timestamps(tmp_path: Path) -> None:
    paths = []
    for run in ("one", "two"):
        for fmt in ("csv.gz", "zip"):
            writer = TableWriter(tmp_path / run, "day", fmt, "k,v")
            writer.write_text(["a,1"])
            writer.close()
            paths.append(writer.path)
    assert paths[0].read_bytes() == paths[2].read_bytes()
    assert paths[1].read_bytes() == paths[3].read_bytes()
    assert gzip.decompress(paths[0].read_bytes()) == b"k,v\na,1\n"
    with zipfile.ZipFile(paths[1]) as zf:
        assert zf.namelist() == ["day.csv"] and zf.read("day.csv") == b"k,v\na,1\n"
        assert zf.getinfo("day.csv").date_time == (1980, 1, 1, 0, 0, 0)


def test_names_follow_the_format_and_unknown_formats_are_refused(tmp_path: Path) -> None:
    assert file_name("alpha_20261101_20261101", "zip") == "alpha_20261101_20261101.zip"
    assert file_name("stolen", "csv.gz") == "stolen.csv.gz"
    with pytest.raises(ValueError, match="unknown format"):
        TableWriter(tmp_path, "x", "xlsx", "k")
