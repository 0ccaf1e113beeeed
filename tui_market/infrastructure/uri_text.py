"""MongoDB URIs as users see them: in settings errors, logs and the health line, never with a
password. Plain text work, importable without pymongo (the early start loads the settings)."""

from __future__ import annotations

import re

_CREDENTIALS = re.compile(r"(?<=://)([^:/@]+):([^@/]*)@")


def mask_uri(uri: str) -> str:
    """Hide any password: ``mongodb://bob:secret@h`` -> ``mongodb://bob:***@h``."""
    return _CREDENTIALS.sub(lambda m: f"{m.group(1)}:***@", uri)


def display_host(uri: str) -> str:
    """Host part of a URI for the health line, without credentials or options."""
    rest = uri.split("://", 1)[-1]
    rest = rest.rsplit("@", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0]
