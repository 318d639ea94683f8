"""A list run on disk: `<data_dir>/lists/<run>/` CSVs, deltas, zips and a signed manifest.

The manifest is a C2SP signed note (openceir.tlog.note) signed with the CEIR's Ed25519 key:
a header (run, base, as-of date, options), then one line per file: `<name> <rows> <sha256>`
(rows is `-` for zips). Run metadata lives only in these files (no store table).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from openceir.errors import ConfigError, InputError, IntegrityError, NotFound
from openceir.lists.build import (
    BLACKLIST_COLUMNS,
    EXCEPTION_COLUMNS,
    IDENT,
    IMEI_COLUMNS,
    NOTIFICATION_COLUMNS,
    TAC_COLUMNS,
    csv_table,
    delta,
    generate,
    register_lists,
    safe_cells,
)
from openceir.settings import DataPaths
from openceir.tlog.note import Signer, Verifier, open_note, parse, sign

MANIFEST = "manifest.note"
HEADER = "openceir lists"
_NOTIFIED = pa.schema(
    [("imei_key", pa.int64()), ("block_date", pa.date32()), ("reasons", pa.list_(pa.string()))]
)
_EXCEPTED = pa.schema([("imei_key", pa.int64()), ("imsi", pa.string())])
_NO_TACS = pa.table({"tac": pa.array([], pa.string())})
_NO_IMEIS = pa.table({"imei_key": pa.array([], pa.int64()), "imei_raw": pa.array([], pa.string())})
_RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z(-[0-9a-z]+)?$")
_FILE = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(csv|zip)$")
SHARED_LISTS = ("blacklist", "barred_tacs", "tracked", "registered", "exempt")
"""Lists every operator gets (no subscriber data); the others are per operator."""
OPERATOR_LISTS = ("notifications", "exceptions")
"""Lists with subscriber data (IMSI, MSISDN): `<kind>_<operator>`, only for that operator."""
_SUFFIXES = (".csv", "_delta.csv", ".zip")


@dataclass(frozen=True)
class RunInputs:
    """What a run is built from (Arrow tables, see openceir.lists.build)."""

    state: pa.Table
    triplets: pa.Table
    pairing: pa.Table
    exempt: pa.Table
    home: pa.Table
    operators: list[str]
    barred_tacs: pa.Table | None = None
    monitoring: pa.Table | None = None
    registration: pa.Table | None = None


@dataclass(frozen=True)
class RunResult:
    """A written run: its directory, files with row counts, and the tables for the EIR."""

    path: Path
    rows: dict[str, int]
    blacklist: pa.Table
    notified: pa.Table
    exceptions: pa.Table


def is_run_id(text: str) -> bool:
    """Whether `text` is a run id (`20261128T101500Z`, optionally `-suffix`): safe as a path."""
    return bool(_RUN_ID.fullmatch(text))


def is_file_name(text: str) -> bool:
    """Whether `text` can name a list file (`[a-z0-9_-]` then .csv or .zip): no path parts."""
    return bool(_FILE.fullmatch(text))


def list_names(kind: str, operator: str | None = None) -> tuple[str, ...]:
    """The file names of one list in a run: CSV, delta CSV and zip."""
    stem = kind if operator is None else f"{kind}_{operator}"
    return tuple(stem + suffix for suffix in _SUFFIXES)


def operator_files(operator: str) -> frozenset[str]:
    """Every file name an operator may download: the shared lists and its own lists."""
    names = [n for kind in SHARED_LISTS for n in list_names(kind)]
    names += [n for kind in OPERATOR_LISTS for n in list_names(kind, operator)]
    return frozenset(names)


def has_subscriber_data(name: str) -> bool:
    """Whether a run file carries IMSIs/MSISDNs (reading it is audited)."""
    return name.startswith(tuple(f"{kind}_" for kind in OPERATOR_LISTS))


def lists_dir(data_dir: Path) -> Path:
    """Root of all list runs: `<data_dir>/lists/`."""
    return DataPaths(Path(data_dir)).lists


def runs(data_dir: Path) -> list[str]:
    """Run ids on disk, oldest first (ids sort by time)."""
    root = lists_dir(data_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if _RUN_ID.match(p.name) and p.is_dir())


def _write_csv(path: Path, table: pa.Table) -> int:
    """Write a CSV with a header row, fields quoted only when needed (DuckDB's writer).

    The one writer of every list file: no cell a spreadsheet would run (`safe_cells`).
    """
    con = duckdb.connect()
    try:
        con.register("out", safe_cells(table))
        target = str(path).replace("'", "''")
        con.sql(f"COPY out TO '{target}' (FORMAT csv, HEADER)")
    finally:
        con.close()
    return table.num_rows


def _read_csv(path: Path, columns: list[str], *, dates: bool = False) -> pa.Table:
    """A written list, every column text (with `dates`, `block_date` as a date: the delta
    compares it with the new run's dates without formatting millions of them as text)."""
    types = {c: pa.string() for c in columns}
    if dates and "block_date" in types:
        types["block_date"] = pa.date32()
    if not path.is_file():
        return pa.table({c: pa.array([], t) for c, t in types.items()})
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _header(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if not line:
            break
        key, _, value = line.partition(" ")
        out[key] = value
    return out


def read_header(run_dir: Path) -> dict[str, str]:
    """The manifest header of a run (unverified), e.g. `check_digit`, `as_of`."""
    path = Path(run_dir) / MANIFEST
    if not path.is_file():
        raise NotFound(f"no list run at {run_dir} (missing {MANIFEST})")
    return _header(parse(path.read_bytes()).text.split("\n", 1)[1])


def run_id_of(run_dir: Path) -> str:
    """The run id a run's manifest names (unverified), whatever the directory is called."""
    path = Path(run_dir) / MANIFEST
    if not path.is_file():
        raise NotFound(f"no list run at {run_dir} (missing {MANIFEST})")
    first = parse(path.read_bytes()).text.split("\n", 1)[0]
    return first.rsplit(" ", 1)[-1]


def write_run(
    data_dir: Path,
    inputs: RunInputs,
    signer: Signer,
    *,
    as_of: date,
    base: str | None = None,
    check_digit: bool = False,
    run_id: str | None = None,
    generated_at: datetime | None = None,
) -> RunResult:
    """Generate full lists, deltas against `base` (default: the latest run), zips, manifest."""
    generated_at = generated_at or datetime.now(UTC)
    run_id = run_id or generated_at.strftime("%Y%m%dT%H%M%SZ")
    if not _RUN_ID.match(run_id):
        raise InputError(f"run id {run_id!r} must look like 20261128T101500Z", field="run")
    root = lists_dir(data_dir)
    final = root / run_id
    if final.exists():
        raise InputError(f"list run {run_id} already exists", field="run")
    earlier = runs(data_dir)
    if base is None and earlier:
        base = earlier[-1]
    bad_ops = [op for op in inputs.operators if op.endswith("_delta")]
    if bad_ops:
        raise ConfigError(f"operator id {bad_ops[0]!r} ends in _delta, which names delta files")
    base_dir = root / base if base else None
    if base_dir is not None:
        if not (base_dir / MANIFEST).is_file():
            raise NotFound(f"base run {base!r} not found under {root}")
        if read_header(base_dir).get("check_digit") != str(check_digit).lower():
            raise InputError(
                f"base run {base} was written with a different --check-digit setting",
                field="base",
            )
    blacklist, notified, exceptions = generate(
        inputs.state,
        inputs.triplets,
        inputs.pairing,
        inputs.exempt,
        inputs.home,
        inputs.operators,
        as_of,
    )
    tmp = root / f".{run_id}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir(parents=True)
    try:
        rows: dict[str, int] = {}
        black_csv = csv_table(blacklist, BLACKLIST_COLUMNS, check_digit)
        lists: list[tuple[str, str, pa.Table, list[str]]] = [
            ("blacklist", "blacklist", black_csv, BLACKLIST_COLUMNS)
        ]
        for op in inputs.operators:
            n = csv_table(notified[op], NOTIFICATION_COLUMNS, check_digit)
            e = csv_table(exceptions[op], EXCEPTION_COLUMNS, check_digit)
            lists.append((f"notifications_{op}", "notifications", n, NOTIFICATION_COLUMNS))
            lists.append((f"exceptions_{op}", "exceptions", e, EXCEPTION_COLUMNS))
        if inputs.registration is not None:
            tacs, tracked, registered, golden = register_lists(
                inputs.barred_tacs if inputs.barred_tacs is not None else _NO_TACS,
                inputs.monitoring if inputs.monitoring is not None else _NO_IMEIS,
                inputs.registration,
                inputs.exempt,
            )
            lists.append(("barred_tacs", "barred_tacs", tacs, TAC_COLUMNS))
            lists.append(
                ("tracked", "tracked", csv_table(tracked, IMEI_COLUMNS, check_digit), IMEI_COLUMNS)
            )
            registered = csv_table(registered, IMEI_COLUMNS, check_digit)
            lists.append(("registered", "registered", registered, IMEI_COLUMNS))
            golden = csv_table(golden, IMEI_COLUMNS, check_digit)
            lists.append(("exempt", "exempt", golden, IMEI_COLUMNS))
        seen = _seen_pairs(inputs.triplets, check_digit)
        zips: list[tuple[str, list[str]]] = []
        for name, kind, table, columns in lists:
            rows[f"{name}.csv"] = _write_csv(tmp / f"{name}.csv", table)
            members = [f"{name}.csv"]
            if base_dir is not None:
                old = _read_csv(base_dir / f"{name}.csv", columns, dates=True)
                d = delta(kind, table, old, blacklist=black_csv, seen=seen)
                rows[f"{name}_delta.csv"] = _write_csv(tmp / f"{name}_delta.csv", d)
                members.append(f"{name}_delta.csv")
            zips.append((name, members))
        with ThreadPoolExecutor(max_workers=2) as pool:  # zlib releases the GIL
            list(pool.map(lambda job: _zip(tmp, *job), zips))
        lines = [
            f"{HEADER} {run_id}",
            f"generated {generated_at.isoformat()}",
            f"as_of {as_of.isoformat()}",
            f"base {base or '-'}",
            f"check_digit {str(check_digit).lower()}",
            "",
        ]
        names = sorted(rows) + sorted(p.name for p in tmp.glob("*.zip"))
        for name in names:
            lines.append(f"{name} {rows.get(name, '-')} {_sha256(tmp / name)}")
        (tmp / MANIFEST).write_bytes(sign("\n".join(lines) + "\n", signer))
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    notified_all = pa.concat_tables(
        [_NOTIFIED.empty_table()]
        + [t.select(_NOTIFIED.names).cast(_NOTIFIED) for t in notified.values()]
    )
    exc_all = pa.concat_tables(
        [_EXCEPTED.empty_table()]
        + [t.select(_EXCEPTED.names).cast(_EXCEPTED) for t in exceptions.values()]
    )
    return RunResult(final, rows, blacklist, notified_all, exc_all)


def _zip(root: Path, name: str, members: list[str]) -> None:
    """`<name>.zip` holding the list's CSV and delta (deflate level 1: fast, still ~4x smaller)."""
    with zipfile.ZipFile(root / f"{name}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for member in members:
            zf.write(root / member, member)


def _seen_pairs(triplets: pa.Table, check_digit: bool) -> pa.Table:
    """(imei, imsi) text pairs currently seen, formatted like the lists, for delta reasons."""

    con = duckdb.connect()
    con.register("triplets", triplets)
    t = con.sql(
        f"SELECT DISTINCT {IDENT.format(t='t')} AS ident, imei_key, imsi FROM triplets t"
    ).to_arrow_table()
    con.close()
    return csv_table(t, ["imei", "imsi"], check_digit)


def _manifest_lines(body: str, where: Path) -> dict[str, tuple[str, str]]:
    """name -> (rows or `-`, sha256) of a manifest body; IntegrityError on a malformed line."""
    files: dict[str, tuple[str, str]] = {}
    for line in body.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or not is_file_name(parts[0]):
            raise IntegrityError(f"{where}: malformed manifest line {line[:80]!r}")
        files[parts[0]] = (parts[1], parts[2])
    return files


def manifest_files(run_dir: Path) -> dict[str, tuple[str, str]]:
    """The files a run's manifest lists, name -> (rows or `-`, sha256); not verified here.

    For serving a run of this CEIR; a downloader verifies with `verify_run`.
    """
    path = Path(run_dir) / MANIFEST
    if not path.is_file():
        raise NotFound(f"no list run at {run_dir} (missing {MANIFEST})")
    text = parse(path.read_bytes()).text
    return _manifest_lines(text.partition("\n\n")[2], path)


def verify_run(
    run_dir: Path, verifier: Verifier, *, partial: bool = False
) -> dict[str, int | None]:
    """Check a run's signature and every file's SHA-256 and row count; returns the files.

    With `partial`, files the manifest lists but the directory lacks are skipped (an operator
    downloads only its own lists, or only the deltas); the files present must still match and
    at least one must be present. Either way a `.csv` or `.zip` in the directory that the
    manifest does not list is an IntegrityError: nothing unsigned is loaded.
    """
    run_dir = Path(run_dir)
    path = run_dir / MANIFEST
    if not path.is_file():
        raise NotFound(f"no list run at {run_dir} (missing {MANIFEST})")
    note = open_note(path.read_bytes(), [verifier])
    head, _, body = note.text.partition("\n\n")
    if not head.startswith(HEADER + " "):
        raise IntegrityError(f"{path}: not an openceir list manifest")
    listed = _manifest_lines(body, path)
    unlisted = sorted(
        p.name for p in run_dir.iterdir() if p.suffix in (".csv", ".zip") and p.name not in listed
    )
    if unlisted:
        raise IntegrityError(f"{run_dir}: {unlisted[0]} is not listed in the signed manifest")
    files: dict[str, int | None] = {}
    for name, (rows, digest) in listed.items():
        target = run_dir / name
        if not target.is_file():
            if partial:
                continue
            raise IntegrityError(f"{run_dir}: {name} is listed in the manifest but missing")
        if _sha256(target) != digest:
            raise IntegrityError(f"{run_dir}: {name} does not match its SHA-256 in the manifest")
        count = None
        if rows != "-":
            count = _count_rows(target)
            if count != int(rows):
                raise IntegrityError(f"{run_dir}: {name} has {count} rows, manifest says {rows}")
        files[name] = count
    if not files:
        raise IntegrityError(f"{run_dir}: none of the files the manifest lists is present")
    return files


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        names = fh.readline().strip().split(",")
    return _read_csv(path, names).num_rows


__all__ = [
    "MANIFEST",
    "OPERATOR_LISTS",
    "SHARED_LISTS",
    "RunInputs",
    "RunResult",
    "has_subscriber_data",
    "is_file_name",
    "is_run_id",
    "list_names",
    "lists_dir",
    "manifest_files",
    "operator_files",
    "read_header",
    "run_id_of",
    "runs",
    "verify_run",
    "write_run",
]
