"""Benchmarks of the client against the local sandbox.

Run `python -m benchmarks --help`. The benchmarks are not part of the test
run; tests/test_benchmarks_smoke.py only checks that each one works on a tiny
configuration.
"""
