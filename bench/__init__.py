"""Benchmarks: scripts run as `.venv/bin/python bench/NAME.py` (see bench/README.md)."""
