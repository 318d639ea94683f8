"""Digital Object Architecture resolution: identifier records as Handle System records."""

from openceir.resolve.handle import HandleValue, handle_name, parse_suffix, record_body, select
from openceir.resolve.record import PROVIDERS, ResolverContext, resolve

__all__ = [
    "PROVIDERS",
    "HandleValue",
    "ResolverContext",
    "handle_name",
    "parse_suffix",
    "record_body",
    "resolve",
    "select",
]
