"""UploadFile: spooled in memory, rolled to disk past the threshold, async file methods."""

from __future__ import annotations

import io
import os

import pytest

from covet.asgi import Headers, UploadFile
from covet.asgi.uploads import safe_basename


async def test_a_small_file_stays_in_memory() -> None:
    upload = UploadFile(filename="a.txt", content_type="text/plain", spool_threshold=100)
    assert await upload.write(b"hello ") == 6
    assert await upload.write(b"world") == 5
    assert upload.size == 11
    assert upload.in_memory
    assert isinstance(upload.file._file, io.BytesIO)
    assert await upload.seek(0) == 0
    assert await upload.read(5) == b"hello"
    assert await upload.read() == b" world"
    assert await upload.read() == b""
    await upload.close()
    assert upload.closed


async def test_a_large_file_rolls_over_to_disk_and_reads_back() -> None:
    upload = UploadFile(filename="big.bin", spool_threshold=1000)
    payload = bytes(range(256)) * 10  # 2560 bytes, past the threshold
    await upload.write(payload[:600])
    assert upload.in_memory
    await upload.write(payload[600:])  # this write crosses 1000 bytes
    assert not upload.in_memory
    assert upload.file._rolled  # type: ignore[attr-defined]
    assert os.fstat(upload.file.fileno()).st_size == len(payload)  # really on disk
    await upload.write(b"tail")  # now written through a worker thread
    assert upload.size == len(payload) + 4
    assert await upload.seek(-4, os.SEEK_END) == len(payload)
    assert await upload.read() == b"tail"
    await upload.seek(0)
    assert await upload.read(256) == bytes(range(256))
    fd = upload.file.fileno()
    await upload.close()
    assert upload.closed
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(fd)  # the descriptor, and with it the unlinked temporary file, is gone
    await upload.close()  # a second close is harmless


async def test_defaults_and_repr() -> None:
    upload = UploadFile()
    assert upload.filename is None
    assert upload.content_type is None
    assert upload.headers == Headers()
    await upload.write(b"abc")
    assert repr(upload) == "UploadFile(filename=None, content_type=None, size=3)"
    await upload.close()


@pytest.mark.parametrize(
    ("filename", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\ann\\cv.pdf", "cv.pdf"),
        ("/abs/path/x.png", "x.png"),
        ("dir/sub\\mixed/name.txt", "name.txt"),
        ("evil\x00.php.jpg", "evil.php.jpg"),
        ("line\r\nbreak\t.txt", "linebreak.txt"),
        ("été 2024.txt", "été 2024.txt"),
        ("..", None),
        (".", None),
        ("../", None),
        ("a/..", None),
        ("\x00\x01", None),
        ("", None),
        (None, None),
    ],
)
async def test_safe_filename_is_a_plain_base_name(filename: str | None, safe: str | None) -> None:
    upload = UploadFile(filename=filename)
    assert upload.safe_filename == safe
    assert upload.filename == filename  # the raw name stays available
    await upload.close()


def test_safe_filename_is_shortened_keeping_the_extension() -> None:
    safe = safe_basename("a" * 300 + ".tar.gz")
    assert safe is not None
    assert len(safe) == 255
    assert safe.endswith("a.gz")
