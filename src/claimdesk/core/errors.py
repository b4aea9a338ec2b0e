"""Errors raised by core when an input cannot be turned into an article."""

from __future__ import annotations

MAX_INPUT_BYTES = 10 * 1024 * 1024
"""Largest input accepted by ``extract`` and ``fetch_url`` (bytes, or code points for ``str``)."""


class InputError(ValueError):
    """The input cannot be ingested; ``str(error)`` is a message fit to show a person."""
