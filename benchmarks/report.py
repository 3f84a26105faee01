"""Writing a run down: ``latest.md`` (what the README quotes), ``latest.json``, the charts.

The summary at the top of ``latest.md`` lists every target with its measured value and
whether it is met; the README's performance section is that summary, copied between two
markers by :func:`update_readme` after a full run, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.charts import draw
from benchmarks.harness import SuiteResult, Table, TargetCheck

__all__ = ["README_END", "README_START", "render_markdown", "update_readme", "write_results"]

README_START = "<!-- benchmarks summary: start (written by python -m benchmarks) -->"
README_END = "<!-- benchmarks summary: end -->"


def _table(table: Table) -> list[str]:
    lines = [f"**{table.title}**", ""]
    lines.append("| " + " | ".join(table.headers) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.headers) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    if table.note:
        lines += ["", table.note]
    return [*lines, ""]


def summary_lines(targets: list[TargetCheck], machine: dict[str, Any], mode: str) -> list[str]:
    """The summary: the machine in one line, then one row per target."""
    met = sum(target.met for target in targets)
    lines = [
        f"Measured on {machine['date']}, {mode} run: {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['ram_gib']} GiB RAM, {machine['os']}, "
        f"{machine['python']}. {met} of {len(targets)} targets met.",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {t.description} | {t.measured} | {'yes' if t.met else '**no**'} |" for t in targets
    ]
    return lines


def render_markdown(
    results: list[SuiteResult],
    machine: dict[str, Any],
    versions: dict[str, str],
    key_packages: tuple[str, ...],
    mode: str,
    minutes: float,
) -> str:
    targets = [target for result in results for target in result.targets]
    lines = [
        "# CovetPy benchmark results",
        "",
        "<!-- Written by `hatch run bench:all` (python -m benchmarks); do not edit by hand. -->",
        "",
        f"One run of `python -m benchmarks` ({mode} mode, {minutes:.1f} minutes): CovetPy and "
        "its peers side by side, on the same machine, in the same run. Speed ratios are "
        "CovetPy's speed over the other's: above 1, CovetPy is faster.",
        "",
        "## Summary",
        "",
        *summary_lines(targets, machine, mode),
        "",
    ]
    for result in results:
        lines += [f"## {result.title}", "", result.method, ""]
        for table in result.tables:
            lines += _table(table)
        lines += [f"![{chart.title}]({chart.filename})" for chart in result.charts]
        lines.append("")
    lines += [
        "## Machine and versions",
        "",
        *(f"- {key}: {value}" for key, value in machine.items()),
        "",
        "| package | version |",
        "| --- | --- |",
        *(f"| {name} | {versions[name]} |" for name in key_packages if name in versions),
        "",
        "Every other installed distribution: "
        + ", ".join(f"{name} {version}" for name, version in versions.items()
                    if name not in key_packages)
        + ".",
        "",
        "## How to re-run",
        "",
        "`hatch run bench:all` from the repository root (benchmarks/README.md says what each "
        "suite measures and how). The figures move from run to run and machine to machine; "
        "compare ratios measured in one run, not figures from different runs.",
        "",
    ]  # fmt: skip
    return "\n".join(lines)


def write_results(
    directory: Path,
    results: list[SuiteResult],
    machine: dict[str, Any],
    versions: dict[str, str],
    key_packages: tuple[str, ...],
    mode: str,
    minutes: float,
) -> Path:
    """Write latest.md, latest.json and every chart into ``directory``; latest.md's path."""
    directory.mkdir(parents=True, exist_ok=True)
    for result in results:
        for chart in result.charts:
            draw(chart, directory)
    markdown = directory / "latest.md"
    markdown.write_text(render_markdown(results, machine, versions, key_packages, mode, minutes))
    data = {
        "mode": mode,
        "minutes": round(minutes, 2),
        "machine": machine,
        "versions": {name: versions[name] for name in key_packages if name in versions},
        "suites": {r.name: {"data": r.data, "targets": [asdict(t) for t in r.targets]}
                   for r in results},
    }  # fmt: skip
    (directory / "latest.json").write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    return markdown


def update_readme(
    readme: Path, results: list[SuiteResult], machine: dict[str, Any], mode: str
) -> bool:
    """Copy the summary between the README's markers; False when the markers are missing."""
    text = readme.read_text()
    start, end = text.find(README_START), text.find(README_END)
    if start == -1 or end < start:
        return False
    targets = [target for result in results for target in result.targets]
    summary = "\n".join(summary_lines(targets, machine, mode))
    readme.write_text(text[: start + len(README_START)] + "\n" + summary + "\n" + text[end:])
    return True
