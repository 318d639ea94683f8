"""Subscriber numbering: IMSIs (3GPP TS 23.003 §2.2) and MSISDNs (ITU-T E.164) from indexes.

Every SIM in a simulation has a global number `role * capacity + subscriber index`, where the
role says which SIM of the subscriber it is (own SIM, second SIM of a dual-SIM phone, the
buyer's SIM of a resold phone, a clone's SIM, ...). A bijective scramble turns that number
into an MSIN, so numbers look random yet never collide, and no chunk needs to know another.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

MSIN_SPACE = 10**9  # at least 9 MSIN digits are available with a 6-digit MCC-MNC
MAX_SUBSCRIBERS = 10_000_000
ROLE_CAPACITY = MAX_SUBSCRIBERS
TRANSIENT_SIMS = 40  # at most this many SIMs per transient IMEI
MAX_CLONE_SIMS = 400  # SIMs per cloned IMEI the numbering has room for
BIG_GROUP_SUBSCRIBERS = 500_000  # only subscribers below this index get groups beyond 3 copies


class Role(IntEnum):
    """Which SIM of a subscriber a number belongs to."""

    OWN = 0
    SECOND = 1  # the second SIM of a dual-SIM phone
    SWAPPED = 2  # the replacement SIM after a SIM swap (same MSISDN)
    BUYER = 3  # the SIM of whoever bought the subscriber's old phone
    THIEF = 4  # the SIM put into a stolen phone
    CLONE = 5  # clones use CLONE, CLONE + 1, CLONE + 2
    TRANSIENT = 16  # transient IMEIs use TRANSIENT .. TRANSIENT + TRANSIENT_SIMS - 1
    BIG_CLONE = 60  # the 4th and later copies of a cloned IMEI: BIG_CLONE .. 99 (see clone_imsis)


# MSISDN national-number leading digit per role; the rest is the scrambled subscriber index.
_MSISDN_LEAD = {Role.OWN: 7, Role.SECOND: 1, Role.BUYER: 6, Role.THIEF: 5}
_CLONE_LEADS = (4, 3, 2)
_MULTIPLIER = 387_420_489  # 3**18, coprime with 10, so x -> a*x + b mod 10**k is a bijection
_OFFSET = 271_828_182


def scramble(values: np.ndarray, space: int) -> np.ndarray:
    """Bijective mixing of integers in [0, space) where space is a power of ten."""
    values = np.asarray(values, dtype=np.int64)
    a = _MULTIPLIER % space
    return (values % space * a + _OFFSET) % space


def imsis(mcc_mnc: np.ndarray, role: int | np.ndarray, index: np.ndarray) -> np.ndarray:
    """15-digit IMSIs: MCC-MNC (5 or 6 digits, as integers with their length) + scrambled MSIN.

    `mcc_mnc` holds the MCC-MNC strings' integer values; 6-digit ones are >= 100000.
    """
    mcc_mnc = np.asarray(mcc_mnc, dtype=np.int64)
    number = np.asarray(role, dtype=np.int64) * ROLE_CAPACITY + np.asarray(index, dtype=np.int64)
    msin = scramble(number, MSIN_SPACE)
    six = mcc_mnc >= 100_000
    # A 5-digit MCC-MNC leaves 10 MSIN digits: the extra leading digit is the role's last digit.
    lead = (np.asarray(role, dtype=np.int64) % 10) * MSIN_SPACE
    return np.where(six, mcc_mnc * 10**9 + msin, mcc_mnc * 10**10 + lead + msin)


def msisdns(country_code: int, role: int, index: np.ndarray) -> np.ndarray:
    """MSISDNs (E.164 digits) with a 9-digit national number whose first digit names the role."""
    if role >= Role.CLONE and role < Role.CLONE + len(_CLONE_LEADS):
        lead = _CLONE_LEADS[role - Role.CLONE]
    else:
        lead = _MSISDN_LEAD[Role(role)]
    national = lead * 10**8 + scramble(index, 10**8)
    return country_code * 10**9 + national


def transient_msisdns(
    country_code: int, index: np.ndarray, sim: np.ndarray, step: np.ndarray
) -> np.ndarray:
    """MSISDNs of a transient IMEI's SIMs: an arithmetic sequence in an 11-digit M2M range."""
    base = 9 * 10**10 + np.asarray(index, dtype=np.int64) * 1000
    return country_code * 10**11 + base + np.asarray(sim, dtype=np.int64) * step


def foreign_msisdns(country_codes: np.ndarray, index: np.ndarray) -> np.ndarray:
    """MSISDNs of inbound roamers: a foreign country code and a 10-digit national number."""
    return np.asarray(country_codes, dtype=np.int64) * 10**10 + 7 * 10**9 + scramble(index, 10**9)


def clone_imsis(mcc_mnc: np.ndarray, index: np.ndarray, nth: np.ndarray) -> np.ndarray:
    """IMSIs of the `nth` copies (0-based) of subscriber `index`'s cloned IMEI.

    The first three use roles CLONE .. CLONE + 2; later ones number `index * MAX_CLONE_SIMS +
    nth` spread over roles BIG_CLONE .. 99, unique while `index` < BIG_GROUP_SUBSCRIBERS.
    """
    index, nth = np.asarray(index, dtype=np.int64), np.asarray(nth, dtype=np.int64)
    big = index * MAX_CLONE_SIMS + nth
    role = np.where(nth < 3, Role.CLONE + nth, Role.BIG_CLONE + big // ROLE_CAPACITY)
    return imsis(mcc_mnc, role, np.where(nth < 3, index, big % ROLE_CAPACITY))


def clone_msisdns(country_code: int, index: np.ndarray, nth: np.ndarray) -> np.ndarray:
    """MSISDNs of the copies: leads 4, 3, 2 for the first three, then 8 and 9 (as clone_imsis)."""
    index, nth = np.asarray(index, dtype=np.int64), np.asarray(nth, dtype=np.int64)
    out = np.zeros(index.size, dtype=np.int64)
    for j in range(3):
        at = nth == j
        out[at] = msisdns(country_code, Role.CLONE + j, index[at])
    big = index * MAX_CLONE_SIMS + nth
    lead = 8 + big // 10**8
    rest = country_code * 10**9 + lead * 10**8 + scramble(big % 10**8, 10**8)
    return np.where(nth < 3, out, rest)
