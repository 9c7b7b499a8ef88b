"""Old spellings, accepted for one more release with a warning on standard error.

Rewriting happens where a group hands arguments to a command, so each command declares only
the current spellings, and ``--help`` and the usage line show only those.
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
# These took the guidelines path as a positional argument before -g existed.
_GUIDELINES_ARGUMENT = {"check", "list", "index"}


def rewrite(command: str | None, args: list[str], takes_value: frozenset[str] = frozenset()
            ) -> list[str]:
    """``args`` in current spellings; ``takes_value`` names the options that read the next
    argument, whose values are not a positional path."""
    renames = _EVERYWHERE | _PER_COMMAND.get(command or "", {})
    out: list[str] = []
    for position, arg in enumerate(args):
        if arg == "--":
            return out + args[position:]
        name, eq, value = arg.partition("=")
        if arg.startswith("-") and name in renames:
            _warn(name, renames[name])
            out.append(renames[name] + eq + value)
        elif (command in _GUIDELINES_ARGUMENT and not arg.startswith("-")
              and not (out and out[-1] in takes_value)):
            _warn("a positional guidelines path", f"-g {arg}")
            out += ["-g", arg]
        else:
            out.append(arg)
    return out


def _warn(old: str, new: str) -> None:
    typer.secho(f"warning: {old} is deprecated and will be removed; use {new}", err=True,
                fg="yellow")


class DeprecatingGroup(TyperGroup):
    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        takes_value = frozenset(
            spelling for param in getattr(command, "params", ())
            if param.param_type_name == "option" and not param.is_flag for spelling in param.opts)
        return name, command, rewrite(name, rest, takes_value)
