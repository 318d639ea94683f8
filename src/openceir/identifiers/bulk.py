"""Vectorised IMEI forms for bulk work: numpy arrays and DuckDB SQL that agree with `imei`.

The numpy form views fixed-width strings as a code-point matrix, maps every character through
one lookup table (digit, separator, padding or other), computes the 14-digit body as an int64
and the Luhn check digit (3GPP TS 23.003 §6.2.1) with column arithmetic, no Python loop per
item. Rows holding anything else (labels such as ``IMEI:``, superscripts, non-text) go to the
scalar `openceir.identifiers.imei` functions, so both forms agree on every input.

The SQL forms return DuckDB expressions to embed in queries over a text column:

>>> import duckdb
>>> con = duckdb.connect()  # its own connection: the default one is shared by the process
>>> con.sql("SELECT " + imei_key_sql("'49-015420-323751-8'")).fetchall()[0][0]
49015420323751
>>> con.sql("SELECT " + luhn_valid_sql("'490154203237519'")).fetchall()[0][0]
False
>>> keys, valid = imei_keys(["490154203237518", "490154203237519", "IMEI:49015420323751", "x"])
>>> keys.tolist(), valid.tolist()
([49015420323751, 49015420323751, 49015420323751, -1], [True, False, True, False])
>>> codes_from_mask(int(imei_findings(["00000000000000"])[0]))
['test_tac', 'all_zero', 'known_null', 'no_check_digit']
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import numpy as np

from openceir.identifiers import _text, imei
from openceir.identifiers.findings import CODES, codes_from_mask, mask_of
from openceir.identifiers.swar import plain_imei_keys

__all__ = [
    "CODES",
    "codes_from_mask",
    "imei_findings",
    "imei_key_sql",
    "imei_keys",
    "imei_valid_sql",
    "luhn_valid_sql",
]

_PAD, _SEP, _OTHER = 10, 11, 12
_WIDTH = 16
_POW = 10 ** np.arange(13, -1, -1, dtype=np.int64)
_DOUBLE = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.uint8)


@cache
def _table() -> np.ndarray:
    """Code point (BMP) -> digit 0-9, or _PAD (NUL), _SEP (separator), _OTHER."""
    table = np.full(0x10000, _OTHER, dtype=np.uint8)
    for code in range(0x10000):
        mapped = _text.clean(chr(code))
        if mapped == "":
            table[code] = _SEP
        elif mapped.isascii() and mapped.isdigit():
            table[code] = int(mapped)
    table[0] = _PAD
    return table


def _as_array(values: object) -> np.ndarray:
    """A fixed-width numpy str/bytes array, or an object array of the items."""
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        values = values.to_numpy(zero_copy_only=False)  # pyarrow Array / ChunkedArray
    if isinstance(values, np.ndarray) and values.dtype.kind in "US":
        return values
    items = values if isinstance(values, np.ndarray) else np.array(list(values), dtype=object)
    return items.astype(object) if items.dtype != object else items


def _matrix(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(classes (n, width) uint8, rows needing the scalar form, rows with a rejected char)."""
    n = arr.shape[0]
    width = arr.dtype.itemsize // (4 if arr.dtype.kind == "U" else 1)
    if width == 0:
        return np.full((n, 1), _PAD, np.uint8), np.zeros(n, bool), np.zeros(n, bool)
    arr = np.ascontiguousarray(arr)
    if arr.dtype.kind == "S":
        raw = arr.view(np.uint8).reshape(n, width)
        cls = raw - np.uint8(48)  # ASCII digits map to 0-9; only the rest needs the table
        rest = cls >= 10
        cls[rest] = _table()[:256][raw[rest]]
        cls[raw >= 0x80] = _OTHER  # bytes: undecoded UTF-8 is rejected like the scalar form
    else:
        raw = arr.view(np.uint32).reshape(n, width)
        cls = _table()[raw & 0xFFFF]
        cls[raw > 0xFFFF] = _OTHER
    other = (cls == _OTHER).any(axis=1)
    # an unaccepted character leaves the text malformed unless it is part of a leading label
    # (IMEI:, imeisv ...) that only the scalar form strips: rows whose first kept character
    # is I or i go there, every other such row is malformed outright
    slow = np.zeros(n, dtype=bool)
    if other.any():
        rows = np.flatnonzero(other)
        first = np.argmax(cls[rows] != _SEP, axis=1)
        lead = raw[rows, first]
        slow[rows[(lead == 73) | (lead == 105)]] = True
    pad = cls == _PAD
    # a NUL inside the text (not trailing padding) is a character the scalar form rejects
    inner_nul = (pad[:, :-1] & ~pad[:, 1:]).any(axis=1)
    if width > _text.MAX_INPUT:
        slow |= (~pad).sum(axis=1) > _text.MAX_INPUT
    return cls, slow | inner_nul, other


