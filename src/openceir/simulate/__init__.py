"""Synthetic national mobile network: operator dumps, registers and ground truth.

`simulate` writes what a regulator receives (architecture §5 operator dumps, a GSMA TAC catalog,
DIRBS stolen / registration / pairing lists) for a made-up or configured country, with
clones, counterfeits, thefts and data faults injected and recorded under `truth/`.
"""

from openceir.simulate.engine import SimulationSummary, simulate
from openceir.simulate.files import FORMATS
from openceir.simulate.population import CLONE_VARIANTS
from openceir.simulate.rates import KINDS, Rates
from openceir.simulate.truth import TRUTH_COLUMNS

__all__ = [
    "CLONE_VARIANTS",
    "FORMATS",
    "KINDS",
    "TRUTH_COLUMNS",
    "Rates",
    "SimulationSummary",
    "simulate",
]
