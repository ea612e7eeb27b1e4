"""A client of any OpenAI-compatible /v1/chat/completions server: vLLM, llama_cpp.server, ..."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx

from core.errors import GeneratorBusy, GeneratorTimeout, GeneratorUnavailable
from service.generators.base import GenerationRequest, GeneratorConfig, Message, estimate_tokens


def _retry_after(resp: httpx.Response, default: int = 5) -> int:
    try:
        return max(1, int(float(resp.headers.get("retry-after", default))))
    except ValueError:
        return default


def _error_detail(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    try:
        err = json.loads(text).get("error", text)
        text = err.get("message", str(err)) if isinstance(err, dict) else str(err)
    except (ValueError, AttributeError):
        pass
    return text[:300]


class OpenAICompatGenerator:
    def __init__(self, cfg: GeneratorConfig, name: str = "vllm") -> None:
        self.name = name
        self.model = cfg.model
        self.context_window = cfg.context_window
        self._cfg = cfg
        self._base = cfg.base_url.rstrip("/")
        self._client: httpx.AsyncClient | None = None
        self._tokenize: Callable[[str], int] | None = None
        self._tokenizer_tried = False

    # --- plumbing -------------------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self._cfg.timeout_s, connect=self._cfg.connect_timeout_s),
                headers={"Authorization": f"Bearer {self._cfg.api_key}"},
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _payload(self, messages: Sequence[Message], **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": [dict(m) for m in messages]}
        body.update(extra)
        return body

    def _sampling(self, req: GenerationRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
            "top_p": self._cfg.top_p,
        }
        if self.name == "vllm":  # a vLLM sampling extension; plain OpenAI servers may reject it
            params["repetition_penalty"] = self._cfg.repetition_penalty
        return params

    def _raise_for_status(self, resp: httpx.Response, body: bytes) -> None:
        if resp.status_code < 400:
            return
        where = f"{self.name} at {self._base}"
        detail = _error_detail(body)
        if resp.status_code == 429:
            raise GeneratorBusy(f"{where} is busy: {detail}", _retry_after(resp))
        if resp.status_code == 503:
            raise GeneratorUnavailable(f"{where} is unavailable (503): {detail}")
        raise GeneratorUnavailable(f"{where} answered HTTP {resp.status_code}: {detail}")

    def _map_transport(self, e: httpx.HTTPError) -> Exception:
        where = f"{self.name} at {self._base}"
        if isinstance(e, httpx.ConnectTimeout | httpx.ConnectError):
            return GeneratorUnavailable(f"cannot connect to {where}: {type(e).__name__}")
        if isinstance(e, httpx.TimeoutException):
            return GeneratorTimeout(f"{where} did not answer within {self._cfg.timeout_s:g} s")
        return GeneratorUnavailable(f"{where} failed: {type(e).__name__}: {e}")

    async def _post_json(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            resp = await self._http().post(f"{self._base}/chat/completions", json=body)
        except httpx.HTTPError as e:
            raise self._map_transport(e) from e
        self._raise_for_status(resp, resp.content)
        try:
            data: dict[str, Any] = resp.json()
            return data
        except ValueError as e:
            raise GeneratorUnavailable(f"{self.name} sent a reply that is not JSON") from e

    # --- the Generator protocol -----------------------------------------------------------
    async def complete(self, req: GenerationRequest) -> str:
        data = await self._post_json(self._payload(req.messages, **self._sampling(req)))
        try:
            return str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as e:
            raise GeneratorUnavailable(f"{self.name} sent a malformed completion") from e

    async def stream(self, req: GenerationRequest) -> AsyncIterator[str]:
        body = self._payload(req.messages, stream=True, **self._sampling(req))
        try:
            # Leaving this block (consumer stopped, task cancelled) closes the connection,
            # and vLLM / llama_cpp.server abort the request when the client goes away.
            async with self._http().stream(
                "POST", f"{self._base}/chat/completions", json=body
            ) as resp:
                if resp.status_code >= 400:
                    self._raise_for_status(resp, await resp.aread())
                async for line in resp.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    try:
                        chunk = json.loads(data)
                    except ValueError as e:
                        raise GeneratorUnavailable(f"{self.name} sent a bad stream event") from e
                    if "error" in chunk:
                        raise GeneratorUnavailable(f"{self.name}: {_error_detail(data.encode())}")
                    for choice in chunk.get("choices") or ():
                        delta = (choice.get("delta") or {}).get("content")
                        if delta:
                            yield delta
        except httpx.HTTPError as e:
            raise self._map_transport(e) from e

    async def check(self) -> None:
        try:
            resp = await self._http().get(f"{self._base}/models")
        except httpx.HTTPError as e:
            raise GeneratorUnavailable(str(self._map_transport(e))) from e
        self._raise_for_status(resp, resp.content)
        try:
            ids = [m["id"] for m in resp.json()["data"]]
        except (ValueError, KeyError, TypeError) as e:
            raise GeneratorUnavailable(f"{self.name}: /models reply is malformed") from e
        if self.model not in ids:
            raise GeneratorUnavailable(f"{self.name} does not serve model {self.model!r}: {ids}")

    def count_tokens(self, text: str) -> int:
        if not self._tokenizer_tried:
            self._tokenizer_tried = True
            self._tokenize = _load_tokenizer(self._cfg.tokenizer_path)
        if self._tokenize is not None:
            return self._tokenize(text)
        return estimate_tokens(text)

    # --- judge capability -----------------------------------------------------------------
    async def first_token_logprobs(
        self, messages: Sequence[Message], top_n: int = 20
    ) -> list[tuple[str, float]]:
        """The server's `top_n` likeliest first tokens with their log-probabilities, most
        likely first (greedy, 1 token). Empty when the model would end its reply at once."""
        body = self._payload(
            messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=top_n
        )
        data = await self._post_json(body)
        try:
            content = data["choices"][0]["logprobs"]["content"]
            if not content:
                return []
            top = content[0].get("top_logprobs") or [content[0]]
            pairs = [(str(c["token"]), float(c["logprob"])) for c in top]
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise GeneratorUnavailable(f"{self.name} returned no logprobs") from e
        return sorted(pairs, key=lambda tl: -tl[1])


def _load_tokenizer(path: str) -> Callable[[str], int] | None:
    if not path:
        return None
    try:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(path)
    except Exception:  # no transformers or no tokenizer files: fall back to the estimate
        return None
    return lambda text: len(tok.encode(text, add_special_tokens=False))
