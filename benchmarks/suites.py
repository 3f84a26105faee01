"""The registry: every suite ``python -m benchmarks`` runs, in this order.

Adding a suite is one module and one line here. The module (say ``benchmarks/orm.py``)
defines ``SUITE = Suite("orm", "ORM", run)``, where ``run(settings)`` returns a
:class:`~benchmarks.harness.SuiteResult` whose tables, charts and targets the report writes
like any other; then its name goes into ``SUITE_MODULES``. The test of the harness runs every
module listed here in smoke mode, so a new suite is checked from the day it is added.
"""

from __future__ import annotations

import importlib

from benchmarks.harness import Suite

__all__ = ["SUITE_MODULES", "load_suites"]

SUITE_MODULES: tuple[str, ...] = (
    "benchmarks.http_inprocess",
    "benchmarks.http_loopback",
    "benchmarks.startup",
    "benchmarks.orm",
)


def load_suites(names: list[str] | None = None) -> list[Suite]:
    """The registered suites, or those named in ``names`` (in registry order)."""
    suites = [importlib.import_module(module).SUITE for module in SUITE_MODULES]
    if names:
        unknown = set(names) - {suite.name for suite in suites}
        if unknown:
            known = ", ".join(suite.name for suite in suites)
            raise SystemExit(f"unknown suite(s) {', '.join(sorted(unknown))}; known: {known}")
        suites = [suite for suite in suites if suite.name in names]
    return suites
