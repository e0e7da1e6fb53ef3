"""Side-by-side measurements; ``python -m benchmarks.run`` (``make bench``) writes BENCHMARKS.md."""
