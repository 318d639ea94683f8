"""The automatic per-IMEI checks of a registration request, vectorised over a whole batch.

Each IMEI of an upload gets a bitmask of findings (`FINDINGS`: code -> bit, reason), computed
with numpy column operations over the batch and sorted-array lookups against the registers
(`Context`), never a Python loop per IMEI; only the distinct TACs of a batch (a few hundred)
go through the scalar reference checks. A finding in `BLOCKING` stops an IMEI from being
approved; the others are for the reviewer to weigh. Pure: the caller reads the registers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from openceir.identifiers import findings as id_findings
from openceir.identifiers.bulk import imei_keys
from openceir.registry.kym import written_length

FINDINGS: dict[str, tuple[int, str]] = {
    "malformed": (1 << 0, "not a 15-digit IMEI"),
    "bad_check_digit": (1 << 1, "the check digit (the 15th digit) is wrong"),
    "test_or_placeholder": (1 << 2, "a null, test or placeholder IMEI, never a real phone's"),
    "tac_not_allocated": (1 << 3, "its TAC (first 8 digits) was never allocated by the GSMA"),
    "model_mismatch": (1 << 4, "its TAC is allocated to another make or model than declared"),
    "not_type_approved": (1 << 5, "its TAC has no current type approval"),
    "duplicate_in_file": (1 << 6, "the same IMEI appears earlier in this upload"),
    "too_many_for_device": (1 << 7, "more IMEIs for this device than the model has SIM slots"),
    "device_models_differ": (1 << 8, "the IMEIs of this device are of different models"),
    "registered_elsewhere": (1 << 9, "already on the registration list"),
    "in_other_request": (1 << 10, "in another open registration request"),
    "stolen": (1 << 11, "reported lost or stolen"),
    "seen_duplicated": (1 << 12, "already seen used by several SIMs at once in network data"),
}
"""Finding code -> (bit, reason shown to the applicant and the reviewer)."""

BLOCKING = frozenset(
    {
        "malformed",
        "bad_check_digit",
        "test_or_placeholder",
        "tac_not_allocated",
        "duplicate_in_file",
        "registered_elsewhere",
        "in_other_request",
        "stolen",
    }
)
"""Findings that make an IMEI impossible to approve (the others a reviewer may accept)."""

BLOCKING_MASK = sum(FINDINGS[c][0] for c in BLOCKING)


def bit(code: str) -> int:
    """The bit of a finding code."""
    return FINDINGS[code][0]


def codes(mask: int) -> list[str]:
    """The finding codes of a mask, in `FINDINGS` order."""
    return [code for code, (b, _) in FINDINGS.items() if mask & b]


@dataclass(frozen=True)
class TacInfo:
    """What the registers say about one TAC: allocation (make, model) and type approval."""

    manufacturer: str | None = None
    brand: str | None = None
    model: str | None = None
    approved: bool = False


@dataclass
class Context:
    """The registers the checks read, as sorted int64 key arrays and a TAC table."""

    tacs: Mapping[str, TacInfo] = field(default_factory=dict)
    registered: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    other_requests: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    stolen: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    duplicated: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def __post_init__(self) -> None:
        for name in ("registered", "other_requests", "stolen", "duplicated"):
            setattr(self, name, np.unique(np.asarray(getattr(self, name), dtype=np.int64)))


def _in(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Membership of each key in a sorted unique array (binary search, no hashing)."""
    if sorted_keys.size == 0:
        return np.zeros(keys.shape[0], dtype=bool)
    at = np.searchsorted(sorted_keys, keys)
    at[at == sorted_keys.size] = 0
    return sorted_keys[at] == keys


def _digits_only(arr: np.ndarray) -> np.ndarray:
    """True where a text is ASCII digits alone, surrounding spaces allowed (vectorised)."""
    n, width = arr.shape[0], arr.dtype.itemsize // 4
    if arr.dtype.kind == "U" and 1 <= width <= 16 and n:
        codes = np.ascontiguousarray(arr).view(np.uint32).reshape(n, width)
        ok = ((codes >= 48) & (codes <= 57)) | (codes == 0) | (codes == 32)
        return ok.all(axis=1)
    return np.char.isdigit(np.char.strip(arr))


