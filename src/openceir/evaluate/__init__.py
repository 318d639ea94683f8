"""Evaluation (issue 15): a simulated world with the hard cases, through import,
classification and lists, scored against its ground truth per phenomenon and variant, beside
DIRBS's rules computed on the same files in the same run.

Layer 8 (it composes `simulate`, `ingest`, `classify` and `lists`). `score` is pure,
`baseline` states the DIRBS rules, `world` runs the pipeline.
"""

from openceir.evaluate.baseline import DIRBS_RULES
from openceir.evaluate.score import GOALS, Case, Flags, Row, score
from openceir.evaluate.world import Evaluation, evaluate

__all__ = ["DIRBS_RULES", "GOALS", "Case", "Evaluation", "Flags", "Row", "evaluate", "score"]
