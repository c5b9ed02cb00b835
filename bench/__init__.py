"""Benchmarks for ZoneBrief's summariser (`python -m bench`, `python3 dev.py bench`); never run by the tests."""
