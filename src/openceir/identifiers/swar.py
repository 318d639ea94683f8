"""The common case of bulk IMEI work at word speed: 14-16 ASCII digits, nothing else.

Each text is padded to 16 bytes and read as two little-endian 64-bit words, and the digit
test, the 14-digit body and the Luhn sum (3GPP TS 23.003 §6.2.1) are computed on whole words
(SIMD within a register): a handful of numpy operations a row instead of one per character.
Rows that are anything else (separators, labels, non-ASCII digits, other lengths) are left to
the general path in `bulk`, which agrees with the scalar `imei` module on every input.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CHUNK", "plain_imei_keys"]

#: Rows per block: small enough that every intermediate array stays in the CPU cache.
CHUNK = 32_768

_U = np.uint64
_HIGH_NIBBLES = _U(0xF0F0F0F0F0F0F0F0)
_ASCII_ZEROS = _U(0x3030303030303030)
_SIXES = _U(0x0606060606060606)
_LOW_6_BYTES = _U(0x0000FFFFFFFFFFFF)
_EVEN_BYTES = _U(0x00FF00FF00FF00FF)
_PAIR_LOW = _U(0x000000FF000000FF)
_THREES = _U(0x0003000300030003)
_ONE_PER_PAIR = _U(0x0001000100010001)
_FILL_2 = _U(0x3030 << 48)
_FILL_1 = _U(0x30 << 56)


def _all_digits(words: np.ndarray) -> np.ndarray:
    """True where all 8 bytes of a word are ASCII digits: high nibble 3, low nibble < 10."""
    return ((words & _HIGH_NIBBLES) == _ASCII_ZEROS) & (
        ((words + _SIXES) & _HIGH_NIBBLES) == _ASCII_ZEROS
    )


def _parse8(words: np.ndarray) -> np.ndarray:
    """The value of 8 ASCII digits per word (first digit in the lowest byte)."""
    v = words - _ASCII_ZEROS
    v = v * _U(10) + (v >> _U(8))  # byte pairs -> 2-digit values in the even bytes
    v = ((v & _PAIR_LOW) * _U(100 + (1_000_000 << 32))) + (
        ((v >> _U(16)) & _PAIR_LOW) * _U(1 + (10_000 << 32))
    )
    return (v >> _U(32)).astype(np.int64)


def _byte_sum(pairs: np.ndarray) -> np.ndarray:
    """Sum of the four 16-bit lanes of each word."""
    return (pairs * _ONE_PER_PAIR) >> _U(48)


def _block(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, width = raw.shape
    w1 = np.zeros((n, 8), dtype=np.uint8)
    w1[:, : min(width, 8)] = raw[:, :8]
    w1 = w1.view("<u8").ravel()  # characters 1-8
    w2 = np.zeros((n, 8), dtype=np.uint8)
    w2[:, : max(width - 8, 0)] = raw[:, 8:]
    w2 = w2.view("<u8").ravel()  # characters 9-16, NUL-padded
    top = w2 >> _U(48)  # characters 15 and 16
    len14 = top == 0
    len15 = ((top >> _U(8)) == 0) & ~len14
    filled = w2 | np.where(len14, _FILL_2, np.where(len15, _FILL_1, _U(0)))
    plain = _all_digits(w1) & _all_digits(filled)
    body = _parse8(w1) * 1_000_000 + _parse8((w2 << _U(16)) | _U(0x3030))
    v1 = w1 - _ASCII_ZEROS
    v2 = (w2 & _LOW_6_BYTES) - (_ASCII_ZEROS & _LOW_6_BYTES)
    odd = ((v1 >> _U(8)) & _EVEN_BYTES) + ((v2 >> _U(8)) & _EVEN_BYTES)
    five_up = ((((v1 >> _U(8)) + _THREES) >> _U(3)) & _ONE_PER_PAIR) + (
        (((v2 >> _U(8)) + _THREES) >> _U(3)) & _ONE_PER_PAIR
    )
    # Luhn, per 16-bit lane then summed: digits in even places count once, odd places
    # doubled less 9 for digits of 5 up (no lane goes negative, so no borrow crosses lanes)
    lanes = (v1 & _EVEN_BYTES) + (v2 & _EVEN_BYTES) + odd + odd - _U(9) * five_up
    total = (_byte_sum(lanes) + ((top & _U(0xFF)) - _U(48))).astype(np.uint16)
    valid = plain & (~len15 | (total % np.uint16(10) == 0))
    return np.where(plain, body, -1), valid, plain


def plain_imei_keys(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, valid, plain) for an (n, width <= 16) byte matrix of NUL-padded texts.

    `plain` marks the rows that are 14-16 ASCII digits and nothing else; for them `keys` is
    the 14-digit body and `valid` is `imei.is_valid`. Other rows have key -1: decide them
    elsewhere.
    """
    n = raw.shape[0]
    keys = np.empty(n, dtype=np.int64)
    valid = np.empty(n, dtype=bool)
    plain = np.empty(n, dtype=bool)
    for start in range(0, n, CHUNK):
        part = slice(start, start + CHUNK)
        keys[part], valid[part], plain[part] = _block(raw[part])
    return keys, valid, plain
