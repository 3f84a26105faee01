"""covet.asgi.fileresponse: full files, validators, 304, ranges, 416, dispositions."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.asgi.background import BackgroundTask
from covet.asgi.fileresponse import FileResponse, parse_range
from covet.asgi.types import ASGIApp, Message, Scope

CONTENT = bytes(range(256)) * 4  # 1024 distinct-enough bytes: a wrong slice shows
MTIME_NS = 1_704_067_200_123_456_789  # 2024-01-01 00:00:00.123456789 UTC
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
ETAG = f'"{MTIME_NS:x}-{len(CONTENT):x}"'


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.txt"
    path.write_bytes(CONTENT)
    os.utime(path, ns=(MTIME_NS, MTIME_NS))
    return path


def make_scope(method: str = "GET", headers: dict[str, str] | None = None) -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": "/data.txt",
        "query_string": b"",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in (headers or {}).items()
        ],
    }


class Sent:
    """What one ASGI call sent: status, headers and the concatenated body."""

    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages
        assert messages[0]["type"] == "http.response.start"
        self.status: int = messages[0]["status"]
        self.headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in messages[0]["headers"]
        }
        self.bodies = [message for message in messages[1:] if message["type"] != "event"]
        self.body = b"".join(message["body"] for message in self.bodies)
        assert self.bodies[-1]["more_body"] is False
        assert all(message["more_body"] for message in self.bodies[:-1])


async def run(app: ASGIApp, method: str = "GET", **headers: str) -> Sent:
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    request_headers = {name.replace("_", "-"): value for name, value in headers.items()}
    await asyncio.wait_for(app(make_scope(method, request_headers), receive, send), timeout=5)
    return Sent(messages)


# --- the whole file ------------------------------------------------------------------------


async def test_sends_the_whole_file_with_validators(data_file: Path) -> None:
    sent = await run(FileResponse(data_file))
    assert sent.status == 200
    assert sent.body == CONTENT
    assert sent.headers == {
        "content-type": "text/plain; charset=utf-8",
        "accept-ranges": "bytes",
        "etag": ETAG,
        "last-modified": LAST_MODIFIED,
        "content-length": "1024",
    }


async def test_the_file_is_sent_in_chunks_of_chunk_size(data_file: Path) -> None:
    sent = await run(FileResponse(data_file, chunk_size=300))
    assert [len(message["body"]) for message in sent.bodies] == [300, 300, 300, 124]
    assert sent.body == CONTENT


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("page.html", "text/html; charset=utf-8"),
        ("data.json", "application/json"),
        ("photo.png", "image/png"),
        ("blob.unknown-extension", "application/octet-stream"),
    ],
)
def test_media_type_is_guessed_from_the_name(tmp_path: Path, name: str, media_type: str) -> None:
    assert FileResponse(tmp_path / name).headers["content-type"] == media_type


def test_media_type_follows_filename_or_the_caller(data_file: Path) -> None:
    assert FileResponse(data_file, filename="a.csv").headers["content-type"].startswith("text/csv")
    explicit = FileResponse(data_file, media_type="application/x-custom")
    assert explicit.headers["content-type"] == "application/x-custom"


async def test_an_empty_file_sends_one_empty_body(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    sent = await run(FileResponse(empty), range="bytes=0-10")  # nothing to range over
    assert sent.status == 200
    assert sent.headers["content-length"] == "0"
    assert sent.bodies == [{"type": "http.response.body", "body": b"", "more_body": False}]


async def test_head_sends_headers_and_no_body(data_file: Path) -> None:
    sent = await run(FileResponse(data_file), method="HEAD")
    assert sent.status == 200
    assert sent.headers["content-length"] == "1024"
    assert sent.body == b""


async def test_head_ignores_range_as_only_get_defines_it(data_file: Path) -> None:
    sent = await run(FileResponse(data_file), method="HEAD", range="bytes=0-9")
    assert sent.status == 200
    assert sent.headers["content-length"] == "1024"


async def test_a_missing_file_raises_before_anything_is_sent(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    messages: list[Message] = []

    async def send(message: Message) -> None:
        messages.append(message)

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    response = FileResponse(missing)  # constructing touches no disk
    with pytest.raises(FileNotFoundError, match=r"nope\.txt") as caught:
        await response(make_scope(), receive, send)
    assert "FileResponse has no file to send" in str(caught.value)
    assert messages == []


async def test_a_file_shorter_than_its_stat_result_fails_loudly(data_file: Path) -> None:
    stat = os.stat(data_file)
    # st_size is field 6 of the sequence; st_mtime_ns lives outside it, so pass it by name.
    lying = os.stat_result(
        (*stat[:6], stat.st_size + 10, *stat[7:10]), {"st_mtime_ns": stat.st_mtime_ns}
    )
    with pytest.raises(RuntimeError, match="10 of 1034 bytes missing"):
        await run(FileResponse(data_file, stat_result=lying))


async def test_a_given_stat_result_is_used_for_the_validators(data_file: Path) -> None:
    stat = os.stat(data_file)
    sent = await run(FileResponse(data_file, stat_result=stat))
    assert sent.headers["etag"] == f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'


async def test_the_response_can_be_sent_twice_with_the_same_headers(data_file: Path) -> None:
    response = FileResponse(data_file)
    first = await run(response)
    second = await run(response, range="bytes=0-1")
    third = await run(response)
    assert first.headers == third.headers
    assert second.status == 206


async def test_a_non_200_status_sends_the_file_whole(data_file: Path) -> None:
    sent = await run(
        FileResponse(data_file, status_code=404), range="bytes=0-9", if_none_match=ETAG
    )
    assert sent.status == 404
    assert sent.body == CONTENT


async def test_background_runs_after_the_last_chunk(data_file: Path) -> None:
    events: list[Message] = []

    async def send(message: Message) -> None:
        events.append(message)

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    task = BackgroundTask(events.append, {"type": "event"})
    await FileResponse(data_file, chunk_size=512, background=task)(make_scope(), receive, send)
    assert [event["type"] for event in events] == [
        "http.response.start",
        "http.response.body",
        "http.response.body",
        "event",
    ]


# --- Content-Disposition -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "disposition"),
    [
        ("report.pdf", 'attachment; filename="report.pdf"'),
        ("résumé.pdf", "attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf"),
        ("日本.txt", "attachment; filename*=utf-8''%E6%97%A5%E6%9C%AC.txt"),
        ('say "hi".txt', "attachment; filename*=utf-8''say%20%22hi%22.txt"),
    ],
)
def test_filename_sets_the_disposition(data_file: Path, filename: str, disposition: str) -> None:
    assert FileResponse(data_file, filename=filename).headers["content-disposition"] == disposition


def test_inline_disposition(data_file: Path) -> None:
    response = FileResponse(data_file, filename="a.txt", content_disposition_type="inline")
    assert response.headers["content-disposition"] == 'inline; filename="a.txt"'
    assert "content-disposition" not in FileResponse(data_file).headers


async def test_a_non_ascii_filename_reaches_a_client_decoded(data_file: Path) -> None:
    app = FileResponse(data_file, filename="résumé.txt")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        reply = await client.get("http://testserver/")
    assert reply.headers["content-disposition"] == (
        "attachment; filename*=utf-8''r%C3%A9sum%C3%A9.txt"
    )
    assert reply.content == CONTENT


# --- conditional requests ------------------------------------------------------------------


@pytest.mark.parametrize(
    "if_none_match", [ETAG, f'"other", {ETAG}', f"W/{ETAG}", "*", f' "x" ,W/{ETAG} ']
)
async def test_if_none_match_gives_304_without_a_body(data_file: Path, if_none_match: str) -> None:
    sent = await run(FileResponse(data_file, filename="d.txt"), if_none_match=if_none_match)
    assert sent.status == 304
    assert sent.body == b""
    assert sent.headers == {
        "accept-ranges": "bytes",
        "etag": ETAG,
        "last-modified": LAST_MODIFIED,
    }


async def test_if_none_match_for_another_version_sends_the_file(data_file: Path) -> None:
    sent = await run(FileResponse(data_file), if_none_match='"old-version"')
    assert sent.status == 200
    assert sent.body == CONTENT


async def test_if_none_match_outranks_if_modified_since(data_file: Path) -> None:
    sent = await run(
        FileResponse(data_file), if_none_match='"old"', if_modified_since=LAST_MODIFIED
    )
    assert sent.status == 200


@pytest.mark.parametrize(
    "if_modified_since",
    [LAST_MODIFIED, "Tue, 02 Jan 2024 00:00:00 GMT", "Mon, 01 Jan 2024 00:00:00 -0000"],
)
async def test_if_modified_since_at_or_after_mtime_gives_304(
    data_file: Path, if_modified_since: str
) -> None:
    sent = await run(FileResponse(data_file), if_modified_since=if_modified_since)
    assert sent.status == 304
    assert sent.body == b""


@pytest.mark.parametrize("if_modified_since", ["Sun, 31 Dec 2023 23:59:59 GMT", "not a date", ""])
async def test_if_modified_since_before_mtime_or_unreadable_sends_the_file(
    data_file: Path, if_modified_since: str
) -> None:
    sent = await run(FileResponse(data_file), if_modified_since=if_modified_since)
    assert sent.status == 200
    assert sent.body == CONTENT


async def test_head_is_conditional_too(data_file: Path) -> None:
    sent = await run(FileResponse(data_file), method="HEAD", if_none_match=ETAG)
    assert sent.status == 304


async def test_other_methods_are_not_answered_with_304(data_file: Path) -> None:
    sent = await run(FileResponse(data_file), method="POST", if_none_match=ETAG)
    assert sent.status == 200


async def test_a_callers_etag_is_kept_and_used_for_comparison(data_file: Path) -> None:
    response = FileResponse(data_file, headers={"ETag": '"v2"'})
    assert (await run(response)).headers["etag"] == '"v2"'
    assert (await run(response, if_none_match='"v2"')).status == 304
    assert (await run(response, if_none_match=ETAG)).status == 200


# --- ranges --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=0-0", 0, 0),
        ("bytes=1000-", 1000, 1023),
        ("bytes=-24", 1000, 1023),
        ("bytes=-5000", 0, 1023),  # a suffix longer than the file means all of it
        ("bytes=1000-5000", 1000, 1023),  # clamped to the end
        ("BYTES = 10-19", 10, 19),  # the unit is case-insensitive
        ("bytes=0-1, 5000-6000", 0, 1),  # one satisfiable range of two
    ],
)
async def test_a_single_range_gives_206_with_those_bytes(
    data_file: Path, range_header: str, first: int, last: int
) -> None:
    sent = await run(FileResponse(data_file, chunk_size=7), range=range_header)
    assert sent.status == 206
    assert sent.headers["content-range"] == f"bytes {first}-{last}/1024"
    assert sent.headers["content-length"] == str(last - first + 1)
    assert sent.body == CONTENT[first : last + 1]


@pytest.mark.parametrize("range_header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
async def test_an_unsatisfiable_range_gives_416(data_file: Path, range_header: str) -> None:
    sent = await run(FileResponse(data_file, filename="d.txt"), range=range_header)
    assert sent.status == 416
    assert sent.body == b""
    assert sent.headers["content-range"] == "bytes */1024"
    assert sent.headers["content-length"] == "0"
    assert "content-type" not in sent.headers
    assert "content-disposition" not in sent.headers


@pytest.mark.parametrize(
    "range_header",
    [
        "bytes=abc",
        "items=0-5",
        "bytes=5-1",
        "bytes=",
        "0-5",
        "bytes=1-2-3",
        "bytes=-",
        "bytes=5",
        "bytes=½-1",
        "bytes=-x",
        "bytes=0-" + "9" * 5000,
    ],
)
async def test_a_malformed_range_is_ignored(data_file: Path, range_header: str) -> None:
    sent = await run(FileResponse(data_file), range=range_header)
    assert sent.status == 200
    assert sent.body == CONTENT


async def test_several_ranges_get_the_whole_file(data_file: Path) -> None:
    sent = await run(FileResponse(data_file), range="bytes=0-1,10-11")
    assert sent.status == 200
    assert "content-range" not in sent.headers
    assert sent.body == CONTENT


@pytest.mark.parametrize("if_range", [ETAG, LAST_MODIFIED])
async def test_if_range_naming_this_version_allows_the_range(
    data_file: Path, if_range: str
) -> None:
    sent = await run(FileResponse(data_file), range="bytes=0-9", if_range=if_range)
    assert sent.status == 206
    assert sent.body == CONTENT[:10]


@pytest.mark.parametrize(
    "if_range", ['"older"', f"W/{ETAG}", "Sun, 31 Dec 2023 00:00:00 GMT", "garbage"]
)
async def test_if_range_naming_another_version_sends_the_whole_file(
    data_file: Path, if_range: str
) -> None:
    sent = await run(FileResponse(data_file), range="bytes=0-9", if_range=if_range)
    assert sent.status == 200
    assert sent.body == CONTENT


async def test_a_range_through_an_http_client(data_file: Path) -> None:
    app = FileResponse(data_file)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        reply = await client.get("http://testserver/", headers={"Range": "bytes=-4"})
    assert reply.status_code == 206
    assert reply.content == CONTENT[-4:]


def test_parse_range_results() -> None:
    assert parse_range("bytes=0-4,-3", 10) == [(0, 4), (7, 9)]
    assert parse_range("bytes=20-", 10) == []
    assert parse_range("bytes=,,0-1,", 10) == [(0, 1)]
    assert parse_range("lines=0-1", 10) is None


@given(st.text(max_size=30), st.integers(min_value=1, max_value=10_000))
def test_parse_range_never_fails_and_stays_inside_the_file(header: str, size: int) -> None:
    ranges = parse_range("bytes=" + header, size)
    assert ranges is None or all(0 <= first <= last < size for first, last in ranges)
