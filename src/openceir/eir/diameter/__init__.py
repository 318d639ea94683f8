"""A small Diameter base protocol (RFC 6733) for the S13 EIR peer: codec and asyncio peer."""

from openceir.eir.diameter.codec import Avp, Header, avp, decode_avps, decode_header, message
from openceir.eir.diameter.peer import DiameterServer

__all__ = ["Avp", "DiameterServer", "Header", "avp", "decode_avps", "decode_header", "message"]
