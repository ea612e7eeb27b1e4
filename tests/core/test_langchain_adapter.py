"""NotesRetriever, the LangChain way in: real hybrid retrieval over a real small index, in an
LCEL chain whose chat model is langchain_core's scripted fake."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from core.langchain_adapter import NotesRetriever, format_passages
from core.settings import Settings
from tests.core.test_retrieval import make_retriever
from tests.fakes import CountingHashEmbedder

QUESTION = "prefix LM 和 causal LM 区别是什么"
REPLY = "Prefix LM 对前缀双向注意，Causal LM 只看左侧[1]。"


class PromptRecorder(BaseCallbackHandler):
    """Keeps the messages each chat model call was given."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        **kwargs: Any,
    ) -> None:
        self.prompts += ["\n".join(str(m.content) for m in batch) for batch in messages]


def test_documents_are_the_hybrid_hits_with_citation_metadata(
    small_corpus: Path, tmp_path: Path
) -> None:
    r = make_retriever(small_corpus, tmp_path / "idx")
    docs = NotesRetriever(retriever=r, k=3).invoke(QUESTION)
    hits = r.search(QUESTION, 3)
    assert [d.metadata["chunk_id"] for d in docs] == [h.chunk.chunk_id for h in hits]
    top, hit = docs[0], hits[0]
    assert top.page_content == hit.chunk.text and "Prefix LM" in top.page_content
    assert top.metadata["file"] == "a.md"
    assert top.metadata["heading_path"] == list(hit.chunk.heading_path)
    assert (top.metadata["start"], top.metadata["end"]) == (hit.chunk.start, hit.chunk.end)
    assert top.metadata["score"] == round(hit.score, 6) and top.metadata["hollow"] is False
    assert top.metadata["errata"] == []  # no reviewed error in this corpus
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_an_lcel_chain_gets_the_passages_numbered_for_citation(
    small_corpus: Path, tmp_path: Path
) -> None:
    retriever = NotesRetriever(retriever=make_retriever(small_corpus, tmp_path / "idx"), k=2)
    prompt = ChatPromptTemplate.from_template(
        "只根据这些笔记回答，用 [n] 引用：\n{context}\n\n问题：{question}"
    )
    model = FakeListChatModel(responses=[REPLY])
    chain = (
        {"context": retriever | format_passages, "question": RunnablePassthrough()}
        | prompt
        | model
        | StrOutputParser()
    )
    seen = PromptRecorder()
    assert chain.invoke(QUESTION, config={"callbacks": [seen]}) == REPLY
    [sent] = seen.prompts
    docs = retriever.invoke(QUESTION)
    first = " › ".join(["a.md", *docs[0].metadata["heading_path"]])
    assert f"[1] {first}\n{docs[0].page_content}" in sent  # the passage, as [1], with its path
    assert "[2] " in sent and "[3] " not in sent  # k=2 passages, no more
    assert sent.endswith(f"问题：{QUESTION}")


def test_from_settings_opens_the_published_index(small_corpus: Path, tmp_path: Path) -> None:
    make_retriever(small_corpus, tmp_path / "idx")  # builds and publishes the index
    settings = Settings(corpus_dir=small_corpus, index_dir=tmp_path / "idx", top_k=4)
    retriever = NotesRetriever.from_settings(settings, embedder=CountingHashEmbedder())
    assert retriever.k == 4
    docs = retriever.invoke(QUESTION)
    assert len(docs) == 4 and "Prefix LM" in docs[0].page_content
