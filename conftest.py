"""Test-run policy shared by every package's suite.

With ``CI=true`` a skipped test fails the run: a test that needs PostgreSQL,
MariaDB or Redis skips locally when the server is missing (with a loud
reason), but in CI that would hide a feature that was never exercised.
"""

from __future__ import annotations

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) were skipped; every test must run in CI.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
