"""The ``Vary`` response header: which request headers chose this response.

A shared cache (a CDN, a proxy, the browser's own cache) stores a response under its URL.
When the same URL can answer differently depending on a request header, the response must say
so in ``Vary``, or the cache hands one client's answer to another: a gzipped body to a client
that cannot read gzip, or one site's CORS permission to a different site.

Several middleware may each add a name (CORS adds ``Origin``, GZip adds ``Accept-Encoding``),
and the application may have set ``Vary`` itself, so names are *merged*, never overwritten.
"""

from __future__ import annotations

from covet.asgi.headers import MutableHeaders

__all__ = ["add_vary"]


def add_vary(headers: MutableHeaders, name: str) -> None:
    """Add ``name`` to the ``Vary`` header, keeping every name already there.

    Names compare case-insensitively and are not repeated; several ``Vary`` lines are joined
    into one. ``Vary: *`` already says "this varies on anything", so it is left alone.
    """
    lines = headers.getlist("vary")
    if not lines:
        # The usual case (no Vary yet): nothing to merge, and appending leaves the other
        # fields as they are, where assigning rebuilds the list to keep one Vary.
        headers.append("vary", name)
        return
    present = [item.strip() for line in lines for item in line.split(",") if item.strip()]
    if "*" in present:
        return
    if name.lower() not in (item.lower() for item in present):
        present.append(name)
    headers["vary"] = ", ".join(present)
