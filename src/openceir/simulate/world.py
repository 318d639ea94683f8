"""Everything a simulation shares across chunks: catalog, operators, cells, numbering plan.

Built once from the seed; chunks of subscribers are then generated independently from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from openceir.simulate import geography, radio
from openceir.simulate.catalog import RAT_MISMATCH, Catalog, build_catalog
from openceir.simulate.luhn import with_check_digits
from openceir.simulate.network import OperatorProfile
from openceir.simulate.rates import Rates

CHUNK_SIZE = 50_000  # subscribers per chunk; part of the output's definition, keep fixed
SERIAL_BASE = 100_000  # allocated serials live in [100000, 900000): 000000 and 999999 stay free
SERIAL_SPAN = 800_000
PHONE_CLASSES = ("smartphone_5g", "smartphone_4g", "feature_2g", "feature_3g", "tablet", "modem")
IOT_CLASSES = ("iot_ltem", "iot_nbiot")
REGION_WEIGHTS = np.array([0.28, 0.12, 0.1, 0.1, 0.08, 0.06, 0.05, 0.06, 0.09, 0.06])
# Inbound roamers: home MCC-MNC and country calling code.
FOREIGN = (
    ("23410", 44),
    ("26201", 49),
    ("310260", 1),
    ("40410", 91),
    ("46000", 86),
    ("62130", 234),
    ("64005", 255),
    ("64101", 256),
)


@dataclass(frozen=True)
class World:
    """Shared state of one simulation, derived from its parameters and seed."""

    seed: int
    start: dt.date
    days: int
    subscribers: int
    rates: Rates
    catalog: Catalog
    operators: tuple[OperatorProfile, ...]
    country_code: int
    op_mcc_mnc: np.ndarray  # int value of each operator's MCC-MNC
    op_cumulative: np.ndarray  # cumulative market shares
    cells: tuple[geography.CellTable | None, ...]
    phone_pool: tuple[np.ndarray, np.ndarray]
    iot_pool: tuple[np.ndarray, np.ndarray]
    mismatch_pools: tuple[tuple[np.ndarray, np.ndarray], ...]
    far: tuple[np.ndarray, ...]
    all_same_imeis: tuple[str, ...]
    test_imeis: tuple[str, ...]
    rat_text: tuple[pa.Array, ...]  # per operator, text of each RAT mask
    dates: tuple[str, ...]  # YYYYMMDD of each day
    serial_base: np.ndarray  # per TAC number, where its serials start within the span
    clone_variants: tuple[str, ...] = ("classic",)  # population.CLONE_VARIANTS drawn from

    @property
    def n_chunks(self) -> int:
        return max(1, -(-self.subscribers // CHUNK_SIZE))

    @property
    def serial_capacity(self) -> int:
        """Serials each chunk may allocate per TAC, so chunks never collide."""
        return SERIAL_SPAN // self.n_chunks

    def chunk_rng(self, chunk: int) -> np.random.Generator:
        """The generator of one chunk's subscribers: depends on (seed, chunk) only."""
        return np.random.default_rng([self.seed, 1, chunk])

    def day_rng(self, chunk: int, day: int) -> np.random.Generator:
        """The generator of one chunk's activity on one day: depends on (seed, chunk, day)."""
        return np.random.default_rng([self.seed, 2, chunk, day])


def build_world(
    *,
    seed: int,
    start: dt.date,
    days: int,
    subscribers: int,
    rates: Rates,
    operators: list[OperatorProfile],
    country_code: str,
    clone_variants: tuple[str, ...] = ("classic",),
) -> World:
    """Build the shared state; deterministic in its arguments."""
    rng = np.random.default_rng([seed, 0])
    catalog = build_catalog(rng, start)
    cells = tuple(
        geography.cell_table(op.mcc_mnc, np.random.default_rng([seed, 3, k])) if op.cells else None
        for k, op in enumerate(operators)
    )
    shares = np.array([op.share for op in operators])
    cumulative = np.cumsum(shares / shares.sum())
    cumulative[-1] = 1.0
    # Copied IMEIs: a legacy TAC with an all-same serial; GSMA test TACs with small serials.
    same_digits = rng.integers(0, 10, size=catalog.legacy.size)
    same_bodies = catalog.tac[catalog.legacy] * 10**6 + same_digits * 111_111
    test_bodies = catalog.test_tacs[:5] * 10**6 + rng.integers(0, 1000, size=5)
    return World(
        seed=seed,
        start=start,
        days=days,
        subscribers=subscribers,
        rates=rates,
        catalog=catalog,
        operators=tuple(operators),
        country_code=int(country_code),
        op_mcc_mnc=np.array([int(op.mcc_mnc) for op in operators], dtype=np.int64),
        op_cumulative=cumulative,
        cells=cells,
        phone_pool=catalog.pool(PHONE_CLASSES),
        iot_pool=catalog.pool(IOT_CLASSES),
        mismatch_pools=tuple(catalog.pool((name,)) for name, _ in RAT_MISMATCH),
        far=tuple(geography.far_regions()),
        all_same_imeis=tuple(f"{v:015d}" for v in with_check_digits(same_bodies).tolist()),
        test_imeis=tuple(f"{v:015d}" for v in with_check_digits(test_bodies).tolist()),
        rat_text=tuple(radio.dictionary(op.rat_words) for op in operators),
        dates=tuple((start + dt.timedelta(days=d)).strftime("%Y%m%d") for d in range(days)),
        serial_base=rng.integers(0, SERIAL_SPAN, catalog.tac.size),
        clone_variants=tuple(clone_variants),
    )


def pick(rng: np.random.Generator, pool: tuple[np.ndarray, np.ndarray], size: int) -> np.ndarray:
    """Draw `size` items from a (values, cumulative probabilities) pool."""
    values, cumulative = pool
    return values[
        np.searchsorted(cumulative, rng.random(size), side="right").clip(0, values.size - 1)
    ]
