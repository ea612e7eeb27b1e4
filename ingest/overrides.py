"""Corpus-specific fixes as reviewed data: `overrides.toml` next to the documents.

Some documents need a hand-read fix the generic code can't find on its own (a title that says
too little, an answer list the PDF conversion split off its questions). Those fixes live in a
TOML file beside the documents, keyed by each document's content hash (`Document.sha256`, the
hash the manifest records), never by file name: a renamed copy of another file, or an edited
file whose text was never reviewed, gets no fix. The code keeps only the generic detection
(ingest/structure.py, ingest/orphans.py) and applies an entry when the hash matches.

Each applied entry is fingerprinted; the manifest records the fingerprint per document, so an
edit to a document's entry rebuilds that document (ingest/build.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import CorpusError
from core.types import Document, sha256_text

log = logging.getLogger(__name__)
# One name in the corpus dir and in the documents dir: the fixes sit with the files they fix.
OVERRIDES_NAME = "overrides.toml"
SHA256_RE = re.compile(r"[0-9a-f]{64}")
ENTRY_KEYS = {"file", "title", "reattach", "errata", "lists"}
REATTACH_KEYS = {"list", "answers"}
ERRATUM_KEYS = {"quote", "heading", "note", "section"}
ANSWER_KEYS = {"from_item", "question_prefix"}
LISTS_KEYS = {"question_prefix", "lists"}
LIST_KEYS = {"intro", "first_item"}


@dataclass(frozen=True)
class Reattachment:
    """An orphan answer list (found by ingest/orphans.py) and who its items answer: each item
    numbered `from_item` or more, up to the next block, answers the question whose title starts
    with `question_prefix`."""

    list_heading: str
    answers: tuple[tuple[int, str], ...]  # (from_item, question_prefix), ascending


@dataclass(frozen=True)
class ListSplit:
    """Lists whose intros a conversion ran together in one line (ingest/lists.py): under the
    question whose title starts with `question_prefix`, each `(intro, first_item)` of `lists`
    introduces the items from the one that starts with `first_item` up to the next list's."""

    question_prefix: str
    lists: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Erratum:
    """A statement of the notes that is wrong, read by hand: `quote` (its words, as the file has
    them; whitespace aside) is never used as evidence, and an answer that would have said it
    says `note` instead. `section`: the whole section around the quote is wrong (a topic the
    notes explain with another meaning), not only the quoted sentence. `heading` instead of a quote: every section under a
    heading that starts so is wrong (a whole block of the notes built on an invented premise)."""

    quote: str
    note: str
    section: bool = False
    heading: str = ""


@dataclass(frozen=True)
class DocumentFixes:
    sha256: str  # the document content this entry was reviewed on
    source: str  # the overrides file it came from, for the manifest and messages
    file: str | None = None  # the file name it was reviewed under: only for messages
    title: str | None = None  # replaces a first heading that says too little
    reattach: tuple[Reattachment, ...] = ()
    errata: tuple[Erratum, ...] = ()
    lists: tuple[ListSplit, ...] = ()

    @property
    def answer_maps(self) -> dict[str, tuple[tuple[int, str], ...]]:
        return {r.list_heading: r.answers for r in self.reattach}

    @property
    def fingerprint(self) -> str:
        """Hash of what the entry does (not its comments): the manifest's rebuild trigger."""
        payload: list[object] = [
            self.title,
            [[r.list_heading, [list(a) for a in r.answers]] for r in self.reattach],
        ]
        if self.errata:  # only when present: older entries keep their fingerprint
            payload.append([[e.quote, e.heading, e.note, e.section] for e in self.errata])
        if self.lists:
            payload.append([[x.question_prefix, [list(p) for p in x.lists]] for x in self.lists])
        return sha256_text(json.dumps(payload, ensure_ascii=False))[:16]

    def manifest_row(self) -> dict[str, Any]:
        """What a document's manifest row records about the entry applied to it."""
        return {"override": {"source": self.source, "fingerprint": self.fingerprint}}


