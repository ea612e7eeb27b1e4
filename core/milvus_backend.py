"""Dense candidates from Milvus: milvus-lite (a local file) or a Milvus server (a URL).

Plain pymilvus rather than langchain-milvus: the retriever needs chunk rows and cosines from
an exact search over vectors it already has, while langchain-milvus's vector store owns the
embedding and the documents and answers with Documents, so it would re-embed the corpus and
duplicate the chunk store. One collection per index version, named from it: a rebuild gets a
new collection, and a reader still on the old version keeps its own. Opening a version drops
the collections of versions older than the last KEEP_VERSIONS, as ingest prunes their
directories: with a shared server, a replica mid-way through a rolling update still finds
the previous version's collection.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import IndexNotReady
from core.index_store import KEEP_VERSIONS

PREFIX = "notes_"
STAGING = "__staging_"  # + a random suffix: a collection still being written
ROW, VEC = "row", "vec"
INSERT_BATCH = 1000  # rows per insert: well under Milvus's 64 MB gRPC message limit at dim 1024
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def collection_name(version: str) -> str:
    """Milvus names allow letters, digits and `_`: 20261124T082207-7b48e574 -> notes_2026..."""
    return PREFIX + re.sub(r"[^0-9A-Za-z_]", "_", version)


class MilvusDense:
    name = "milvus"

    def __init__(
        self, uri: str, version: str, vectors: np.ndarray, token: str | None = None
    ) -> None:
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:  # the extra is optional; say how to get it
            raise IndexNotReady(
                "dense_backend=milvus needs pymilvus: pip install '.[milvus]'"
            ) from exc
        if not _REMOTE.match(uri):  # a milvus-lite file: its directory must exist
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        self.uri = uri
        self.collection = collection_name(version)
        try:
            self.client: Any = MilvusClient(uri, token=token or "")
            self.created = self._ensure(np.ascontiguousarray(vectors, dtype=np.float32))
            self.client.load_collection(self.collection)
            self.dropped = self._prune()
        except Exception as exc:  # MilvusException, gRPC errors: the message may hold hosts
            raise IndexNotReady("the Milvus dense backend is unreachable or failed") from exc

    def _matches(self, n: int, dim: int) -> bool:
        info = self.client.describe_collection(self.collection)
        dims = [int(f.get("params", {}).get("dim", -1)) for f in info["fields"] if f["name"] == VEC]
        rows = int(self.client.get_collection_stats(self.collection)["row_count"])
        return dims == [dim] and rows == n

    def _ensure(self, vectors: np.ndarray) -> bool:
        """Reuse this version's collection, or build it. Replicas sharing a server reload a new
        version at the same moment, so each builds under a staging name and renames it into
        place: the final name only ever holds a complete collection, and the loser of the
        rename race drops its copy and uses the winner's."""
        n, dim = vectors.shape
        if self.client.has_collection(self.collection):
            if self._matches(n, dim):
                return False
            self.client.drop_collection(self.collection)  # stale: from another build or code
        staging = f"{self.collection}{STAGING}{uuid.uuid4().hex[:8]}"
        try:
            self._create(staging, vectors)
            try:
                self.client.rename_collection(staging, self.collection)
            except Exception:
                if self.client.has_collection(self.collection) and self._matches(n, dim):
                    return False  # another replica got there first
                raise
            return True
        finally:
            if self.client.has_collection(staging):
                self.client.drop_collection(staging)

    def _create(self, name: str, vectors: np.ndarray) -> None:
        from pymilvus import DataType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field(ROW, DataType.INT64, is_primary=True)
        schema.add_field(VEC, DataType.FLOAT_VECTOR, dim=vectors.shape[1])
        params = self.client.prepare_index_params()
        # FLAT + IP: exact search like the FAISS IndexFlatIP, so both backends rank alike;
        # the vectors are unit length, so IP is the cosine. A few thousand chunks need no ANN.
        params.add_index(field_name=VEC, index_type="FLAT", metric_type="IP")
        self.client.create_collection(name, schema=schema, index_params=params)
        for start in range(0, len(vectors), INSERT_BATCH):
            part = vectors[start : start + INSERT_BATCH]
            rows = [{ROW: start + i, VEC: v.tolist()} for i, v in enumerate(part)]
            self.client.insert(name, rows)
        self.client.flush(name)  # a server counts rows only once they are sealed

    def _prune(self) -> list[str]:
        """Drop this index's collections (and leftover staging copies) of versions older than
        the newest KEEP_VERSIONS, never our own. Version names start with their build time,
        so name order is age order."""
        ours = [c for c in self.client.list_collections() if c.startswith(PREFIX)]
        keep = sorted({c.split(STAGING)[0] for c in ours}, reverse=True)[:KEEP_VERSIONS]
        stale = sorted(c for c in ours if c.split(STAGING)[0] not in keep and c != self.collection)
        for name in stale:
            self.client.drop_collection(name)
        return stale

    def search(self, qvec: np.ndarray, k: int) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        result = self.client.search(
            self.collection,
            data=[np.asarray(qvec, dtype=np.float32).tolist()],
            limit=k,
            anns_field=VEC,
            search_params={"metric_type": "IP"},
            output_fields=[ROW],
        )
        return [(int(h[ROW]), float(h["distance"])) for h in result[0]]

    def close(self) -> None:
        self.client.close()
