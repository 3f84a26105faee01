"""covet.orm.extras: a missing driver or library names the command that installs it, here."""

from __future__ import annotations

import sys

from covet.orm.extras import install_command


def test_the_command_installs_the_extras_requirements_into_this_python() -> None:
    assert install_command("pydantic") == f"{sys.executable} -m pip install 'pydantic>=2.7'"
    command = install_command("postgres")
    assert command.startswith(f"{sys.executable} -m pip install ")
    assert sorted(command.split(" -m pip install ")[1].split()) == [
        "'psycopg-pool>=3.2'",
        "'psycopg[binary]>=3.2'",
    ]


def test_an_extra_the_metadata_does_not_list_falls_back_to_its_name() -> None:
    assert install_command("nothing") == f"{sys.executable} -m pip install 'covet-orm[nothing]'"
