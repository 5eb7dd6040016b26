"""Benchmarks of notion-crm against Notion's rate limit and a naive baseline (issue 7).

``python -m benchmarks.run --sizes S,M`` provisions a CRM through the real CLI, fills
the emulator's data file with a seeded data set (:mod:`benchmarks.generate`), drives
``notion-crm sync --once --json`` through the scenarios of the issue, runs the naive
baseline (:mod:`benchmarks.baseline`) on the same data, and writes
``benchmarks/RESULTS.md``.
"""
