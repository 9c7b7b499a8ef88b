"""llmqa's own chat messages: what the judge, the generator and revision drafting build.

A ``Message`` is a role and either plain text or a tuple of parts (text and images). Only the
seam (``llm/seam.py``) turns them into a chat library's types, so the rest of llmqa, and a
caller building prompts, never imports one.

    messages = [system("You are a policy reviewer."), user("Is this allowed?", image_url)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class ImagePart:
    url: str  # an http(s) URL or a data: URL with the image inline


Part = TextPart | ImagePart


@dataclass(frozen=True)
class Message:
    role: Role
    content: str | tuple[Part, ...]

    @property
    def text(self) -> str:
        """The text of the message (text parts joined by newlines)."""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def images(self) -> tuple[ImagePart, ...]:
        if isinstance(self.content, str):
            return ()
        return tuple(p for p in self.content if isinstance(p, ImagePart))


def system(text: str) -> Message:
    return Message("system", text)


def user(text: str, *images: str | ImagePart) -> Message:
    """A user message; with images it becomes parts: the text first, then each image."""
    if not images:
        return Message("user", text)
    return Message("user", (TextPart(text),
                            *(i if isinstance(i, ImagePart) else ImagePart(i) for i in images)))


def assistant(text: str) -> Message:
    return Message("assistant", text)
