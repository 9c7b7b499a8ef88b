"""Decoding a JSON array element by element, for an array one element of which is nested
too deeply for the parser: only that element is lost, not the file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from llmqa.errors import InputError

TOO_DEEP = "nested too deeply to read (a JSON value inside hundreds of levels of brackets)"
TOO_DEEP_ELEMENT = object()  # stands in for an element nested too deeply


def array_elements(text: str, name: str) -> Iterator[Any]:
    """The elements of a JSON array, each decoded on its own (``TOO_DEEP_ELEMENT`` for one nested
    past the parser's depth). Only used after the whole array failed that way."""
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return
        try:
            value, position = decoder.raw_decode(text, position)
        except RecursionError:
            value, position = TOO_DEEP_ELEMENT, _skip_value(text, position)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: malformed JSON array: {exc.msg} (line {exc.lineno}, column "
                             f"{exc.colno})") from exc
        yield value


def _skip_value(text: str, position: int) -> int:
    """The index just past the (nested) JSON value starting at ``position``."""
    depth = 0
    in_string = escaped = False
    for index in range(position, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)
