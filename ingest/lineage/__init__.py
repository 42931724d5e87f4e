"""Lineage: which documents supersede which, found once per job over the whole catalog.

Companies keep old policies next to new ones; an answer must know which one holds. After
each job, ``update_lineage`` keeps the ``document_links`` table in step with the catalog,
from three signals, strongest first:

- ``front_matter``: the newer document's ``supersedes:`` key (a path or a title, or a
  list of them);
- ``text``: a sentence in which the document speaks of itself ("This notice replaces the
  Bristol car park permits page of 1 April 2025", "This version supersedes version 1.0",
  "this version has been replaced by ..."). Only self-references count: "the change
  replaces the enhanced pay described in the handbook" replaces a passage, not a document;
- ``proposed``: two documents of one source share a normalised title, or file names that
  differ only by a version or a year; the later one (by ``updated``, ``last_reviewed_at``,
  e-mail date, a date in the text, the file's mtime last) is proposed as the newer.

The first two are confirmed by the document itself; proposals wait for a knowledge
manager (the Library, ``footnote docs link``), and a person's decision is never
overwritten by a later job. Each change becomes a job event (``linked`` / ``unlinked``),
so a job's log says what it did to the lineage; people's decisions go to the audit chain
(``retrieval.lineage``).

Re-running an unchanged catalog recomputes nothing: the statements and dates found in a
document's text are kept in its ``meta["lineage"]`` with the content hash they were read
from, so chunk text is read only for new or changed documents, and links are written only
when they differ. A deleted document's links go with it (``ON DELETE CASCADE``).

Modules: ``signals`` (what a document says: statements, dates, titles → a ``Version``),
``rules`` (the three signals → the links wanted), ``store`` (SQL: links and job events).
"""

from ingest.lineage.rules import ORIGINS
from ingest.lineage.signals import normalise_title
from ingest.lineage.store import LineageCounts, update_lineage

__all__ = ["ORIGINS", "LineageCounts", "normalise_title", "update_lineage"]
