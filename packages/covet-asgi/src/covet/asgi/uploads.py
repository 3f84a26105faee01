"""An uploaded file: small ones in memory, large ones in a temporary file on disk.

A multipart form can carry files far larger than anyone wants in memory. Each file part is
written, chunk by chunk as it arrives, into a :class:`tempfile.SpooledTemporaryFile`: the
bytes stay in an in-memory buffer until they pass ``spool_threshold``, then the buffer is
*rolled over* into a real temporary file and every later byte goes to disk.

Disk I/O blocks, and a blocking call on the event loop stalls every other request, so once a
file has rolled over, :meth:`UploadFile.read`, :meth:`~UploadFile.write` and
:meth:`~UploadFile.seek` run the call in a worker thread. While the file is still in memory
they call it directly: a thread would cost more than the copy.

The temporary file has no name on POSIX systems (it is unlinked as soon as it is created), so
closing it is what frees its disk space. CovetPy closes every upload of a request after the
response has been sent; see ``Request.close``.
"""

from __future__ import annotations

import asyncio
import io
import os
from tempfile import SpooledTemporaryFile

from covet.asgi.headers import Headers

__all__ = ["DEFAULT_SPOOL_THRESHOLD", "UploadFile", "safe_basename"]

#: Bytes an upload keeps in memory before it moves to a temporary file: 1 MiB.
DEFAULT_SPOOL_THRESHOLD = 1024 * 1024


#: The longest file name most file systems accept.
MAX_FILENAME_LENGTH = 255


def safe_basename(name: str | None) -> str | None:
    """``name`` without directories or unprintable characters (:attr:`UploadFile.safe_filename`)."""
    if name is None:
        return None
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    base = "".join(char for char in base if char.isprintable())
    if base in ("", ".", ".."):
        return None
    if len(base) > MAX_FILENAME_LENGTH:
        stem, ext = os.path.splitext(base)
        ext = ext[:MAX_FILENAME_LENGTH]
        base = stem[: MAX_FILENAME_LENGTH - len(ext)] + ext
    return base


class UploadFile:
    """One file sent in a ``multipart/form-data`` body.

    - ``filename``: the name the client gave, exactly as sent (``None`` if it sent none).
      It is client input: never use it as a path on the server without sanitising it.
    - ``safe_filename``: that name reduced to a plain base name (see the property), or
      ``None`` when nothing usable is left.
    - ``content_type``: the part's ``Content-Type``, or ``None``.
    - ``headers``: every header of the part.
    - ``size``: the number of bytes written so far (the whole file, once parsed).
    - ``file``: the underlying spooled temporary file, for code that needs a real file
      object (``shutil.copyfileobj(upload.file, out)``); it is a blocking API.
    """

    def __init__(
        self,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        headers: Headers | None = None,
        spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
    ) -> None:
        self.filename = filename
        self.content_type = content_type
        self.headers = headers if headers is not None else Headers()
        self.size = 0
        # Not a `with` block: the file lives as long as the request; close() ends it.
        self.file: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(  # noqa: SIM115
            max_size=spool_threshold
        )

    @property
    def safe_filename(self) -> str | None:
        """The client's file name as a base name that is safe to join to a directory.

        As Django sanitises upload names: only what follows the last ``/`` or ``\\`` is kept
        (``../../etc/passwd`` -> ``passwd``, ``C:\\Users\\a\\cv.pdf`` -> ``cv.pdf``), characters
        that are not printable (NUL, control characters, line breaks) are dropped, and a name
        longer than 255 characters is shortened, keeping its extension. ``None`` when nothing
        is left or only ``.`` or ``..``. Names may still collide: it is safe, not unique.
        """
        return safe_basename(self.filename)

    @property
    def in_memory(self) -> bool:
        """True while the bytes are still in the in-memory buffer (not rolled to disk)."""
        return isinstance(self.file._file, io.BytesIO)

    async def write(self, data: bytes) -> int:
        """Append ``data`` at the current position; the write that crosses the threshold
        rolls the file over to disk."""
        if self.in_memory:
            written = self.file.write(data)
        else:
            written = await asyncio.to_thread(self.file.write, data)
        self.size += len(data)
        return written

    async def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes from the current position (everything left if ``-1``)."""
        if self.in_memory:
            return self.file.read(size)
        return await asyncio.to_thread(self.file.read, size)

    async def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the position, as ``file.seek`` does; ``await upload.seek(0)`` to re-read."""
        if self.in_memory:
            return self.file.seek(offset, whence)
        return await asyncio.to_thread(self.file.seek, offset, whence)

    async def close(self) -> None:
        """Close the file; a temporary file on disk is deleted with it. Safe to call twice."""
        if self.in_memory:
            self.file.close()
        else:
            await asyncio.to_thread(self.file.close)

    @property
    def closed(self) -> bool:
        return self.file.closed

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(filename={self.filename!r}, "
            f"content_type={self.content_type!r}, size={self.size})"
        )
