"""``with_structured_output`` for llmqa's own chat models (fake and embedded llama.cpp).

Both receive the JSON schema as a bound keyword and return the raw message; validation is
done by ``ChatSeam`` exactly as for any other backend.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from pydantic import BaseModel


class SchemaBoundMixin:
    def with_structured_output(self, schema: Any = None, *, method: str = "json_schema",
                               include_raw: bool = False, **kwargs: Any) -> Runnable:
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            schema = schema.model_json_schema()
        bound = self.bind(llmqa_json_schema=schema, llmqa_method=method)  # type: ignore[attr-defined]
        if not include_raw:
            raise NotImplementedError("llmqa's own models only support include_raw=True")
        return RunnableMap(raw=bound) | RunnablePassthrough.assign(
            parsed=lambda _: None, parsing_error=lambda _: None)
