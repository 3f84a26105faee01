"""Running the servers' own dump tools: pg_dump, pg_restore, mysqldump, mysql.

Two rules hold for every tool started here:

* A password never appears on the command line, where every user of the
  machine can read it (``ps``). It travels in the tool's environment instead:
  ``PGPASSWORD`` for the PostgreSQL tools, ``MYSQL_PWD`` for the MySQL ones.
* A tool that is missing or fails gives one line saying which tool and why
  (its last line of stderr), not a traceback.

The tools run as asyncio subprocesses, so the event loop (and whatever else
the application does on it) keeps running while a dump is being written.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Mapping, Sequence

from covet.migrations.backup.errors import BackupError
from covet.orm.urls import DatabaseURL

__all__ = ["Tool", "find_tool", "tool_environment"]

_INSTALL_HINTS = {
    "pg_dump": "the PostgreSQL client tools (e.g. apt install postgresql-client)",
    "pg_restore": "the PostgreSQL client tools (e.g. apt install postgresql-client)",
    "mysqldump": "the MySQL/MariaDB client tools (e.g. apt install mariadb-client)",
    "mysql": "the MySQL/MariaDB client tools (e.g. apt install mariadb-client)",
}


def find_tool(name: str) -> str:
    """The full path of a command-line tool, or a BackupError saying how to get it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH: install {_INSTALL_HINTS[name]}")
    return path


def tool_environment(url: DatabaseURL) -> dict[str, str]:
    """The environment for a tool talking to ``url``: this one, plus its password."""
    environment = dict(os.environ)
    if url.password is not None:
        variable = "PGPASSWORD" if url.backend == "postgresql" else "MYSQL_PWD"
        environment[variable] = url.password
    return environment


class Tool:
    """One run of a tool: started, its stderr collected, its failure turned into a BackupError.

    stderr is read line by line while the tool runs (into ``stderr_lines``), so a
    chatty tool never blocks on a full pipe, and a caller can wait for a
    particular line with :meth:`wait_for_stderr` (the MySQL backup does).
    """

    def __init__(self, name: str, arguments: Sequence[str], environment: Mapping[str, str]):
        self.name = name
        self.command = [find_tool(name), *arguments]
        self.environment = dict(environment)
        self.stderr_lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._stderr_changed = asyncio.Event()
        self._stderr_closed = False

    async def start(self, *, stdin: int | None = None, stdout: int | None = None) -> None:
        """Start the process, its stdin/stdout on the given file descriptors (or nothing)."""
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            stdin=asyncio.subprocess.DEVNULL if stdin is None else stdin,
            stdout=asyncio.subprocess.DEVNULL if stdout is None else stdout,
            stderr=asyncio.subprocess.PIPE,
            env=self.environment,
        )
        self._reader = asyncio.create_task(self._read_stderr(self.process))

    async def _read_stderr(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for line in process.stderr:
            self.stderr_lines.append(line.decode(errors="replace").rstrip())
            self._stderr_changed.set()
        self._stderr_closed = True
        self._stderr_changed.set()

    async def wait_for_stderr(self, seen: Callable[[list[str]], bool]) -> None:
        """Return once ``seen(stderr_lines)`` is true, or stderr closed (the tool ended)."""
        while not seen(self.stderr_lines) and not self._stderr_closed:
            # No await between the test and clear(): the reader cannot set in between.
            self._stderr_changed.clear()
            await self._stderr_changed.wait()

    async def finish(self) -> None:
        """Wait for the process; a non-zero exit raises with its last line of stderr."""
        assert self.process is not None, "start() was not awaited"
        assert self._reader is not None
        await self._reader
        code = await self.process.wait()
        if code != 0:
            raise BackupError(f"{self.name} failed (exit code {code}): {self._reason()}")

    def _reason(self) -> str:
        """The tool's last line mentioning an error, else its last line of stderr.

        Tools often follow the error with context (pg_restore: "Command was: ..."),
        which is not what the reader of a one-line message needs first.
        """
        said = [line.strip() for line in self.stderr_lines if line.strip()]
        errors = [line for line in said if "error" in line.lower()]
        return (errors or said or ["no message"])[-1]

    async def run(self, *, stdin: int | None = None) -> None:
        """Start the process and wait for it."""
        await self.start(stdin=stdin)
        await self.finish()

    async def stop(self) -> None:
        """Kill the process if it still runs (after an error elsewhere) and reap it."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            await self._reader
