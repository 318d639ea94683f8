"""Prometheus metrics of the EIR service, in the text exposition format 0.0.4.

Counters (requests and answers by interface and status), one latency histogram per interface
and the snapshot generation. Kept in plain integers per process: with several workers each
process reports its own series (Prometheus sums them across scrapes of each worker).
"""

from __future__ import annotations

import bisect
from collections import defaultdict

BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class Metrics:
    """Request/answer counters, latency histograms and snapshot facts for `/metrics`."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = defaultdict(int)
        self.answers: dict[tuple[str, str], int] = defaultdict(int)
        self.hist: dict[str, list[int]] = {}
        self.hist_sum: dict[str, float] = defaultdict(float)
        self.duplicates = 0

    def observe(self, interface: str, answer: str, seconds: float) -> None:
        """Count one answered request and its latency."""
        self.requests[interface] += 1
        self.answers[(interface, answer)] += 1
        counts = self.hist.get(interface)
        if counts is None:
            counts = self.hist[interface] = [0] * (len(BUCKETS) + 1)
        counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.hist_sum[interface] += seconds

    def render(self, *, generation: int, run_id: str, generated_at: str) -> str:
        """The exposition text, with the snapshot generation and run as gauges."""
        out = [
            "# HELP openceir_eir_requests_total Equipment checks received.",
            "# TYPE openceir_eir_requests_total counter",
        ]
        out += [
            f'openceir_eir_requests_total{{interface="{i}"}} {n}'
            for i, n in sorted(self.requests.items())
        ]
        out += [
            "# HELP openceir_eir_answers_total Answers by equipment status or problem cause.",
            "# TYPE openceir_eir_answers_total counter",
        ]
        out += [
            f'openceir_eir_answers_total{{interface="{i}",status="{s}"}} {n}'
            for (i, s), n in sorted(self.answers.items())
        ]
        out += [
            "# HELP openceir_eir_request_seconds Time to answer one check.",
            "# TYPE openceir_eir_request_seconds histogram",
        ]
        for interface, counts in sorted(self.hist.items()):
            running = 0
            for bound, count in zip(BUCKETS, counts, strict=False):
                running += count
                out.append(
                    f'openceir_eir_request_seconds_bucket{{interface="{interface}",'
                    f'le="{bound}"}} {running}'
                )
            running += counts[-1]
            out.append(
                f'openceir_eir_request_seconds_bucket{{interface="{interface}",'
                f'le="+Inf"}} {running}'
            )
            out.append(
                f'openceir_eir_request_seconds_sum{{interface="{interface}"}} '
                f"{self.hist_sum[interface]:.6f}"
            )
            out.append(f'openceir_eir_request_seconds_count{{interface="{interface}"}} {running}')
        out += [
            "# HELP openceir_eir_duplicate_signals_total Same IMEI seen with two IMSIs on two "
            "networks within the window.",
            "# TYPE openceir_eir_duplicate_signals_total counter",
            f"openceir_eir_duplicate_signals_total {self.duplicates}",
            "# HELP openceir_eir_snapshot_generation Snapshots loaded by this process.",
            "# TYPE openceir_eir_snapshot_generation gauge",
            f"openceir_eir_snapshot_generation {generation}",
            "# HELP openceir_eir_snapshot_info The snapshot run being served.",
            "# TYPE openceir_eir_snapshot_info gauge",
            f'openceir_eir_snapshot_info{{run_id="{run_id}",generated_at="{generated_at}"}} 1',
        ]
        return "\n".join(out) + "\n"


__all__ = ["BUCKETS", "Metrics"]
