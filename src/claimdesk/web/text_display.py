"""Every ``{{ … }}`` in a page shows hidden characters as visible markers (``core.textsafety``).

A bidirectional override in an article, a claim or a source title would otherwise reorder
what the browser displays, so a quote could read differently from what it says.
"""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup

from claimdesk.core.textsafety import has_hidden, show_hidden


def visible_text(value: object) -> object:
    """Jinja ``finalize``: a plain string with its hidden characters shown as markers.

    Runs on each printed value before autoescaping. Anything that is not a plain ``str`` is
    returned as it is: a ``Markup`` value is already escaped (or deliberately raw) HTML, and
    turning it into a ``str`` would escape it twice; templates use ``|e`` to print exact text,
    e.g. a form field the user will send back.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return show_hidden(value)
    return value


def install_text_safety(env: Environment) -> None:
    """Set ``visible_text`` as the finalizer and offer ``has_hidden_characters(text)`` to
    templates (for the "hidden characters" warning); call before any template is loaded,
    as Jinja compiles the finalizer into each template."""
    env.finalize = visible_text
    env.globals["has_hidden_characters"] = has_hidden
