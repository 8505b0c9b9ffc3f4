"""Benchmarks: `make bench` runs every `bench/bench_*.py`; `make bench BENCH=<name>` one.

Each module defines `run(report)` and calls `report(name, value, unit)` for each figure.
Figures are printed as `name: value unit` and written to var/bench/latest.json.
"""
