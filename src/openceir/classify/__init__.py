"""Classification (architecture §6): explainable rules over the lake and registers, on DuckDB.

Rules (`rules.load`, YAML) name conditions built from dimensions (`dimensions.DIMENSIONS`,
Ibis expressions); `run.classify` evaluates them (`engine.Evaluator`), tells clones apart
(`clone_inputs` reads the evidence, `clones` decides), and keeps the state with history
(`state.apply`, `state.current`); `explain.explain` puts one IMEI's decisions into words.
"""

from openceir.classify.dimensions import DIMENSIONS
from openceir.classify.engine import Evaluator, Match
from openceir.classify.rules import Condition, Rules, load, parse
from openceir.classify.run import RunResult, classify
from openceir.classify.state import current, history

__all__ = [
    "DIMENSIONS",
    "Condition",
    "Evaluator",
    "Match",
    "Rules",
    "RunResult",
    "classify",
    "current",
    "history",
    "load",
    "parse",
]
