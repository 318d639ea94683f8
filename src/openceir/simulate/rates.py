"""How often each kind of subscriber, device and injected fault occurs in a simulation.

Kind rates are shares of the subscribers (each subscriber is of one kind); the rest are
ordinary subscribers with one phone and one SIM. Defaults are small, as in a real network:
a national CEIR looks for a few clones per thousand devices, not a few per ten.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from openceir.errors import InputError

# Subscriber kinds, in the order their shares are carved out of each chunk.
KINDS = (
    "dual_sim",
    "iot",
    "inbound_roamer",
    "national_roamer",
    "sim_swap",
    "phone_change",
    "clone",
    "counterfeit",
    "rat_mismatch",
    "stolen",
    "null_test",
    "malformed",
    "transient",
    "family_sharing",
    "brand_new_tac",
)
ORDINARY = 0  # the kind code of an ordinary subscriber; other kinds are numbered from 1
KIND_CODE = {name: i + 1 for i, name in enumerate(KINDS)}
# Kinds that need this many days to unfold (a change needs a before and an after).
MIN_DAYS = {"sim_swap": 2, "phone_change": 2, "clone": 2, "stolen": 3, "family_sharing": 2}


@dataclass(frozen=True)
class Rates:
    """Shares of subscribers per kind, plus the probabilities that shape ordinary life."""

    dual_sim: float = 0.03  # dual-SIM phones: two IMEIs (consecutive serials), two SIMs
    iot: float = 0.02  # IoT modules: one IMSI, seen every day, 4G-only / NB-IoT
    inbound_roamer: float = 0.01  # foreign SIMs visiting for a few days
    national_roamer: float = 0.01  # own-country SIMs on another operator's network
    sim_swap: float = 0.01  # same number, new SIM, same phone
    phone_change: float = 0.02  # same SIM, new phone; the old phone may be resold
    clone: float = 0.002  # a genuine device whose IMEI clones use elsewhere later
    counterfeit: float = 0.003  # devices with a TAC that was never allocated
    rat_mismatch: float = 0.002  # devices seen on a RAT their model cannot support
    stolen: float = 0.002  # phones reported stolen; some reappear with a new SIM
    null_test: float = 0.001  # null IMEIs, all-same serials, GSMA test TACs
    malformed: float = 0.001  # hex characters, 13 or 17 digits
    transient: float = 0.0002  # one IMEI with many MSISDNs in an arithmetic sequence
    family_sharing: float = 0.0  # one phone, two family members' SIMs on alternate days
    brand_new_tac: float = 0.0  # a model so new its TAC is not in the catalog yet
    resale: float = 0.5  # share of changed phones sold on to someone else
    stolen_reuse: float = 0.6  # share of stolen phones used again with a new SIM
    registered: float = 0.7  # share of legitimate devices on the registration list
    paired: float = 0.02  # share of ordinary subscribers with an IMEI-IMSI pairing
    imeisv_as_imei: float = 0.3  # on the operator that does it, devices reporting IMEISV as IMEI
    leading_zero_loss: bool = True  # one operator's file on one day loses IMEIs' leading 0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "leading_zero_loss":
                continue
            if not 0.0 <= float(value) <= 1.0:
                raise InputError(f"rate {f.name} is {value}, expected 0 to 1", field=f.name)
        total = sum(getattr(self, k) for k in KINDS)
        if total > 1.0:
            raise InputError(
                f"subscriber kind rates add up to {total:.3f}, expected at most 1",
                field="rates",
            )

    def kind_rates(self) -> dict[str, float]:
        """The share of subscribers of each non-ordinary kind."""
        return {k: float(getattr(self, k)) for k in KINDS}
