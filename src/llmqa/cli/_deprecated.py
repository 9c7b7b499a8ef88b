"""Old flag spellings, accepted for one more release with a warning on standard error.

Rewriting happens where the group hands arguments to a command, so each command declares
only the current spellings and ``--help`` shows only those.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

_EVERYWHERE = {"--out": "--output", "--consensus-out": "--output", "--format": "--input-format",
               "-f": "--input-format", "--out-format": "--output-format"}
_PER_COMMAND = {
    "results": {"--format": "--output-format", "-f": "--output-format"},
    "agreement": {"-m": "--method"},
}


def rewrite(command: str | None, args: list[str]) -> list[str]:
    renames = _EVERYWHERE | _PER_COMMAND.get(command or "", {})
    out: list[str] = []
    for position, arg in enumerate(args):
        if arg == "--":
            return out + args[position:]
        name, eq, value = arg.partition("=")
        new = renames.get(name)
        if new is None or not arg.startswith("-"):
            out.append(arg)
            continue
        typer.secho(f"warning: {name} is deprecated and will be removed; use {new}", err=True,
                    fg="yellow")
        out.append(new + eq + value)
    return out


class DeprecatingGroup(TyperGroup):
    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        return name, command, rewrite(name, rest)