def recorded_fingerprint(row: Mapping[str, Any]) -> str | None:
    """The fingerprint a manifest row recorded (`manifest_row`); None: no override applied."""
    override = row.get("override")
    return str(override["fingerprint"]) if isinstance(override, dict) else None


@dataclass(frozen=True)
class Overrides:
    entries: Mapping[str, DocumentFixes] = field(default_factory=dict)  # sha256 -> fixes
    files: Mapping[str, str] = field(default_factory=dict)  # overrides file -> its sha256

    def for_document(self, doc: Document) -> DocumentFixes | None:
        return self.entries.get(doc.sha256)

    def unmatched(self, docs: Iterable[Document]) -> tuple[list[str], list[str]]:
        """Entries no document matches: (edited, absent). Edited: a document of the name the
        entry was reviewed under is present with other text, so its fix no longer applies.
        Absent: nothing of that name is being indexed (a partial corpus, a removed file)."""
        docs = list(docs)
        hashes = {d.sha256 for d in docs}
        names = {d.doc_id for d in docs}
        edited, absent = [], []
        for e in self.entries.values():
            if e.sha256 in hashes:
                continue
            if e.file in names:
                edited.append(
                    f"{e.file}: its text changed since the entry in {e.source} was reviewed "
                    f"(sha256 {e.sha256[:12]}…): override not applied; review that entry"
                )
            else:
                absent.append(
                    f"{e.source}: entry {e.sha256[:12]}… ({e.file or 'no file named'}) "
                    "matches no document"
                )
        return edited, absent


def _fail(where: str, what: str) -> CorpusError:
    return CorpusError(f"{where}: {what}")


def _check_keys(where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _text(where: str, value: Any, problem: str) -> str:
    """`value` as non-empty text, stripped; else the one-line error `problem`."""
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, problem)
    return value.strip()


def _reattachment(where: str, raw: Any) -> Reattachment:
    if not isinstance(raw, dict):
        raise _fail(where, "each reattach entry must be a table")
    _check_keys(where, raw, REATTACH_KEYS)
    heading, answers = raw.get("list"), raw.get("answers")
    if not isinstance(heading, str) or not heading.strip():
        raise _fail(where, "reattach needs `list`, the orphan list's heading title")
    if not isinstance(answers, list) or not answers:
        raise _fail(where, f"reattach {heading!r} needs a non-empty `answers` array")
    table: list[tuple[int, str]] = []
    for a in answers:
        if not isinstance(a, dict):
            raise _fail(where, f"reattach {heading!r}: each answer must be an inline table")
        _check_keys(where, a, ANSWER_KEYS)
        first, prefix = a.get("from_item"), a.get("question_prefix")
        if not isinstance(first, int) or isinstance(first, bool) or first < 1:
            raise _fail(where, f"reattach {heading!r}: from_item must be a positive integer")
        if not isinstance(prefix, str) or not prefix.strip():
            raise _fail(where, f"reattach {heading!r}: question_prefix must be non-empty text")
        if table and first <= table[-1][0]:
            raise _fail(where, f"reattach {heading!r}: from_item must ascend ({first})")
        table.append((first, prefix))
    return Reattachment(heading, tuple(table))


def _list_split(where: str, raw: Any) -> ListSplit:
    if not isinstance(raw, dict):
        raise _fail(where, "each lists entry must be a table")
    _check_keys(where, raw, LISTS_KEYS)
    prefix = _text(
        where,
        raw.get("question_prefix"),
        "lists needs `question_prefix`, the start of the question's title",
    )
    lists = raw.get("lists")
    if not isinstance(lists, list) or len(lists) < 2:
        raise _fail(where, f"lists {prefix!r} needs `lists`, two or more inline tables")
    pairs: list[tuple[str, str]] = []
    for x in lists:
        if not isinstance(x, dict):
            raise _fail(where, f"lists {prefix!r}: each list must be an inline table")
        _check_keys(where, x, LIST_KEYS)
        intro = _text(where, x.get("intro"), f"lists {prefix!r}: intro must be non-empty text")
        first = _text(
            where, x.get("first_item"), f"lists {prefix!r}: first_item must be non-empty text"
        )
        pairs.append((intro, first))
    return ListSplit(prefix, tuple(pairs))


