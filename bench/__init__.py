"""Parley's benchmark: `make bench` (python -m bench.run) against Parley and two references."""
