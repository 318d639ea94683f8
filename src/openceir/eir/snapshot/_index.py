"""A bucket table over sorted 64-bit keys: the in-memory index behind single EIR lookups.

Derived from a snapshot's memory-mapped key column when it is opened (about 40 ms and 2 bytes
per key for 5M keys) and never written: the file format stays the columns alone.
"""

from __future__ import annotations

import numpy as np

KEYS_PER_BUCKET = 2


def bucket_table(keys: np.ndarray) -> tuple[int, int, np.ndarray]:
    """(base, shift, starts): bucket j = (key - base) >> shift holds keys[starts[j]:starts[j + 1]].

    `keys` is sorted. Buckets split [first key, last key] evenly, about one per
    `KEYS_PER_BUCKET` keys (a power of two, so finding the bucket is a shift), 4 bytes each. A
    lookup reads two bounds and bisects inside one bucket: a probe or two when keys are spread
    out; keys clustered in a few TACs make bigger buckets and cost up to a plain binary search,
    never a wrong answer. Keys outside [first, last] fall outside every bucket.
    """
    n = int(keys.shape[0])
    if n == 0:
        return 0, 0, np.zeros(1, dtype=np.int32)
    base = int(keys[0])
    span = int(keys[-1]) - base
    bits = max(1, (n // KEYS_PER_BUCKET).bit_length())
    shift = max(0, span.bit_length() - bits)
    buckets = (span >> shift) + 1
    offsets = keys - base
    offsets >>= shift
    counts = np.bincount(offsets, minlength=buckets)
    starts = np.zeros(buckets + 1, dtype=np.int32 if n < 2**31 else np.int64)
    np.cumsum(counts, out=starts[1:])
    return base, shift, starts


__all__ = ["KEYS_PER_BUCKET", "bucket_table"]
