"""Run ``notion-crm`` and record its own peak memory: ``python -m benchmarks.measured``.

``ru_maxrss`` of a child is useless here: Linux carries the high-water mark of the
image a process replaced with ``exec`` (the runner's, which holds a whole data set)
into the child's. ``VmHWM`` in ``/proc/self/status`` belongs to the new image only,
so this wrapper writes it, in kB, to ``$BENCH_PEAK_FILE`` when the CLI exits.

Usage: ``BENCH_PEAK_FILE=peak.txt python -m benchmarks.measured sync --once --json``.
"""

from __future__ import annotations

import atexit
import os
import runpy
import sys
from pathlib import Path

PEAK_FILE_ENV = "BENCH_PEAK_FILE"
"""Where the peak resident set size, in kB, is written."""


def peak_kb() -> int:
    """This process's peak resident set size (``VmHWM``), in kB; 0 if unknown."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _record() -> None:
    target = os.environ.get(PEAK_FILE_ENV)
    if target:
        Path(target).write_text(str(peak_kb()), encoding="utf-8")


def main() -> None:
    """Run the CLI with this process's arguments, recording the peak at exit."""
    atexit.register(_record)
    sys.argv = ["notion-crm", *sys.argv[1:]]
    runpy.run_module("notion_crm", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
