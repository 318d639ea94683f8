"""Apply a run's deltas to an earlier run's full lists: what an operator does with a delta.

`apply_delta(base_dir, delta_dir, out_dir)` writes, for every `<list>_delta.csv` in
`delta_dir`, the full `<list>.csv` it implies: the base rows without the keys the delta
touches, plus the delta's rows that are still listed (blacklist `blocked`/`changed`,
notifications `new`/`changed`, sets `added`). Rows are written in the order and CSV form
`openceir lists generate` writes them, so each rebuilt file must have the SHA-256 the signed
manifest gives its full list: with a verifier, that is checked, and a mismatch (a wrong base,
a lost or altered delta) is an IntegrityError. The manifest is copied into `out_dir`, so
`openceir lists verify --partial OUT_DIR` checks the rebuilt run too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from openceir.errors import InputError, IntegrityError
from openceir.lists.build import (
    BLACKLIST_COLUMNS,
    EXCEPTION_COLUMNS,
    IMEI_COLUMNS,
    NOTIFICATION_COLUMNS,
    TAC_COLUMNS,
)
from openceir.lists.run import (
    MANIFEST,
    _sha256,
    _write_csv,
    manifest_files,
    read_header,
    run_id_of,
    verify_run,
)
from openceir.tlog.note import Verifier

_KEYED = "NOT regexp_full_match(imei, '[0-9]{14,15}')"
# kind -> (columns, key columns, change types that keep a row, ORDER BY of the full list)
_KINDS: dict[str, tuple[list[str], list[str], tuple[str, ...], str]] = {
    "blacklist": (BLACKLIST_COLUMNS, ["imei"], ("blocked", "changed"), f"{_KEYED}, imei"),
    "notifications": (NOTIFICATION_COLUMNS, ["imei", "imsi"], ("new", "changed"), "imei, imsi"),
    "exceptions": (EXCEPTION_COLUMNS, ["imei", "imsi"], ("added",), "imei, imsi"),
    "barred_tacs": (TAC_COLUMNS, ["tac"], ("added",), "tac"),
    "tracked": (IMEI_COLUMNS, ["imei"], ("added",), f"{_KEYED}, imei"),
    "registered": (IMEI_COLUMNS, ["imei"], ("added",), f"{_KEYED}, imei"),
    "exempt": (IMEI_COLUMNS, ["imei"], ("added",), f"{_KEYED}, imei"),
}


def list_kind(stem: str) -> str:
    """The kind of a list from its file stem (`notifications_alpha` -> `notifications`)."""
    for kind in _KINDS:
        if stem == kind or stem.startswith(kind + "_"):
            return kind
    raise InputError(f"{stem!r} is not a list of a run", field="file")


def _read(path: Path, columns: list[str]) -> pa.Table:
    if not path.is_file():
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    options = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in [*columns, "change_type"]},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    return pacsv.read_csv(path, convert_options=options)


def rebuild(base: pa.Table, delta: pa.Table, kind: str) -> pa.Table:
    """The full list `kind` after applying `delta` (with `change_type`) to `base` (pure)."""
    columns, keys, keep, order = _KINDS[kind]
    cols = ", ".join(columns)
    using = ", ".join(keys)
    kept = ", ".join(f"'{k}'" for k in keep)
    con = duckdb.connect()
    try:
        con.register("base", base.select(columns))
        con.register("delta", delta.select([*columns, "change_type"]))
        return con.sql(
            f"""SELECT {cols} FROM (
                    SELECT {cols} FROM base ANTI JOIN delta USING ({using})
                    UNION ALL SELECT {cols} FROM delta WHERE change_type IN ({kept}))
                ORDER BY {order}"""
        ).to_arrow_table()
    finally:
        con.close()


def apply_delta(
    base_dir: Path, delta_dir: Path, out_dir: Path, verifier: Verifier | None = None
) -> dict[str, int]:
    """Rebuild the full lists of `delta_dir`'s run from `base_dir`'s; returns rows per file.

    `delta_dir` must be a run written with `--base` = `base_dir`'s run. With `verifier`, both
    manifests are verified first (partially: only the files present) and each rebuilt file
    must match the SHA-256 the delta run's signed manifest gives its full list.
    """
    base_dir, delta_dir, out_dir = Path(base_dir), Path(delta_dir), Path(out_dir)
    base_id = run_id_of(base_dir)
    against = read_header(delta_dir).get("base", "-")
    if against != base_id:
        raise InputError(
            f"{delta_dir} holds deltas against run {against}, not {base_id}", field="base"
        )
    if verifier is not None:
        verify_run(base_dir, verifier, partial=True)
        verify_run(delta_dir, verifier, partial=True)
    signed = manifest_files(delta_dir)
    deltas = sorted(delta_dir.glob("*_delta.csv"))
    if not deltas:
        raise InputError(f"{delta_dir} has no *_delta.csv files", field="delta")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for path in deltas:
        stem = path.name[: -len("_delta.csv")]
        kind = list_kind(stem)
        columns = _KINDS[kind][0]
        table = rebuild(_read(base_dir / f"{stem}.csv", columns), _read(path, columns), kind)
        target = out_dir / f"{stem}.csv"
        rows[target.name] = _write_csv(target, table)
        if verifier is not None:
            digest = signed.get(target.name, ("", ""))[1]
            if _sha256(target) != digest:
                raise IntegrityError(
                    f"{target.name} rebuilt from {base_id} and the delta does not match the "
                    "SHA-256 the signed manifest gives it"
                )
    shutil.copyfile(delta_dir / MANIFEST, out_dir / MANIFEST)
    return rows


__all__ = ["apply_delta", "list_kind", "rebuild"]
