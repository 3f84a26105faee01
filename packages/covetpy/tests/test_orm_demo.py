"""The ORM launch demo, run exactly as published, twice, in an empty folder, unconfigured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The demo from the covet-orm issue, character for character.
DEMO = """from covet.database.orm import Model, CharField, IntegerField

class User(Model):
    __tablename__ = "users"

    name = CharField(max_length=100)
    email = CharField(max_length=255, unique=True)
    age = IntegerField(default=18)

async def demo():
    # Create
    alice = await User.objects.create(
        name="Alice",
        email="alice@example.com",
        age=30
    )

    # Query
    adults = await User.objects.filter(age__gte=18).all()
    print(f"Found {len(adults)} adult users")

    # Update
    alice.age = 31
    await alice.save()

    # Delete
    await alice.delete()

# Run it
import asyncio
asyncio.run(demo())
"""


def run_demo(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "COVET_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "demo.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_demo_prints_one_adult_user_twice_in_a_row(tmp_path: Path) -> None:
    (tmp_path / "demo.py").write_text(DEMO)

    first = run_demo(tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "Found 1 adult users\n"
    # The embedded default made its table and said so, in one line on stderr.
    notice = [line for line in first.stderr.splitlines() if "created table 'users'" in line]
    assert len(notice) == 1
    assert "real databases use migrations" in notice[0]
    assert (tmp_path / "covet.sqlite3").exists()

    second = run_demo(tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout == "Found 1 adult users\n"
    assert "created table" not in second.stderr