def _digits(cls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(digit matrix (n, 16) uint8, digit count) with separators removed."""
    n, width = cls.shape
    is_digit = cls < 10
    count = is_digit.sum(axis=1)
    out = np.zeros((n, _WIDTH), dtype=np.uint8)
    w = min(width, _WIDTH)
    out[:, :w] = np.where(is_digit[:, :w], cls[:, :w], 0)
    # rows with separators (or digits beyond column 16) are re-packed left, the rest are already
    spread = np.flatnonzero((cls == _SEP).any(axis=1) | (count > is_digit[:, :w].sum(axis=1)))
    if spread.size:
        sub = is_digit[spread]
        pos = np.cumsum(sub, axis=1) - 1
        keep = sub & (pos < _WIDTH)
        rows = np.broadcast_to(np.arange(spread.size)[:, None], sub.shape)
        packed = np.zeros((spread.size, _WIDTH), dtype=np.uint8)
        packed[rows[keep], pos[keep]] = cls[spread][keep]
        out[spread] = packed
    return out, count


def _fast(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(keys, valid, count, digits, slow rows) for a fixed-width array."""
    cls, slow, other = _matrix(arr)
    digits, count = _digits(cls)
    formed = (count >= 14) & (count <= 16) & ~slow & ~other
    body = np.zeros(digits.shape[0], dtype=np.int64)
    for i in range(14):
        body *= 10
        body += digits[:, i]
    keys = np.where(formed, body, -1)
    total = digits[:, 0:14:2].sum(axis=1, dtype=np.uint16) + _DOUBLE[digits[:, 1:14:2]].sum(
        axis=1, dtype=np.uint16
    )
    check = (10 - total % 10) % 10
    valid = formed & ((count != 15) | (digits[:, 14] == check))
    return keys, valid, count, digits, slow


def _scalar_item(value: object) -> object:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return value


def imei_keys(values: Iterable[object] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int64 keys, -1 where malformed; bool mask of `imei.is_valid`) for many IMEIs at once."""
    arr = _as_array(values)
    if arr.dtype == object:
        return _object_keys(arr)
    raw = _ascii_matrix(arr)
    if raw is None:
        return _general_keys(arr)
    keys, valid, plain = plain_imei_keys(raw)
    rest = np.flatnonzero(~plain)
    if rest.size:
        keys[rest], valid[rest] = _general_keys(arr[rest])
    return keys, valid


def _ascii_matrix(arr: np.ndarray) -> np.ndarray | None:
    """The (n, width) byte matrix of a str/bytes array of width <= 16; None when wider.

    Non-ASCII code points become 0xFF, which the plain path never takes for a digit.
    """
    n = arr.shape[0]
    width = arr.dtype.itemsize // (4 if arr.dtype.kind == "U" else 1)
    if not 1 <= width <= 16:
        return None
    arr = np.ascontiguousarray(arr)
    if arr.dtype.kind == "S":
        return arr.view(np.uint8).reshape(n, width)
    codes = arr.view(np.uint32).reshape(n, width)
    return np.where(codes < 0x80, codes, 0xFF).astype(np.uint8)


def _general_keys(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys and validity by the per-character path, with the scalar form for the odd rows."""
    keys, valid, _, _, slow = _fast(arr)
    for i in np.flatnonzero(slow):
        item = _scalar_item(arr[i])
        k = imei.key(item)
        keys[i] = -1 if k is None else k
        valid[i] = imei.is_valid(item)
    return keys, valid


def _object_keys(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    short = np.array([type(v) is str and len(v) <= 64 for v in arr], dtype=bool)
    keys = np.full(arr.shape[0], -1, dtype=np.int64)
    valid = np.zeros(arr.shape[0], dtype=bool)
    if short.any():
        keys[short], valid[short] = imei_keys(arr[short].astype(str))
    for i in np.flatnonzero(~short):
        item = _scalar_item(arr[i])
        k = imei.key(item)
        keys[i] = -1 if k is None else k
        valid[i] = imei.is_valid(item)
    return keys, valid


def imei_findings(values: Iterable[object] | np.ndarray) -> np.ndarray:
    """A uint16 finding bitmask per IMEI (bits from `findings.CODES`), as `imei.findings` gives."""
    arr = _as_array(values)
    masks = np.zeros(arr.shape[0], dtype=np.uint16)
    keys, valid = imei_keys(arr)
    # the per-body reference checks run once per distinct key, not per row
    uniq, inverse = np.unique(keys, return_inverse=True)
    body_bits = np.zeros(uniq.shape[0], dtype=np.uint16)
    for j, k in enumerate(uniq.tolist()):
        if k >= 0:
            from openceir.identifiers.findings import body_findings

            body_bits[j] = mask_of([f.code for f in body_findings(f"{k:014d}")])
    # form findings need the written length: take them from the scalar form per distinct value
    items = arr.tolist()
    form_cache: dict[object, int] = {}
    for i, item in enumerate(items):
        hashable = item if isinstance(item, (str, bytes)) or item is None else repr(item)
        bits = form_cache.get(hashable)
        if bits is None:
            found = imei.findings(_scalar_item(item) if not isinstance(item, str) else item)
            bits = mask_of([f.code for f in found if CODES[f.code].severity != "warning"])
            form_cache[hashable] = bits
        masks[i] = bits
    has_body = (keys >= 0) & (valid | (masks & CODES["bad_check_digit"].bit).astype(bool))
    masks |= np.where(has_body, body_bits[inverse.ravel()], 0).astype(np.uint16)
    return masks


def _sql_compact(column_expr: str) -> str:
    return f"regexp_replace({_text.sql_clean(column_expr)}, '^(imeisv|imei)[:=#]?', '', 'i')"


def _sql_guarded(column_expr: str) -> str:
    """Compacted text, NULL when NULL or longer than the scalar form accepts.

    Values that are already 14-16 ASCII digits (nearly all of them) skip the cleaning.
    """
    return (
        f"CASE WHEN regexp_full_match({column_expr}, '[0-9]{{14,16}}') THEN {column_expr} "
        f"WHEN length({column_expr}) <= {_text.MAX_INPUT} "
        f"THEN {_sql_compact(column_expr)} END"
    )


def imei_key_sql(column_expr: str) -> str:
    """DuckDB SQL giving the BIGINT 14-digit body of a text IMEI, NULL when malformed."""
    return (
        f"list_transform([{_sql_guarded(column_expr)}], lambda c: CASE WHEN "
        "regexp_full_match(c, '[0-9]{14,16}') THEN CAST(substr(c, 1, 14) AS BIGINT) END)[1]"
    )


def _sql_luhn_sum() -> str:
    terms = []
    for p in range(1, 16):
        digit = f"CAST(substr(c, {p}, 1) AS INTEGER)"
        terms.append(
            f"CAST(substr('0246813579', {digit} + 1, 1) AS INTEGER)" if p % 2 == 0 else digit
        )
    return " + ".join(terms)


def luhn_valid_sql(column_expr: str) -> str:
    """DuckDB SQL: TRUE when a 15-digit IMEI's check digit is right (14/16 digits have none).

    FALSE for malformed or NULL input; equal to `imei.is_valid` on every text value.
    """
    return (
        f"coalesce(list_transform([{_sql_guarded(column_expr)}], lambda c: CASE "
        "WHEN NOT regexp_full_match(c, '[0-9]{14,16}') THEN FALSE "
        "WHEN length(c) <> 15 THEN TRUE "
        f"ELSE ({_sql_luhn_sum()}) % 10 = 0 END)[1], FALSE)"
    )


#: The same test under the name of what it means for an IMEI column.
imei_valid_sql = luhn_valid_sql
