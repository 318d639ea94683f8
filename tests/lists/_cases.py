"""Hand-built inputs shared by the list tests."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from openceir.classify.state import CURRENT_SCHEMA
from openceir.lists.inputs import TRIPLET_SCHEMA
from openceir.lists.run import RunInputs

AS_OF = date(2026, 11, 28)
A = 35209900176148  # blocked since 2026-11-01 (stolen)
B = 1234567890123  # in grace: blocks 2026-12-10 (duplicate) -> notified
C = 49015420323751  # blocked but exempt (golden)
D = 86000000000001  # clone: genuine IMSI 1 on op1, clone IMSI on op2
E = 35000000000002  # informational only (not blocking)
OPS = ["op1", "op2"]


def state_row(key, condition, block, *, blocking=True, reason=None, clones=None, genuine=None):
    return {
        "imei_key": key,
        "imei_raw": None,
        "condition": condition,
        "start_date": date(2026, 10, 1),
        "block_date": block,
        "blocking": blocking,
        "reasons": [reason or condition],
        "evidence": "{}",
        "clone_imsis": clones,
        "genuine_imsis": genuine,
    }


def state(rows=None) -> pa.Table:
    rows = (
        rows
        if rows is not None
        else [
            state_row(A, "stolen", date(2026, 11, 1), reason="Reported stolen"),
            state_row(A, "not_registered", date(2026, 11, 20), reason="Not registered"),
            state_row(B, "duplicate", date(2026, 12, 10), reason="Duplicated IMEI"),
            state_row(C, "stolen", date(2026, 11, 1)),
            state_row(
                D,
                "duplicate",
                date(2026, 11, 2),
                clones=["64210000000009"],
                genuine=["64201000000001"],
            ),
            state_row(E, "inconsistent_rat", None, blocking=False),
        ]
    )
    return pa.Table.from_pylist(rows, schema=CURRENT_SCHEMA)


def triplet(op, key, imsi, msisdn, seen=date(2026, 11, 20)):
    return {
        "operator": op,
        "imei_key": key,
        "imei_raw": None,
        "imsi": imsi,
        "msisdn": msisdn,
        "last_seen": seen,
    }


def triplets(rows=None) -> pa.Table:
    rows = (
        rows
        if rows is not None
        else [
            triplet("op1", B, "64201000000011", "255700000011"),  # home op1
            triplet("op2", B, "64201000000011", "255700000011"),  # op1 SIM seen on op2 -> op1 only
            triplet("op1", B, "64202000000022", "255710000022"),  # op2 SIM seen on op1 -> op2
            triplet("op1", B, "23410000000033", "447000000033"),  # roamer on op1 and op2
            triplet("op2", B, "23410000000033", "447000000033"),
            triplet("op1", B, "64201000000044", "255700000044"),  # on the pairing list
            triplet("op1", A, "64201000000055", "255700000055"),
        ]
    )
    return pa.Table.from_pylist(rows, schema=TRIPLET_SCHEMA)


def pairing(rows=None) -> pa.Table:
    rows = (
        rows
        if rows is not None
        else [
            (B, "64201000000044"),
            (A, "64202000000066"),  # exception for blocked A, routed to op2
            (A, "31026000000077"),  # foreign SIM never seen: every operator
            (E, "64201000000088"),  # E not blocked: no exception
        ]
    )
    return pa.table(
        {
            "imei_key": pa.array([r[0] for r in rows], pa.int64()),
            "imei_raw": pa.array([None] * len(rows), pa.string()),
            "imsi": pa.array([r[1] for r in rows], pa.string()),
        }
    )


def exempt(keys=(C,)) -> pa.Table:
    return pa.table(
        {
            "imei_key": pa.array(list(keys), pa.int64()),
            "imei_raw": pa.array([None] * len(keys), pa.string()),
        }
    )


def home() -> pa.Table:
    return pa.table({"operator": ["op1", "op2"], "prefix": ["64201", "64202"]})


def inputs(**over) -> RunInputs:
    parts = {
        "state": state(),
        "triplets": triplets(),
        "pairing": pairing(),
        "exempt": exempt(),
        "home": home(),
        "operators": OPS,
    }
    parts.update(over)
    return RunInputs(**parts)
