"""Settings: command-line flags first, then ``LLMQA_*`` environment variables, then a config file.

The config file is ``llmqa.toml`` in the working folder (or the path in ``LLMQA_CONFIG``), with
plain keys matching the field names below::

    guidelines = "policy/guidelines"
    model = "gpt-4o-mini"
    concurrency = 16

A ``[model]`` table configures a chat model that needs constructor arguments: ``spec`` is
what ``--model`` takes, every other key is passed to the model class (``--model-option
key=value`` adds or overrides one)::

    [model]
    spec = "class:langchain_anthropic:ChatAnthropic"
    model = "claude-3-5-haiku-latest"
    max_tokens = 600

Keys for the OpenAI protocol are read the way the OpenAI SDK reads them (``OPENAI_API_KEY``,
``OPENAI_BASE_URL``) and are never written to the store, logs or exports.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from llmqa.errors import ConfigError, Hint, validation_problems

DEFAULT_HOME = ".llmqa"
DEFAULT_GUIDELINES = "guidelines"
DEFAULT_EMBEDDER = "local"
CONFIG_FILE = "llmqa.toml"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    home: str = DEFAULT_HOME
    guidelines: str = DEFAULT_GUIDELINES
    embedder: str = DEFAULT_EMBEDDER
    chroma_url: str | None = None
    collection: str = "llmqa_clauses"
    model: str = "local"
    model_options: dict[str, Any] = {}
    base_url: str | None = None
    structured_method: str | None = None
    concurrency: int = 8
    timeout: float = 60.0
    max_attempts: int = 4
    prices: str | None = None

    @field_validator("home")
    @classmethod
    def _home_is_a_folder(cls, value: str) -> str:
        # Checked here so every command says so at once, before it opens a store or an index.
        if Path(value).exists() and not Path(value).is_dir():
            raise ValueError(f"{value} is a file, not a folder (the home setting names the "
                             "state folder)")
        return value

    @property
    def home_path(self) -> Path:
        return Path(self.home)


def _file_values(path: Path | None) -> tuple[dict[str, Any], Path | None]:
    """The config file's settings, and the file they came from (``None``: no file)."""
    if path is None:
        env_path = os.environ.get("LLMQA_CONFIG")
        path = Path(env_path) if env_path else Path(CONFIG_FILE)
        if not path.exists():
            return {}, None
    try:
        with open(path, "rb") as handle:
            return _model_table(tomllib.load(handle), path), path
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from exc


def _model_table(values: dict[str, Any], path: Path) -> dict[str, Any]:
    """``[model]`` → ``model`` (its ``spec``) and ``model_options`` (the other keys)."""
    table = values.get("model")
    if not isinstance(table, dict):
        return values
    options = dict(table)
    spec = options.pop("spec", None)
    values = {k: v for k, v in values.items() if k != "model"}
    if spec is not None:
        values["model"] = spec
    values["model_options"] = options
    return values


def parse_model_options(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs as constructor options; a value that reads as JSON (a number,
    ``true``, a list) is passed as that, anything else as text."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"model option '{pair}': expected key=value")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        options[key.strip()] = value
    return options


def _env_values() -> dict[str, tuple[str, str]]:
    """Settings from the environment, each as (value, the variable that set it)."""
    values: dict[str, tuple[str, str]] = {}
    for name in Settings.model_fields:
        if name == "model_options":
            continue  # a table: the config file or --model-option
        variable = f"LLMQA_{name.upper()}"
        raw = os.environ.get(variable)
        if raw not in (None, ""):
            values[name] = (raw, variable)
    if "base_url" not in values and os.environ.get("OPENAI_BASE_URL"):
        values["base_url"] = (os.environ["OPENAI_BASE_URL"], "OPENAI_BASE_URL")
    return values


def load_settings(config_file: Path | None = None, **flags: Any) -> Settings:
    """Merge settings; ``flags`` that are ``None`` were not given and do not override. A bad
    value is named where it was set (the config file's key, the environment variable), which
    is where the user must go to mend it."""
    from_file, file = _file_values(config_file)
    from_env = _env_values()
    given = {k: v for k, v in flags.items() if v is not None}
    merged = from_file | {k: value for k, (value, _) in from_env.items()}
    # Options from flags add to (and override) the file's [model] table, key by key.
    if "model_options" in given:
        given["model_options"] = dict(merged.get("model_options") or {}) | given["model_options"]
    merged.update(given)
    where_set = ({k: f"{file}: '{k}'" for k in from_file}
                 | {k: variable for k, (_, variable) in from_env.items()})
    try:
        return Settings(**merged)
    except ValidationError as exc:
        # A flag's problem names it through the hint, so the CLI can say --home, not `home`.
        texts, flagged = [], []
        for where, message in validation_problems(exc):
            key = (where or "").split(".")[0]
            if key in given:
                texts.append(f"{{}}: {Hint.literal(message)}")
                flagged.append(where or key)
            else:
                named = where_set.get(key, f"setting {where!r}")
                texts.append(Hint.literal(f"{named}: {message}"))
        raise ConfigError(hint=Hint("; ".join(texts), tuple(flagged))) from exc
