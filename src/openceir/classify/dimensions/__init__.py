"""Built-in dimensions: each a pure function from `Sources` to an Ibis table of matching IMEIs.

`DIMENSIONS` maps the name used in rule files to its `Spec` (function, parameter model,
meaning). Importing this package registers them all.
"""

from openceir.classify.dimensions import duplicates, radio, registers, roaming, travel
from openceir.classify.dimensions._base import DIMENSIONS, Spec, params_model

__all__ = [
    "DIMENSIONS",
    "Spec",
    "duplicates",
    "params_model",
    "radio",
    "registers",
    "roaming",
    "travel",
]
