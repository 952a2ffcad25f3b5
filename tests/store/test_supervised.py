"""The private Virtuoso the tests and the benchmark start is supervised, as a service manager would: Debian's
7.2.9 dies of a segmentation fault now and then while answering reads (README). Killed the same way, it comes
back on the same database and ports, with everything committed, and kg's client rides out the restart."""

from __future__ import annotations

import signal
import time


def test_a_crashed_virtuoso_is_restarted_and_kg_reads_on(virtuoso, remote_graph, seed_page):
    remote_graph.load([seed_page])
    before = remote_graph.query("dataset-summary").rows
    crashes = len(virtuoso.crashes)
    virtuoso.process.send_signal(signal.SIGSEGV)  # what the kernel sends it when it faults
    assert remote_graph.query("dataset-summary").rows == before  # retried through the restart
    deadline = time.monotonic() + 30
    while len(virtuoso.crashes) == crashes and time.monotonic() < deadline:
        time.sleep(0.1)
    assert virtuoso.crashes[crashes:] == [-signal.SIGSEGV]
    virtuoso.crashes[crashes:] = []  # this one was on purpose: the session's summary warns of the others
