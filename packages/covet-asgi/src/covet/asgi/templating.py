"""HTML pages from Jinja2 templates.

Needs the ``templates`` extra (``pip install 'covet-asgi[templates]'``), which is why
``covet.asgi`` does not import this module itself; import it by its full name::

    from covet.asgi.templating import Jinja2Templates

    templates = Jinja2Templates(directory="templates")

    @app.get("/users/{user_id}")
    async def show_user(request, user_id: int):
        user = await load_user(user_id)
        return templates.TemplateResponse(request, "user.html", {"user": user})

Choices made here, each for safety or for a learner's sake:

- **Autoescape is on for every template**, whatever its extension: ``{{ name }}`` with
  ``name = "<script>"`` renders ``&lt;script&gt;``. Cross-site scripting is the classic bug
  of server-rendered pages, and a ``.txt`` template included in an HTML page would be a hole.
  Mark trusted HTML with ``|safe`` or ``markupsafe.Markup`` to send it as it is.
- **Undefined names are errors** (``jinja2.StrictUndefined``). Plain Jinja renders a typo
  such as ``{{ user.nmae }}`` as an empty string and the page silently loses a value; here
  it raises ``UndefinedError`` pointing at the template and line. Test for an optional name
  with ``{% if name is defined %}`` or ``{{ name | default("") }}``.
- **Rendering is async** (``enable_async=True``, ``render_async``): a template may call an
  ``async def`` function passed in its context, and Jinja awaits it.
- **The response renders when it is sent.** Async rendering cannot happen in a constructor,
  so :class:`TemplateResponse` renders in its ``__call__``, before the status line goes out,
  as :class:`~covet.asgi.fileresponse.FileResponse` opens its file there. A template error
  therefore still becomes a proper 500: with ``debug=True`` the traceback page shows the
  template's file name and line (Jinja rewrites tracebacks so template code appears as a
  frame of the template file), without it the client sees only the generic 500.
  ``await templates.render(request, name, context)`` gives the text directly, for a fragment
  or an e-mail.

Every template sees ``request`` and ``url_for(name, **params)``, which returns the absolute
URL of a route (or of a file under a mount: ``url_for("static", path="site.css")``) as text.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from covet.asgi.extras import install_command

try:
    import jinja2
except ImportError as exc:  # the optional dependency is missing: say what brings it
    raise ImportError(
        "covet.asgi.templating needs jinja2 (the 'templates' extra); install it with: "
        + install_command("templates")
    ) from exc

from covet.asgi.background import BackgroundTask, BackgroundTasks
from covet.asgi.requests import Request
from covet.asgi.responses import HTMLResponse, status_allows_body
from covet.asgi.types import Receive, Scope, Send

__all__ = ["ContextProcessor", "Jinja2Templates", "TemplateResponse"]

ContextProcessor = Callable[[Request], Mapping[str, Any] | Awaitable[Mapping[str, Any]]]
"""A function of the request giving values every template sees (the user, the site name)."""

TemplateDirectory = str | os.PathLike[str]


@jinja2.pass_context
def url_for(context: jinja2.runtime.Context, name: str, /, **params: Any) -> str:
    """The absolute URL of the route called ``name``, built by the request being rendered."""
    request: Request = context["request"]
    return str(request.url_for(name, **params))


class Jinja2Templates:
    """Templates loaded from ``directory`` (or several), or from a ready ``env``.

    Give exactly one of ``directory`` and ``env``. With ``directory``, the environment is
    built as the module docstring describes (autoescape, ``StrictUndefined``, async). With
    ``env``, your environment is used as it is, so those choices are yours; it must have
    ``enable_async=True``.

    ``context_processors`` are called with the request at each render; what they return
    (a mapping, or an awaitable of one) is added to every template's context. The view's own
    ``context`` wins over them, and ``request`` is always the request being answered.
    """

    def __init__(
        self,
        directory: TemplateDirectory | Sequence[TemplateDirectory] | None = None,
        *,
        env: jinja2.Environment | None = None,
        context_processors: Sequence[ContextProcessor] = (),
    ) -> None:
        if env is None:
            if directory is None:
                raise TypeError("Jinja2Templates needs directory= or env=")
            env = self.make_environment(directory)
        elif directory is not None:
            raise TypeError("Jinja2Templates takes directory= or env=, not both")
        elif not env.is_async:
            raise ValueError(
                "Jinja2Templates renders asynchronously: create the environment with "
                "jinja2.Environment(..., enable_async=True)"
            )
        env.globals.setdefault("url_for", url_for)
        self.env = env
        self.context_processors = list(context_processors)

    @staticmethod
    def make_environment(
        directory: TemplateDirectory | Sequence[TemplateDirectory],
    ) -> jinja2.Environment:
        """The environment built for ``directory``: autoescape, StrictUndefined, async."""
        directories = [directory] if isinstance(directory, str | os.PathLike) else directory
        # Absolute paths, so that a traceback (and the debug page, which reads the source
        # lines through linecache) still finds the template if the working directory changes.
        loader = jinja2.FileSystemLoader([os.path.abspath(path) for path in directories])
        return jinja2.Environment(
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            enable_async=True,
        )

    def get_template(self, name: str) -> jinja2.Template:
        """Load and compile the template ``name`` (cached by Jinja after the first time)."""
        return self.env.get_template(name)

    async def render(
        self, request: Request, name: str, context: Mapping[str, Any] | None = None
    ) -> str:
        """Render template ``name`` for ``request`` and return the text.

        The template is loaded in a worker thread: the first time it is read from disk and
        compiled, and later Jinja checks whether the file changed, both blocking calls.
        """
        values: dict[str, Any] = {}
        for processor in self.context_processors:
            extra = processor(request)
            if inspect.isawaitable(extra):
                extra = await extra
            values.update(extra)
        values.update(context or {})
        values["request"] = request
        template = await asyncio.to_thread(self.get_template, name)
        return await template.render_async(values)

    # Named like the class it returns, as in Starlette, so code moves over unchanged.
    def TemplateResponse(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | BackgroundTasks | None = None,
    ) -> TemplateResponse:
        """A response that renders template ``name`` with ``context`` when it is sent."""
        return TemplateResponse(
            self,
            request,
            name,
            context,
            status_code=status_code,
            headers=headers,
            media_type=media_type,
            background=background,
        )


class TemplateResponse(HTMLResponse):
    """An HTML page rendered from a template at the moment it is sent.

    Until then :attr:`body` is empty and there is no ``content-length``; ``__call__``
    renders, sets both, and sends the page. ``template_name`` and ``context`` stay readable,
    so a test or a middleware can see what was rendered. ``media_type`` defaults to
    ``text/html``. Headers and cookies can be set before sending, as on any response.
    """

    def __init__(
        self,
        templates: Jinja2Templates,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | BackgroundTasks | None = None,
    ) -> None:
        if not status_allows_body(status_code):
            raise ValueError(f"a {status_code} response has no body to render a template into")
        super().__init__(None, status_code, headers, media_type, background)
        del self.headers["content-length"]  # known once the template is rendered
        self.templates = templates
        self.request = request
        self.template_name = name
        self.context = dict(context or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Render the template, then send the page like any :class:`HTMLResponse`."""
        text = await self.templates.render(self.request, self.template_name, self.context)
        self.body = text.encode(self.charset)
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)
