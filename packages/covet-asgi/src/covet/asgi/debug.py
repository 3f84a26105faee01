"""The debug-mode error page: the traceback, readable, with source and locals.

Only used when the application runs with ``debug=True``. Every piece of text
that came from the program (source lines, values, the message) is escaped,
so the page cannot be turned into a script injection by a crafted request.
"""

from __future__ import annotations

import html
import linecache
import reprlib
import traceback
from types import TracebackType

__all__ = ["render_traceback_html", "render_traceback_text"]

_CONTEXT_LINES = 3
_safe_repr = reprlib.Repr()
_safe_repr.maxstring = 120
_safe_repr.maxother = 120


def render_traceback_text(exc: BaseException) -> str:
    """The traceback exactly as Python prints it."""
    return "".join(traceback.format_exception(exc))


def _frames(tb: TracebackType | None) -> list[TracebackType]:
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    return frames


def _render_frame(tb: TracebackType) -> str:
    code = tb.tb_frame.f_code
    lineno = tb.tb_lineno
    first = max(lineno - _CONTEXT_LINES, 1)
    source = []
    for number in range(first, lineno + _CONTEXT_LINES + 1):
        line = linecache.getline(code.co_filename, number)
        if not line:
            continue
        css = ' class="current"' if number == lineno else ""
        source.append(f'<li value="{number}"{css}>{html.escape(line.rstrip())}</li>')
    local_rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(_safe_repr.repr(value))}</td></tr>"
        for name, value in tb.tb_frame.f_locals.items()
    )
    return (
        '<div class="frame">'
        f"<p><b>{html.escape(code.co_filename)}</b>, line {lineno}, in "
        f"<code>{html.escape(code.co_name)}</code></p>"
        f'<ol class="source">{"".join(source)}</ol>'
        f"<details><summary>locals</summary><table>{local_rows}</table></details>"
        "</div>"
    )


def render_traceback_html(exc: BaseException) -> str:
    """A self-contained HTML page: the exception, then each frame, innermost last."""
    title = f"{type(exc).__name__}: {exc}"
    frames = "".join(_render_frame(tb) for tb in _frames(exc.__traceback__))
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}"
        ".frame{border:1px solid #ddd;margin:1em 0;padding:.5em}"
        ".source{font-family:monospace;white-space:pre;background:#f7f7f7}"
        ".current{background:#fdd}td{font-family:monospace;padding:0 1em}</style>"
        "</head><body>"
        f"<h1>500 Internal Server Error</h1><h2>{html.escape(title)}</h2>"
        "<p>This page is shown because the application runs with debug=True. "
        "Never enable debug in production.</p>"
        f"{frames}"
        f"<h3>Plain traceback</h3><pre>{html.escape(render_traceback_text(exc))}</pre>"
        "</body></html>"
    )
