"""Benchmarks: parchment issue (parchments.py), the load benchmark (load.py on dataset.py), the import."""
