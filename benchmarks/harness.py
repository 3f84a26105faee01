"""What every suite shares: the run settings, the result types, and the statistics.

A suite is a module with a ``SUITE = Suite(name, title, run)`` attribute, listed in
``suites.py``. ``run(settings)`` measures, and returns a :class:`SuiteResult`: the tables and
charts the report shows, the targets it checks, and the raw figures for ``latest.json``. The
suite knows nothing about files or markdown; ``report.py`` and ``charts.py`` do the writing.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Chart",
    "MODES",
    "Settings",
    "Suite",
    "SuiteResult",
    "Table",
    "TargetCheck",
    "median",
    "ratio",
]

Mode = Literal["full", "quick", "smoke"]
MODES: tuple[Mode, ...] = ("full", "quick", "smoke")


@dataclass(frozen=True)
class Settings:
    """How long to measure. ``full`` is the published run (under 10 minutes on 2 cores);
    ``quick`` is a rough look in about a third of the time; ``smoke`` only proves that every
    suite runs and every app answers correctly (the test of the harness uses it).
    """

    mode: Mode = "full"

    @property
    def repeats(self) -> int:
        """Independent measurements per figure; the report gives their median."""
        return {"full": 5, "quick": 3, "smoke": 1}[self.mode]

    def pick(self, full: Any, quick: Any, smoke: Any) -> Any:
        """The value for this mode, for settings particular to one suite."""
        return {"full": full, "quick": quick, "smoke": smoke}[self.mode]


@dataclass
class Table:
    """A titled table; cells are already formatted text."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Chart:
    """A grouped bar chart: one group per category, one bar per series.

    ``threshold`` draws a line per series label (the target ratio), so a bar below its line
    is a target not met.
    """

    filename: str
    title: str
    ylabel: str
    categories: list[str]
    series: dict[str, list[float]]
    thresholds: dict[str, float] = field(default_factory=dict)


@dataclass
class TargetCheck:
    """One target: what was promised, what was measured, and whether it holds."""

    description: str
    measured: str
    met: bool


@dataclass
class SuiteResult:
    """Everything a suite hands to the report."""

    name: str
    title: str
    method: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    targets: list[TargetCheck] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    """A suite of benchmarks: ``name`` picks it on the command line (``--suite``)."""

    name: str
    title: str
    run: Callable[[Settings], SuiteResult]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or ``nan`` when the denominator is zero (nothing measured)."""
    return numerator / denominator if denominator else float("nan")
