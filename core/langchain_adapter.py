"""The notes as a LangChain retriever: where a LangChain user plugs this project in.

    retriever = NotesRetriever.from_settings()        # the published index/, its embedder
    chain = (
        {"context": retriever | format_passages, "question": RunnablePassthrough()}
        | prompt | chat_model | StrOutputParser()
    )

`NotesRetriever` runs the same hybrid search as the service's /search (dense + BM25, copies
across files collapsed, hollow headings last) and returns LangChain `Document`s whose metadata
is what a citation needs: file, heading path, chunk id, character offsets into the file, the
fused score and the files holding copies. The answer such a chain writes is the chain's own:
the evidence selection and the sentence-by-sentence support check stay behind POST /ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from core.embedders import Embedder
from core.settings import Settings, get_settings
from core.types import Hit


@runtime_checkable
class HitSearch(Protocol):
    """What the adapter needs: core.retrieval.HybridRetriever, or a stand-in in a test."""

    def search(self, question: str, k: int) -> list[Hit]: ...


class NotesRetriever(BaseRetriever):
    """Passages of the notes for a question, best first, as `Document`s.

    `page_content` is the passage text; `metadata` holds `chunk_id`, `file`, `heading_path`
    (file title, section, question...), `start`/`end` (character offsets of that text in the
    file), `score` (fused, 0-1), `duplicates` (files with a near-copy), `hollow` (a heading
    the notes never answer: ranked last, and no evidence of anything) and `errata` (reviewed
    errors of the notes in this passage: the quote, "" for the whole passage, and the editor's
    note; /ask never uses them as evidence, and a LangChain chain should not either).
    """

    retriever: HitSearch
    k: int = 5  # Settings.top_k's default: the passages /ask gives its writer

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        k: int | None = None,
        embedder: Embedder | None = None,
    ) -> NotesRetriever:
        """Over the published index in `settings.index_dir` (run `python -m ingest` first),
        with the embedder it was built with (or `embedder`, one already loaded); k defaults to
        `settings.top_k`."""
        from core.retrieval import open_retriever  # loads faiss and the embedder: only here

        s = settings or get_settings()
        return cls(retriever=open_retriever(s, embedder), k=s.top_k if k is None else k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [to_document(hit) for hit in self.retriever.search(query, self.k)]


def to_document(hit: Hit) -> Document:
    c = hit.chunk
    return Document(
        page_content=c.text,
        id=c.chunk_id,
        metadata={
            "chunk_id": c.chunk_id,
            "file": c.doc_id,
            "heading_path": list(c.heading_path),
            "start": c.start,
            "end": c.end,
            "score": round(hit.score, 6),
            "duplicates": list(hit.duplicates),
            "hollow": c.hollow,
            "errata": [{"quote": q, "note": n} for q, n in c.errata],
        },
    )


def format_passages(docs: Sequence[Document]) -> str:
    """Numbered passages for a prompt, `[n] file › heading path` then the text, so a model can
    cite them as [n] the way /ask's answers do."""
    blocks = []
    for n, doc in enumerate(docs, 1):
        where = " › ".join([doc.metadata["file"], *doc.metadata["heading_path"]])
        blocks.append(f"[{n}] {where}\n{doc.page_content}")
    return "\n\n".join(blocks)