@cache
def _placeholder_keys() -> np.ndarray:
    """14-digit bodies that are placeholders whatever the TAC: zero, repeated, runs, known null."""
    bodies = {"0" * 14, *(str(d) * 14 for d in range(10))}
    for first in range(10):
        bodies.add("".join(str((first + i) % 10) for i in range(14)))
        bodies.add("".join(str((first - i) % 10) for i in range(14)))
    bodies |= set(id_findings.known_null_bodies())
    return np.unique(np.array([int(b) for b in bodies], dtype=np.int64))


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def _tac_flags(tac: str, info: TacInfo | None, make: str, model: str) -> int:
    """The TAC-level findings of one distinct TAC (scalar: a batch has few distinct TACs)."""
    mask = 0
    if id_findings.test_range(tac) or id_findings.reporting_body(tac) is None:
        mask |= bit("test_or_placeholder")
    if info is None or not (info.manufacturer or info.brand or info.model):
        mask |= bit("tac_not_allocated")
    else:
        makers = {_norm(info.manufacturer), _norm(info.brand)} - {""}
        if (make and makers and _norm(make) not in makers) or (
            model and info.model and _norm(model) != _norm(info.model)
        ):
            mask |= bit("model_mismatch")
    if info is None or not info.approved:
        mask |= bit("not_type_approved")
    return mask


def check_batch(
    imeis: np.ndarray,
    context: Context,
    *,
    make: str = "",
    model: str = "",
    devices: np.ndarray | None = None,
    sim_slots: int = 1,
    seen: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(int64 keys, -1 when malformed; uint32 finding masks) for a batch of written IMEIs.

    `seen` holds the keys of earlier batches of the same upload (sorted), so duplicates are
    found across a streamed file; `devices` groups the IMEIs of one multi-SIM device (empty
    or None for one IMEI per device).
    """
    arr = np.asarray(imeis, dtype=str)
    n = arr.shape[0]
    masks = np.zeros(n, dtype=np.uint32)
    keys, valid = imei_keys(arr)
    formed = keys >= 0
    fifteen = formed & (written_length(arr) == 15) & _digits_only(arr)
    masks[~formed | ~fifteen] |= bit("malformed")
    masks[formed & fifteen & ~valid] |= bit("bad_check_digit")
    good = formed & fifteen
    masks[good & _in(keys, _placeholder_keys())] |= bit("test_or_placeholder")

    tac_ints = np.where(formed, keys // 1_000_000, -1)
    uniq, inverse = np.unique(tac_ints, return_inverse=True)
    tac_bits = np.array(
        [
            0 if t < 0 else _tac_flags(f"{t:08d}", context.tacs.get(f"{t:08d}"), make, model)
            for t in uniq.tolist()
        ],
        dtype=np.uint32,
    )
    masks |= np.where(formed, tac_bits[inverse.ravel()], 0).astype(np.uint32)

    # duplicates inside the upload: every occurrence after the first, then earlier batches
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    repeat = np.zeros(n, dtype=bool)
    repeat[order[1:]] = (sk[1:] == sk[:-1]) & (sk[1:] >= 0)
    if seen is not None:
        repeat |= formed & _in(keys, seen)
    masks[repeat] |= bit("duplicate_in_file")

    masks[formed & _in(keys, context.registered)] |= bit("registered_elsewhere")
    masks[formed & _in(keys, context.other_requests)] |= bit("in_other_request")
    masks[formed & _in(keys, context.stolen)] |= bit("stolen")
    masks[formed & _in(keys, context.duplicated)] |= bit("seen_duplicated")

    if devices is not None:
        dev = np.asarray(devices, dtype=str)
        has = np.char.str_len(dev) > 0
        if has.any():
            names, dinv, counts = np.unique(dev, return_inverse=True, return_counts=True)
            dinv = dinv.ravel()
            over = (counts > max(1, sim_slots))[dinv] & has
            masks[over] |= bit("too_many_for_device")
            tmin = np.full(names.shape[0], np.iinfo(np.int64).max, dtype=np.int64)
            tmax = np.full(names.shape[0], -1, dtype=np.int64)
            np.minimum.at(tmin, dinv, tac_ints)
            np.maximum.at(tmax, dinv, tac_ints)
            masks[(tmin != tmax)[dinv] & has] |= bit("device_models_differ")
    return keys, masks


__all__ = [
    "BLOCKING",
    "BLOCKING_MASK",
    "FINDINGS",
    "Context",
    "TacInfo",
    "bit",
    "check_batch",
    "codes",
]
