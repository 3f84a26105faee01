"""PNG charts of the ratios, drawn with matplotlib (Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import Chart

__all__ = ["draw"]


def draw(chart: Chart, directory: Path) -> Path:
    """Draw ``chart`` as a grouped bar chart in ``directory``; the file written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(chart.series)
    width = 0.8 / max(len(labels), 1)
    figure, axes = plt.subplots(figsize=(8, 3.6), dpi=100)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, label in enumerate(labels):
        colour = colours[index % len(colours)]
        positions = [
            i + (index - (len(labels) - 1) / 2) * width for i in range(len(chart.categories))
        ]
        axes.bar(positions, chart.series[label], width, label=label, color=colour)
        if label in chart.thresholds:
            axes.axhline(chart.thresholds[label], color=colour, linestyle="--", linewidth=1)
    axes.axhline(1.0, color="black", linewidth=0.6)
    axes.set_xticks(range(len(chart.categories)))
    axes.set_xticklabels(chart.categories, rotation=20, ha="right", fontsize=8)
    axes.set_ylabel(chart.ylabel, fontsize=8)
    axes.set_title(chart.title, fontsize=9)
    axes.tick_params(axis="y", labelsize=8)
    axes.legend(fontsize=7, frameon=False)
    figure.tight_layout()
    path = directory / chart.filename
    figure.savefig(path)
    plt.close(figure)
    return path
