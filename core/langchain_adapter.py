"""The retriever as a LangChain `BaseRetriever`, for users who compose chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever


class NotesRetriever(BaseRetriever):
    retriever: Any  # core.retrieval.Retriever; pydantic can't validate a Protocol
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        return [
            LCDocument(
                page_content=hit.chunk.indexed_text,
                metadata={
                    "chunk_id": hit.chunk.chunk_id,
                    "file": hit.chunk.doc_id,
                    "heading_path": list(hit.chunk.heading_path),
                    "start": hit.chunk.start,
                    "end": hit.chunk.end,
                    "score": hit.score,
                    "duplicates": list(hit.duplicates),
                },
            )
            for hit in self.retriever.search(query, self.k)
        ]


def to_langchain_faiss(index: Any, embeddings: Any) -> Any:
    """The published dense index as langchain-community's FAISS `VectorStore` (no copy of the
    vectors: it wraps the same faiss index), for chains that expect a vector store."""
    from langchain_community.docstore.in_memory import InMemoryDocstore
    from langchain_community.vectorstores import FAISS
    from langchain_community.vectorstores.utils import DistanceStrategy

    docs = {
        c.chunk_id: LCDocument(
            page_content=c.indexed_text,
            metadata={"chunk_id": c.chunk_id, "file": c.doc_id, "start": c.start, "end": c.end},
        )
        for c in index.chunks
    }
    return FAISS(
        embedding_function=embeddings,
        index=index.dense,
        docstore=InMemoryDocstore(docs),
        index_to_docstore_id={i: c.chunk_id for i, c in enumerate(index.chunks)},
        distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT,  # vectors are L2-normalised
    )
