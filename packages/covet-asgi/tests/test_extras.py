"""covet.asgi.extras: a missing optional part names the command that installs it, here."""

from __future__ import annotations

import sys

import pytest

from covet.asgi.extras import install_command


def test_the_command_installs_the_extras_requirements_into_this_python() -> None:
    assert install_command("forms") == f"{sys.executable} -m pip install 'python-multipart>=0.0.31'"
    assert install_command("templates") == f"{sys.executable} -m pip install 'jinja2>=3.1'"


def test_an_extra_the_metadata_does_not_list_falls_back_to_its_name() -> None:
    assert install_command("nothing") == f"{sys.executable} -m pip install 'covet-asgi[nothing]'"


def test_request_form_without_python_multipart_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from covet.asgi import forms

    monkeypatch.setitem(sys.modules, "python_multipart", None)  # "not installed"
    with pytest.raises(RuntimeError) as caught:
        forms.require_python_multipart()
    assert str(caught.value) == (
        "Request.form() needs python-multipart (the 'forms' extra): " + install_command("forms")
    )
