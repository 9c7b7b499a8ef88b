"""Names for a labelling tool's user ids, from the users file both importers take.

Label Studio exports an annotation's author as a numeric user id and Argilla a response's as
a UUID. An id means nothing in an agreement table or an audit trail, and ids are per server:
user 3 of one Label Studio instance is not user 3 of another. A users file names them, as a
JSON object (``{"3": "ana"}``) or as the tool's own user list, saved as it comes (Label
Studio's ``/api/users/``, Argilla's ``/api/v1/users``: objects with an ``id`` and an
``email`` or ``username``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llmqa.errors import InputError
from llmqa.io.json_file import read_json_file

_SHAPE = ('a JSON object of user id -> name ({"3": "ana"}), or a list of user objects with an '
          '"id" and an "email" or "username"')


def parse_users(data: Any, source: str = "users file") -> dict[str, str]:
    """User id -> name from either shape (an Argilla list may come wrapped as ``{"items":
    [...]}``); anything else is an ``InputError`` naming ``source`` and the entry."""
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    names: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"{source}: user {key!r}: the name must be a non-empty "
                                 f"string; expected {_SHAPE}")
            names[str(key)] = value.strip()
        return names
    if not isinstance(data, list):
        raise InputError(f"{source}: expected {_SHAPE}")
    for position, user in enumerate(data, start=1):
        name = (user.get("email") or user.get("username")) if isinstance(user, dict) else None
        if not isinstance(user, dict) or user.get("id") is None or not isinstance(name, str):
            raise InputError(f"{source}: entry {position}: expected a user object with an "
                             f'"id" and an "email" or "username"')
        names[str(user["id"])] = name
    return names


def read_users(path: str | Path) -> dict[str, str]:
    """The users file at ``path``, parsed."""
    return parse_users(read_json_file(path, "users file"), str(path))


class UserNames:
    """Names ids as an import goes, and counts the ids the users file leaves out: those
    annotations keep the tool's id, and the import report says which."""

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self.names = dict(names or {})
        self.unnamed: Counter[str] = Counter()

    def name(self, fallback: str, *keys: Any) -> str:
        """The name the users file gives the first of ``keys`` it knows (the tool's id, or an
        email an older export gave instead); ``fallback`` when there is no users file or it
        leaves the user out."""
        if not self.names:
            return fallback
        for key in keys:
            if key is not None and (name := self.names.get(str(key))) is not None:
                return name
        self.unnamed[fallback] += 1
        return fallback

    def notes(self) -> list[str]:
        if not self.unnamed:
            return []
        listed = ", ".join(f"{who} ({count})" for who, count in sorted(self.unnamed.items()))
        return [f"the users file does not name every annotator; these keep the tool's id "
                f"(annotations): {listed}"]