def _erratum(where: str, raw: Any) -> Erratum:
    if not isinstance(raw, dict):
        raise _fail(where, "each errata entry must be a table")
    _check_keys(where, raw, ERRATUM_KEYS)
    quote, note, section = raw.get("quote"), raw.get("note"), raw.get("section", False)
    heading = raw.get("heading")
    if heading is not None:  # a whole block: its sections are wrong, whatever they quote
        if quote is not None or not isinstance(heading, str) or len(heading.strip()) < 4:
            raise _fail(where, "an erratum has `quote` or `heading` (4 characters or more)")
        if not isinstance(note, str) or not note.strip():
            raise _fail(where, f"erratum {heading[:20]!r} needs `note`, what to say instead")
        return Erratum("", note.strip(), True, heading.strip())
    if not isinstance(quote, str) or len(quote.strip()) < 4:
        raise _fail(where, "an erratum needs `quote`, at least 4 characters of the wrong text")
    if not isinstance(note, str) or not note.strip():
        raise _fail(where, f"erratum {quote[:20]!r} needs `note`, what to say instead")
    if not isinstance(section, bool):
        raise _fail(where, f"erratum {quote[:20]!r}: section must be true or false")
    return Erratum(quote.strip(), note.strip(), section)


def _entry(source: str, sha: str, raw: Any) -> DocumentFixes:
    where = f"{source}: documents.{sha[:12]}"
    if not SHA256_RE.fullmatch(sha):
        raise _fail(f"{source}: documents.{sha!r}", "key must be a 64-hex-digit sha256")
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table")
    _check_keys(where, raw, ENTRY_KEYS)
    title, file, reattach = raw.get("title"), raw.get("file"), raw.get("reattach", [])
    errata, lists = raw.get("errata", []), raw.get("lists", [])
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise _fail(where, "title must be non-empty text")
    if file is not None and not isinstance(file, str):
        raise _fail(where, "file must be text")
    if not isinstance(reattach, list):
        raise _fail(where, "reattach must be an array of tables ([[…reattach]])")
    if not isinstance(errata, list):
        raise _fail(where, "errata must be an array of tables ([[…errata]])")
    if not isinstance(lists, list):
        raise _fail(where, "lists must be an array of tables ([[…lists]])")
    if title is None and not reattach and not errata and not lists:
        raise _fail(where, "the entry fixes nothing (no title, reattach, errata or lists)")
    fixes = tuple(_reattachment(where, r) for r in reattach)
    wrong = tuple(_erratum(where, e) for e in errata)
    split = tuple(_list_split(where, x) for x in lists)
    return DocumentFixes(sha, source, file, title, fixes, wrong, split)


def _load_one(path: Path, label: str) -> tuple[dict[str, DocumentFixes], str]:
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{label}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{label}: not valid TOML ({exc})") from exc
    _check_keys(label, data, {"documents"})
    docs = data.get("documents", {})
    if not isinstance(docs, dict):
        raise CorpusError(f"{label}: `documents` must be a table keyed by sha256")
    entries = {sha: _entry(label, sha, body) for sha, body in docs.items()}
    return entries, hashlib.sha256(raw).hexdigest()


def load_overrides(dirs: Iterable[Path | None]) -> Overrides:
    """The fixes in `overrides.toml` of each directory that has one (the corpus dir, the
    documents dir). A hash listed twice is an error: which entry wins would be a guess."""
    entries: dict[str, DocumentFixes] = {}
    files: dict[str, str] = {}
    for d in dirs:
        if d is None or not (path := d / OVERRIDES_NAME).is_file():
            continue
        label = f"{d.name}/{OVERRIDES_NAME}"
        label = str(path) if label in files else label  # two dirs of the same name
        found, digest = _load_one(path, label)
        for sha, e in found.items():
            if sha in entries:
                raise CorpusError(f"{label}: {sha[:12]}… is also listed in {entries[sha].source}")
            entries[sha] = e
        files[label] = digest
    return Overrides(entries, files)
