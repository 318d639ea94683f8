"""The baseline: DIRBS-Core's classification as shipped, restated on openceir's dimensions.

What DIRBS does that is reproduced here (read from DIRBS-Core's dimension definitions and
default parameters, not copied): a TAC missing from the GSMA database is flagged once the
IMEI's own first sighting plus its reporting body's delay (the TAC's first two digits:
`DIRBS_PREFIX_DELAYS`, 0 for other prefixes) has passed; stolen, malformed and test IMEIs are
flagged; a duplicated IMEI (threshold and daily-average dimensions) is flagged as a whole,
with no clone differentiation, and every SIM using it loses service except the pairs on
the pairing list (DIRBS's exception list). The duplicate thresholds are the ones openceir's
default rules use, so the comparison isolates the decision, not the detection.
"""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from openceir.classify import rules as rule_files
from openceir.classify.engine import Evaluator

DIRBS_RULES = """
conditions:
  - label: gsma_not_found
    reason: TAC not in the GSMA database after its reporting body's delay.
    max_allowed_matching_ratio: 0.1
    dimensions:
      - tac_not_allocated: {reporting_delay_days: 0, prefix_delays: dirbs, count_from: imei}
  - label: malformed_imei
    reason: Malformed IMEI.
    max_allowed_matching_ratio: 0.1
    dimensions: [malformed_imei]
  - label: is_test_tac
    reason: Test TAC.
    max_allowed_matching_ratio: 0.1
    dimensions: [test_tac]
  - label: stolen_list
    reason: On the stolen list.
    max_allowed_matching_ratio: 0.1
    dimensions: [stolen]
  - label: duplicate
    reason: Duplicated IMEI.
    max_allowed_matching_ratio: 0.1
    dimensions:
      any:
        - duplicate_threshold: {threshold: 4, period_days: 30}
        - duplicate_daily_avg: {threshold: 2.0, min_seen_days: 5, period_days: 30}
"""
"""DIRBS's conditions in openceir's rule syntax (all blocking, none differentiating)."""


def dirbs_flagged(backend: Any, sources: Any) -> set[str]:
    """IMEI ids (14-digit text) DIRBS's rules flag on these sources (refused ones excepted)."""
    evaluator = Evaluator(backend, sources)
    out: set[str] = set()
    for condition in rule_files.parse(DIRBS_RULES).conditions:
        match = evaluator.evaluate(condition)
        if match.refused is None:
            keys = match.ids.filter(pc.invert(pc.starts_with(match.ids, "raw:")))
            out.update(keys.to_pylist())
    return out


__all__ = ["DIRBS_RULES", "dirbs_flagged"]
