"""CovetPy's benchmarks: CovetPy against its peers, measured side by side in one run.

``python -m benchmarks`` (or ``hatch run bench:all``) runs every suite listed in
``benchmarks/suites.py`` and writes ``benchmarks/results/latest.md``, ``latest.json`` and the
PNG charts. ``benchmarks/README.md`` says what each suite measures and how to add one.
"""
