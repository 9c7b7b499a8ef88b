"""``--model-option`` and the ``[model]`` table: a LangChain chat model class that cannot be
built without constructor arguments works through them, and a missing one is a clear error."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from llmqa.config import load_settings, parse_model_options
from llmqa.errors import ConfigError
from llmqa.llm.fake import FakeChatModel
from llmqa.testing import OpenAIStub
from review_helpers import agreeing, clean_env, review_args, run_main, sample_items, write_items

SPEC = "class:test_model_options:NeedsArgsChatModel"


class NeedsArgsChatModel(FakeChatModel):
    """A chat model like ChatAnthropic: ``model`` and ``api_key`` are required fields."""

    model: str
    api_key: str
    max_tokens: int = 100
    built: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(responder=agreeing, **kwargs)
        NeedsArgsChatModel.built.append({"model": self.model, "max_tokens": self.max_tokens,
                                         "calls": self.calls})


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clean_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    NeedsArgsChatModel.built.clear()
    return tmp_path


def _args(items: Path, home: Path, url: str, *extra: str) -> list[str]:
    args = review_args(items, home, url, *extra)
    at = args.index("--model")
    return [*args[:at], "--model", SPEC, *args[at + 2:]]


def test_a_class_needing_arguments_is_built_from_model_options(
        cwd: Path, capsys: pytest.CaptureFixture) -> None:
    items = write_items(cwd / "items.jsonl", sample_items(3))
    with OpenAIStub() as stub:
        code, out, err = run_main(_args(items, cwd / "home", stub.url, "--model-option",
                                        "model=judge-large", "--model-option", "api_key=k-1",
                                        "--model-option", "max_tokens=700"), capsys)
    assert code == 0, err
    assert "3 reviewed now" in out
    (built,) = NeedsArgsChatModel.built
    assert built["model"] == "judge-large" and built["max_tokens"] == 700  # 700 is an int
    assert len(built["calls"]) == 3


def test_the_model_table_in_llmqa_toml(cwd: Path, capsys: pytest.CaptureFixture) -> None:
    (cwd / "llmqa.toml").write_text(f'[model]\nspec = "{SPEC}"\nmodel = "from-file"\n'
                                    'api_key = "k-2"\n', encoding="utf-8")
    items = write_items(cwd / "items.jsonl", sample_items(2))
    with OpenAIStub() as stub:
        args = [a for a in review_args(items, cwd / "home", stub.url)]
        at = args.index("--model")
        del args[at:at + 2]
        code, _, err = run_main([*args, "--model-option", "max_tokens=50"], capsys)
    assert code == 0, err
    (built,) = NeedsArgsChatModel.built
    assert built["model"] == "from-file" and built["max_tokens"] == 50


def test_a_missing_required_argument_is_a_configuration_error(
        cwd: Path, capsys: pytest.CaptureFixture) -> None:
    items = write_items(cwd / "items.jsonl", sample_items(2))
    with OpenAIStub() as stub:
        code, _, err = run_main(_args(items, cwd / "home", stub.url, "--model-option",
                                      "model=x"), capsys)
    assert code == 2
    assert err.startswith("error:") and "api_key" in err and "Traceback" not in err
    # Pydantic's own text spans lines and links its docs; the error is one line per problem.
    assert err.strip() == (
        f"error: cannot build '{SPEC.removeprefix('class:')}' with the model options given "
        "(model): api_key: Field required")


def test_option_values_and_merging() -> None:
    assert parse_model_options(["a=1", "b=true", "c=text", "d=[1, 2]", "e=x=y"]) == {
        "a": 1, "b": True, "c": "text", "d": [1, 2], "e": "x=y"}
    with pytest.raises(ConfigError):
        parse_model_options(["novalue"])
    assert load_settings(model_options={"a": 1}).model_options == {"a": 1}


def test_a_dry_run_needs_no_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmqa.llm.backends import BackendSpec, make_chat_model

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_chat_model(BackendSpec(model="gpt-4o-mini"))
    assert make_chat_model(BackendSpec(model="gpt-4o-mini", no_calls=True)) is not None
