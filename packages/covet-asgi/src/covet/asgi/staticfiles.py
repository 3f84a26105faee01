"""Serving a directory of files: CSS, JavaScript, images, a whole static site.

``StaticFiles`` is an ASGI app meant to be mounted::

    app.mount("/static", StaticFiles(directory="static"), name="static")
    app.url_for("static", path="css/site.css")  # "/static/css/site.css"

Each file is sent by :class:`~covet.asgi.fileresponse.FileResponse`, so content types,
``ETag``/``Last-Modified``, ``304 Not Modified`` and byte ranges work as they do there.

The interesting part is saying **no**. A URL path is text chosen by the client, and the
server turns it into a file system path: every trick that walks out of the directory must
fail. Two independent checks stand in the way:

1. **The URL path is read as segments**, and a path is refused when any segment is ``..``,
   ``.`` or empty (``//etc/passwd`` would otherwise join as an absolute path), or when it
   holds a backslash (a separator on Windows) or a NUL byte. The ASGI server has already
   percent-decoded the path once, so ``%2e%2e`` and ``..%2f`` arrive here as ``..`` and are
   refused; nothing is decoded a second time, so ``%252e%252e`` names a file literally called
   ``%2e%2e``, as it should.
2. **The real path must stay inside the directory.** ``os.path.realpath`` resolves every
   symlink, and ``os.path.commonpath`` checks the result is still below the directory's own
   real path. This catches what the first check cannot know about: a symlink inside the
   directory pointing out of it, or a Windows drive letter.

Symlinks: one whose target stays inside the directory is served (``latest.css ->
v3/site.css``). One that leads outside is refused, unless ``follow_symlinks=True`` says
the links in the directory are trusted (a deployment that links in a shared assets folder,
say). With ``follow_symlinks=True`` the first check still applies, so a client can still
never climb out with ``..``.

Every refusal is a plain ``404 Not Found``, the same answer as for a file that does not
exist: never ``403`` (which would confirm the file exists) and never a ``500``. Only regular
files are served: a directory (without ``html=True``), a FIFO or a device is a 404 too.
A method other than GET or HEAD is a ``405`` with ``Allow: GET, HEAD``.

The 404 and 405 are raised as :class:`~covet.asgi.exceptions.HTTPException`, so the
application's exception handlers (a custom 404 page) answer them as for any route; this is
why ``StaticFiles`` is meant to be mounted in a ``CovetPy`` app rather than served alone.

Looking a path up (``realpath`` and ``stat``, a few system calls) runs in a worker thread
with ``asyncio.to_thread``, like the file reads of ``FileResponse``, so a slow disk never
stalls the event loop.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import stat
from typing import NamedTuple

from covet.asgi.app import route_path
from covet.asgi.exceptions import HTTPException
from covet.asgi.fileresponse import FileResponse
from covet.asgi.responses import RedirectResponse, Response
from covet.asgi.types import Receive, Scope, Send
from covet.asgi.url import URL

__all__ = ["StaticFiles"]


class Found(NamedTuple):
    """A path that passed both checks: where it really is, and what ``stat`` said of it."""

    path: str
    stat: os.stat_result


class StaticFiles:
    """An ASGI app serving the files below ``directory``; mount it with ``app.mount``.

    - ``html=True`` serves a static site: ``docs/`` answers with ``docs/index.html``,
      ``docs`` (no slash) redirects to ``docs/`` so relative links in the page resolve,
      and a missing file answers with the directory's ``404.html`` (status 404) if it has one.
    - ``check_dir=True`` raises ``RuntimeError`` naming ``directory`` at construction when it
      is not an existing directory, so a typo fails at startup, not at the first request.
    - ``follow_symlinks=True`` serves symlinks that lead outside ``directory`` (see the module
      docstring); by default they are a 404.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        html: bool = False,
        check_dir: bool = True,
        follow_symlinks: bool = False,
    ) -> None:
        self.directory = os.path.abspath(directory)
        self.html = html
        self.follow_symlinks = follow_symlinks
        if check_dir and not os.path.isdir(self.directory):
            raise RuntimeError(
                f"StaticFiles directory {os.fspath(directory)!r} does not exist "
                f"or is not a directory (looked for {self.directory!r})"
            )
        # Resolved once: the directory's own real path is the boundary every file must stay in.
        self.real_directory = os.path.realpath(self.directory)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # There is nothing to talk to here: close before accepting, as the app does for
            # a WebSocket request no route takes.
            await receive()
            await send({"type": "websocket.close", "code": 1000})
            return
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        response = await self.get_response(scope)
        await response(scope, receive, send)

    async def get_response(self, scope: Scope) -> Response:
        """The response for this request's path: a file, a redirect, ``404.html``, or 404."""
        segments = safe_segments(route_path(scope))
        if segments is not None:
            # The full path tells "/static/docs" from "/static/docs/"; route_path gives "/"
            # for both "/static" and "/static/", so the slash is read from scope["path"].
            response = await self.find_response(segments, scope["path"].endswith("/"), scope)
            if response is not None:
                return response
        if self.html:
            page = await asyncio.to_thread(self.lookup, ["404.html"])
            if page is not None and stat.S_ISREG(page.stat.st_mode):
                return self.file_response(["404.html"], page, status_code=404)
        raise HTTPException(404)

    async def find_response(
        self, segments: list[str], ends_with_slash: bool, scope: Scope
    ) -> Response | None:
        """A file, an index page or a redirect to one; ``None`` when the path names neither."""
        found = await asyncio.to_thread(self.lookup, segments)
        if found is None:
            return None
        if stat.S_ISREG(found.stat.st_mode):
            # "site.css/" is not a file's URL: a file is never a directory.
            return None if ends_with_slash else self.file_response(segments, found)
        if not (stat.S_ISDIR(found.stat.st_mode) and self.html):
            return None
        index_segments = [*segments, "index.html"]
        index = await asyncio.to_thread(self.lookup, index_segments)
        if index is None or not stat.S_ISREG(index.stat.st_mode):
            return None
        if not ends_with_slash:
            url = URL(scope=scope)
            return RedirectResponse(url.replace(path=url.path + "/"))
        return self.file_response(index_segments, index)

    def lookup(self, segments: list[str]) -> Found | None:
        """Find ``segments`` below the directory, or ``None`` if it is not there or not allowed.

        ``segments`` must come from :func:`safe_segments`. This blocks on the file system:
        call it in a worker thread.
        """
        joined = os.path.join(self.directory, *segments)
        real = os.path.realpath(joined)
        if self.follow_symlinks:
            # The links are trusted; only the lexical path must stay inside. It does, given
            # safe segments: this is a second lock on the same door.
            allowed = is_inside(self.directory, os.path.abspath(joined))
        else:
            allowed = is_inside(self.real_directory, real)
        if not allowed:
            return None
        try:
            return Found(real, os.stat(real))
        except OSError:  # missing, not a directory, name too long, no permission: all 404
            return None

    def file_response(
        self, segments: list[str], found: Found, status_code: int = 200
    ) -> FileResponse:
        # The content type comes from the name that was asked for, so a symlink
        # "download" -> "blob-3f2a" is not typed by its target's name; FileResponse
        # guesses from the real path when the requested name says nothing.
        media_type = mimetypes.guess_type(segments[-1])[0]
        return FileResponse(found.path, status_code=status_code, media_type=media_type)


def safe_segments(path: str) -> list[str] | None:
    """The segments of a decoded URL path below the mount, or ``None`` if it is unsafe.

    ``"/css/site.css"`` gives ``["css", "site.css"]``, ``"/"`` and ``"/docs/"`` give ``[]``
    and ``["docs"]``. A ``..``, ``.`` or empty segment, a backslash or a NUL byte gives
    ``None``. The path is not decoded here: it already was, once, by the server.
    """
    if "\x00" in path or "\\" in path:
        return None
    segments = path.removeprefix("/").split("/")
    if segments[-1] == "":  # "docs/" names the directory "docs"
        segments.pop()
    if any(segment in ("", ".", "..") for segment in segments):
        return None
    return segments


def is_inside(directory: str, path: str) -> bool:
    """True when ``path`` is ``directory`` or below it; both should be absolute."""
    try:
        return os.path.commonpath([directory, path]) == directory
    except ValueError:  # paths on different Windows drives, or relative mixed with absolute
        return False
