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
