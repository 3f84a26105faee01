"""Plain (non-editable) wheel installs into fresh virtual environments.

In a wheel install all portions of ``covet`` land in one site-packages directory; these
tests prove that each distribution stands alone and that the facade works there too. The
root README's install commands from a checkout are tested here as well: ``pip install
".[full]"`` at the root gives every distribution, ``pip install -r requirements-dev.txt`` gives
them editable, and ``pip install -e`` at the root is refused naming those two, installing
nothing.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
import venv
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = REPO_ROOT / "packages"
PIP_TIMEOUT = 900
RUN_TIMEOUT = 120


def make_venv(path: Path) -> Path:
    """Create a virtual environment with pip; return its python."""
    venv.EnvBuilder(with_pip=True).create(path)
    return path / "bin" / "python"


def pip_install(python: Path, *requirements: Path) -> None:
    # Each local directory is built into a wheel by pip and installed like any wheel.
    result = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            *map(str, requirements),
        ],
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def run_in(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # -I (isolated): no PYTHONPATH, no user site, no current directory on sys.path, so only
    # what was installed into the venv can be imported.
    return subprocess.run(
        [str(python), "-I", "-c", code],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=cwd,
        check=False,
    )


ROUTER_ALONE = """\
import importlib.metadata, json
import covet, covet.router
try:
    import covet.asgi
except ModuleNotFoundError as exc:
    asgi_error = exc.name
else:
    asgi_error = None
print(json.dumps({
    "distributions": sorted(d.metadata["Name"] for d in importlib.metadata.distributions()),
    "covet_file": covet.__file__,
    "router_file": covet.router.__file__,
    "asgi_error": asgi_error,
}))
"""


def test_covet_router_installs_alone_as_a_namespace_portion(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    pip_install(python, PACKAGES / "covet-router")
    result = run_in(python, ROUTER_ALONE, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["distributions"]) - {"pip", "setuptools"} == {"covet-router"}
    # Without covetpy there is no covet/__init__.py: covet is a PEP 420 namespace package.
    assert report["covet_file"] is None
    assert report["router_file"].startswith(str(tmp_path / "venv"))
    assert report["asgi_error"] == "covet.asgi"


ORM_ALONE = """\
import importlib.metadata, json, sys
import covet.orm
web = [name for name in sys.modules if name.split(".")[0] in {"starlette", "httpx", "uvicorn"}]
web += [name for name in sys.modules if name.startswith(("covet.asgi", "covet.router"))]
print(json.dumps({
    "distributions": sorted(d.metadata["Name"] for d in importlib.metadata.distributions()),
    "web_modules": web,
}))
"""


def test_covet_orm_installs_alone_without_any_web_package(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    pip_install(python, PACKAGES / "covet-orm")
    result = run_in(python, ORM_ALONE, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    installed = {name.lower() for name in report["distributions"]} - {"pip", "setuptools"}
    # aiosqlite (and what it needs itself) for the embedded default; no server driver either.
    assert "covet-orm" in installed
    assert "aiosqlite" in installed
    assert not installed & {"covet-asgi", "covet-router", "covetpy", "starlette", "httpx"}
    assert not installed & {"uvicorn", "psycopg", "aiomysql", "pymysql"}
    assert report["web_modules"] == []


FULL_STACK = """\
import asyncio, json
from covet import CovetPy
from covet.database.orm import Model, CharField
import covet, covet.asgi, covet.router, covet.orm

app = CovetPy()


@app.route("/hello/{name}")
async def hello(request, name: str):
    return {"hello": name}


async def call(path):
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
        "root_path": "", "query_string": b"", "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
    }
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], json.loads(body)


status, body = asyncio.run(call("/hello/wheel"))
print(json.dumps({
    "status": status,
    "body": body,
    "files": [covet.__file__, covet.router.__file__, covet.asgi.__file__, covet.orm.__file__],
}))
"""


def test_the_three_wheels_give_the_facade_and_a_working_app(tmp_path: Path) -> None:
    venv_dir = tmp_path / "venv"
    python = make_venv(venv_dir)
    pip_install(
        python,
        PACKAGES / "covet-router",
        PACKAGES / "covet-asgi",
        PACKAGES / "covet-orm",
        PACKAGES / "covet-migrations",
        PACKAGES / "covetpy",
    )

    result = run_in(python, FULL_STACK, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == 200
    assert report["body"] == {"hello": "wheel"}
    # covetpy's __init__.py and both portions share the venv's one covet directory.
    covet_init, router_init, asgi_init, orm_init = map(Path, report["files"])
    covet_dir = covet_init.parent
    assert covet_dir.is_relative_to(venv_dir)
    assert router_init.parent.parent == covet_dir
    assert asgi_init.parent.parent == covet_dir
    assert orm_init.parent.parent == covet_dir

    # The console script and its entry-point commands came with the covetpy wheel.
    help_result = subprocess.run(
        [str(venv_dir / "bin" / "covet"), "--help"],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=tmp_path,
        check=False,
    )
    assert help_result.returncode == 0, help_result.stderr
    assert help_result.stderr == ""
    assert "    routes " in help_result.stdout
    assert "    run " in help_result.stdout
    # ... and from covet-migrations, through the same entry-point group.
    assert "    migrations\n" in help_result.stdout
    assert "    db " in help_result.stdout


SHOP_MODELS = """\
from covet.orm import CharField, Model


