"""Lost and stolen phones: report, block in seconds, trace, recover, unblock (issue 13).

Layer 7. A report (`file_report`) is one transaction: the case, the stolen-register rows,
the changes to publish (`publish_pending`: the EIRs and the ledger) and the messages
(`openceir.notify` outbox). Tracing (`trace.scan`) turns check events and operator dumps
into alerts for the case's police station. See docs/cases.md.
"""

from openceir.cases import rules, trace
from openceir.cases.bulk import RowResult, import_bulk
from openceir.cases.lifecycle import close, recover, request_unblock_code, reverse, unblock
from openceir.cases.publish import Published, Publisher, RegisterOnly, publish_pending
from openceir.cases.queries import (
    ALL,
    Scope,
    follow,
    list_alerts,
    list_cases,
    open_case_for_imei,
    show_case,
    why_blocked,
)
from openceir.cases.report import Filed, file_report, request_code
from openceir.cases.rules import Report, check_report

__all__ = [
    "ALL",
    "Filed",
    "Published",
    "Publisher",
    "RegisterOnly",
    "Report",
    "RowResult",
    "Scope",
    "check_report",
    "close",
    "file_report",
    "follow",
    "import_bulk",
    "list_alerts",
    "list_cases",
    "open_case_for_imei",
    "publish_pending",
    "recover",
    "request_code",
    "request_unblock_code",
    "reverse",
    "rules",
    "show_case",
    "trace",
    "unblock",
    "why_blocked",
]
