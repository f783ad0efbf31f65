"""Benchmarks: Luma against a hand-written numpy reference, side by side in one run (`make bench`)."""
