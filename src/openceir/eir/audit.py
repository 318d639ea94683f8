"""Audit of an operator's EIR against the CEIR's published blacklist (ITU-T Q.5053 style).

The operator exports the IMEIs its EIR blocks (a CSV with an `imei` column, e.g. the DIRBS
blacklist layout `imei,block_date,reasons`; `.csv` or `.csv.gz`). Compared by IMEI key with the
snapshot's blacklist (block date reached): *missing* are published but not blocked by the
operator; *extra* are blocked by the operator but not published (an IMEI of a barred TAC is
not extra). Rows whose IMEI is not 14 to 16 digits are reported, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from openceir.eir.snapshot.reader import Snapshot
from openceir.errors import InputError


@dataclass
class AuditReport:
    """The outcome of one audit: counts, the differing keys and the unreadable rows."""

    operator: str
    run_id: str
    published: int
    exported: int
    missing: np.ndarray
    extra: np.ndarray
    malformed: list[tuple[int, str]] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        """Whether the operator's EIR blocks exactly what was published."""
        return not (self.missing.size or self.extra.size or self.malformed)


def read_exported_imeis(path: Path) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """(unique sorted IMEI keys, malformed (line, text) rows) of an operator's EIR export."""
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={"imei": pa.string()}, include_columns=["imei"]
            ),
        )
    except FileNotFoundError:
        raise InputError("file does not exist", source=str(path)) from None
    except (pa.ArrowInvalid, KeyError) as exc:
        raise InputError(f"not a CSV with an imei column: {exc}", source=str(path)) from None
    imeis = pc.utf8_trim_whitespace(table.column("imei").combine_chunks())
    good = pc.fill_null(pc.match_substring_regex(imeis, r"^[0-9]{14,16}$"), False)
    keys = pc.utf8_slice_codeunits(imeis.filter(good), 0, 14).cast(pa.int64()).to_numpy()
    bad_rows = np.flatnonzero(~good.to_numpy(zero_copy_only=False))
    texts = imeis.take(pa.array(bad_rows)).to_pylist() if bad_rows.size else []
    malformed = [(int(i) + 2, t or "") for i, t in zip(bad_rows, texts, strict=True)]
    return np.unique(keys), malformed


def audit_operator_list(
    snapshot: Snapshot, operator: str, path: Path, today: int | None = None
) -> AuditReport:
    """Compare an operator's exported EIR list with the snapshot's published blacklist."""
    exported, malformed = read_exported_imeis(Path(path))
    published = np.unique(snapshot.blacklisted_keys(today))
    missing = np.setdiff1d(published, exported, assume_unique=True)
    extra = np.setdiff1d(exported, published, assume_unique=True)
    if snapshot.barred_tac_array.size and extra.size:
        extra = extra[~np.isin(extra // 1_000_000, snapshot.barred_tac_array)]
    return AuditReport(
        operator,
        snapshot.run_id,
        int(published.size),
        int(exported.size),
        missing,
        extra,
        malformed,
    )


__all__ = ["AuditReport", "audit_operator_list", "read_exported_imeis"]