class Author(Model):
    __tablename__ = "author"
    name = CharField(max_length=100)
"""


LIST_DISTRIBUTIONS = """\
import importlib.metadata, json
print(json.dumps([d.metadata["Name"] for d in importlib.metadata.distributions()]))
"""


def test_migrations_work_with_only_covet_orm_and_covet_migrations(tmp_path: Path) -> None:
    venv_dir = tmp_path / "venv"
    python = make_venv(venv_dir)
    pip_install(python, PACKAGES / "covet-orm", PACKAGES / "covet-migrations")
    project = tmp_path / "project"
    project.mkdir()
    (project / "shop_models.py").write_text(SHOP_MODELS)
    database = ["--database", f"sqlite:///{project / 'shop.sqlite3'}"]

    def covet_migrations(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), "-m", "covet.migrations", *argv],
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            cwd=project,
            check=False,
        )

    made = covet_migrations("make", "--models", "shop_models")
    assert (made.returncode, made.stdout) == (0, "Wrote migrations/0001_initial.py\n"), made.stderr
    applied = covet_migrations("apply", *database)
    assert (applied.returncode, applied.stdout) == (0, "Applied 0001_initial\n"), applied.stderr
    checked = covet_migrations("check", "--models", "shop_models", *database)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    backup = project / "shop.tar"
    backed_up = covet_migrations("db", "backup", *database, "--output", str(backup))
    assert backed_up.returncode == 0, backed_up.stderr
    inspected = covet_migrations("db", "inspect", str(backup))
    assert inspected.returncode == 0, inspected.stderr
    assert "0001_initial" in inspected.stdout  # the schema version the backup records

    listed = run_in(python, LIST_DISTRIBUTIONS, tmp_path)
    assert listed.returncode == 0, listed.stderr
    installed = {name.lower() for name in json.loads(listed.stdout)}
    assert {"covet-orm", "covet-migrations"} <= installed
    assert not installed & {"covetpy", "covet-asgi", "covet-router"}


# -- from a checkout: the root project and requirements-dev.txt ---------------------------

COMPONENTS = ["covet-asgi", "covet-migrations", "covet-orm", "covet-router", "covetpy"]

REPORT = """\
import importlib.metadata, json, shutil, subprocess
import covet.asgi, covet.orm
from covet import CovetPy
app = CovetPy()
names = sorted(d.metadata["Name"] for d in importlib.metadata.distributions())
covet_command = shutil.which("covet", path=PATH)
command = subprocess.run([covet_command, "--help"], capture_output=True, text=True)
print(json.dumps({
    "distributions": names,
    "asgi_file": covet.asgi.__file__,
    "covet_help": command.stdout,
}))
"""


def pip_at_root(python: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
        check=False,
    )


def checkout_report(python: Path, cwd: Path) -> dict[str, object]:
    code = f"PATH = {str(python.parent)!r}\n" + REPORT
    result = run_in(python, code, cwd)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_pip_install_full_at_the_root_installs_every_distribution(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    result = pip_at_root(python, ".[full]")
    assert result.returncode == 0, result.stdout + result.stderr
    data = checkout_report(python, tmp_path)
    names = data["distributions"]
    assert isinstance(names, list)
    assert set(COMPONENTS) <= set(names)
    assert "UNKNOWN" not in names
    # every extra of covetpy[full] came along
    lowered = {name.lower() for name in names}  # "Jinja2", "Hypercorn": as each spells it
    assert {"psycopg", "aiomysql", "pydantic", "orjson", "jinja2", "hypercorn"} <= lowered
    assert str(data["asgi_file"]).startswith(str(tmp_path / "venv"))
    assert "usage: covet" in str(data["covet_help"])


def test_requirements_dev_installs_every_package_editable(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    result = pip_at_root(python, "-r", "requirements-dev.txt")
    assert result.returncode == 0, result.stdout + result.stderr
    data = checkout_report(python, tmp_path)
    assert data["asgi_file"] == str(REPO_ROOT / "packages/covet-asgi/src/covet/asgi/__init__.py")
    assert "usage: covet" in str(data["covet_help"])


def test_an_editable_install_of_the_root_is_refused_naming_the_commands(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    for extra in (".[dev]", ".[full]"):
        result = pip_at_root(python, "-e", extra)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert "pip install -r requirements-dev.txt" in output
        assert 'pip install ".[full]"' in output
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {entry["name"] for entry in json.loads(listed.stdout)}
    assert not names & {"UNKNOWN", "covetpy-checkout", *COMPONENTS}


def test_the_root_project_names_every_distribution_under_packages() -> None:
    root = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    dependencies = root["project"]["dependencies"]
    named = sorted(requirement.split(" @ ")[0] for requirement in dependencies)
    on_disk = sorted(
        tomllib.loads(path.read_text())["project"]["name"]
        for path in (REPO_ROOT / "packages").glob("*/pyproject.toml")
    )
    assert named == on_disk
