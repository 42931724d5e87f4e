"""Versions in answers: the current policy wins, and the answer says so.

``ingest.lineage`` records which document supersedes which (``document_links``); this
module applies it to what a search found, once per question (``apply``):

- by default a superseded version is left out (``superseded_sources = "drop"``), or, for
  an LLM, kept last and marked superseded in its prompt (``"demote"``); a notice says
  "<old> was left out: replaced on <date> by <new> [n]";
- a question about the past ("what was the policy in 2024", "as of 1 March 2025") gets
  the version in force at that date instead, and a notice that it has since been replaced;
- two current sources that state different figures for the same thing get a notice that
  they conflict, citing both, rather than one picked silently.

Access: a link counts for an asker only when they may see both documents
(``core.access.may_see``), so no notice ever names or cites a document they may not see;
for them the older version is simply what there is. Proposed links (not yet confirmed by
a knowledge manager) count too, and their notices say "proposed"; rejected ones do not.

The knowledge manager's side is here too (``set_link``, ``decide``, ``unlink``,
``statuses``, ``stale``): every change is an entry in the audit chain.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.access import may_see
from core.db import Document, DocumentLink, utcnow
from core.services import Services
from retrieval.records import append_audit
from retrieval.text import sentences, terms
from retrieval.types import Citation, Notice, Passage, User

_MONTHS = [name.lower() for name in calendar.month_name[1:]]
_MONTH = "|".join(_MONTHS)
_WHEN = re.compile(
    r"\b(as of|as at|on|before|until)\s+(\d{4})-(\d{2})-(\d{2})\b"
    r"|\b(as of|as at|on|before|until|in|during|back in|at)\s+(?:the\s+(?:start|end)\s+of\s+)?"
    r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?(?:(" + _MONTH + r")\s+)?((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"[£€$]?\d+(?:[.,]\d+)?%?")
_CONFLICT_DOCS = 4
"""Conflicts are looked for among the top documents only: they are what an answer uses."""


@dataclass(frozen=True)
class _Link:
    newer: Document
    older: Document
    effective: datetime | None
    status: str

    @property
    def when(self) -> str:
        return _day(self.effective) if self.effective else "an unknown date"

    @property
    def proposed(self) -> str:
        return " (a proposed link, not yet confirmed)" if self.status == "proposed" else ""


@dataclass(frozen=True)
class _Note:
    """A notice whose ``{doc_id}`` fields become ``[n]`` once the sources are numbered."""

    kind: Literal["lineage", "conflict"]
    template: str
    cites: tuple[str, ...]


@dataclass
class Lineage:
    """What ``apply`` decided: the passages to answer from, notes, each document's status."""

    passages: list[Passage]
    notes: list[_Note] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    as_of: datetime | None = None

    def notices(self, numbered: Sequence[Passage]) -> list[Notice]:
        """The notes as notices, citing by the numbers the sources finally got."""
        first = {}
        for p in numbered:
            first.setdefault(p.doc_id, p.n)
        out = []
        for note in self.notes:
            refs = {d: f" [{first[d]}]" if d in first else "" for d in note.cites}
            out.append(Notice(note.kind, note.template.format_map(refs)))
        return out

    def cite(self, citations: Sequence[Citation]) -> list[Citation]:
        """``citations`` with the lineage status of their document."""
        return [replace(c, status=self.status.get(c.doc_id, "current")) for c in citations]


def apply(passages: list[Passage], question: str, user: User, services: Services) -> Lineage:
    """Keep the versions in force (now, or at the date the question asks about)."""
    doc_ids = {p.doc_id for p in passages}
    if not doc_ids:
        return Lineage(passages)
    with services.sessions() as session:
        links = _links(session, doc_ids, user.groups)
    as_of = asked_date(question)
    moment = as_of or datetime.now(UTC).replace(tzinfo=None)
    replaced = {lk.older.id: lk for lk in links if _in_effect(lk, moment)}
    not_yet = {lk.newer.id: lk for lk in links if as_of is not None and not _in_effect(lk, as_of)}
    later = {lk.older.id: lk for lk in links if as_of is not None and not _in_effect(lk, as_of)}
    result = Lineage([], as_of=as_of)
    demote = services.settings.superseded_sources == "demote" and services.llm is not None
    kept_last: list[Passage] = []
    dropped: dict[str, _Link] = {}
    for passage in passages:
        link = replaced.get(passage.doc_id)
        if passage.doc_id in not_yet:
            continue  # asked about a date before this version took effect
        if link is None:
            result.passages.append(passage)
        elif demote:
            kept_last.append(replace(passage, status=_superseded(link)))
        else:
            dropped.setdefault(passage.doc_id, link)
    for doc_id, link in later.items():
        result.status[doc_id] = f"in force on {_day(moment)}; {_superseded(link)}"
    result.passages = [
        replace(p, status=result.status[p.doc_id]) if p.doc_id in later else p
        for p in result.passages
    ] + kept_last
    kept = {p.doc_id for p in result.passages}
    for doc_id in kept & set(replaced):
        result.status[doc_id] = _superseded(replaced[doc_id])
    about = _about(passages, question)
    for link in dropped.values():
        if link.newer.id not in kept or link.older.id not in about:
            continue  # only say "left out" beside the version that answers, when it bears
        result.notes.append(
            _Note(
                "lineage",
                f"{link.older.title} was left out: replaced on {link.when} by "
                f"{link.newer.title}{{{link.newer.id}}}{link.proposed}.",
                (link.newer.id,),
            )
        )
    for link in {lk.older.id: lk for lk in later.values() if lk.older.id in about}.values():
        if link.older.id not in kept:
            continue
        result.notes.append(
            _Note(
                "lineage",
                f"{link.older.title}{{{link.older.id}}} was in force on {_day(moment)}. "
                f"Replaced on {link.when} by {link.newer.title}{link.proposed}.",
                (link.older.id,),
            )
        )
    result.notes += _conflicts(result.passages, question, links)
    for link in links:
        if link.status == "proposed" and link.newer.id in kept:
            result.status.setdefault(
                link.newer.id, f"current; proposed to replace {link.older.title}"
            )
    return result


def _about(passages: Sequence[Passage], question: str) -> set[str]:
    """Documents whose passages bear on the question (share most of its terms): only they
    earn a notice; a search also returns passages that merely share a word."""
    asked = set(terms(question))
    need = max(1, min(2, len(asked)))
    return {p.doc_id for p in passages if len(asked & set(terms(p.text))) >= need}


def asked_date(question: str, now: datetime | None = None) -> datetime | None:
    """The past date a question asks about ("in 2024" → 31 December 2024), else None."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    for match in _WHEN.finditer(question):
        try:
            when = _date_of(match)
        except ValueError:
            continue
        if when < now:
            return when
    return None


def _date_of(match: re.Match[str]) -> datetime:
    if match.group(1):
        word, y, m, d = match.group(1), int(match[2]), int(match[3]), int(match[4])
        moment = datetime(y, m, d)
    else:
        word, day, month, y = match.group(5), match.group(6), match.group(7), int(match[8])
        if day and month:
            moment = datetime(y, _MONTHS.index(month.lower()) + 1, int(day))
        elif month:
            m = _MONTHS.index(month.lower()) + 1
            start = datetime(y, m, 1)
            end = datetime(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
            moment = start if word.lower() in ("before", "until") else end
        else:
            moment = datetime(y, 1, 1) if word.lower() in ("before",) else datetime(y, 12, 31)
    if word.lower() == "before":
        moment -= timedelta(days=1)
    return moment


def _in_effect(link: _Link, moment: datetime) -> bool:
    return link.effective is None or link.effective <= moment


def _superseded(link: _Link) -> str:
    return f"superseded by {link.newer.title} ({link.when}){link.proposed}"


def _links(session: Session, doc_ids: set[str], groups: Iterable[str]) -> list[_Link]:
    """Links touching ``doc_ids`` that count for an asker in ``groups`` (both ends visible)."""
    rows = session.scalars(
        select(DocumentLink).where(
            DocumentLink.status != "rejected",
            or_(DocumentLink.newer_id.in_(doc_ids), DocumentLink.older_id.in_(doc_ids)),
        )
    ).all()
    ids = {r.newer_id for r in rows} | {r.older_id for r in rows}
    docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
    groups = tuple(groups)
    out = []
    for row in rows:
        newer, older = docs.get(row.newer_id), docs.get(row.older_id)
        if newer is None or older is None:
            continue
        if may_see(newer.groups, groups) and may_see(older.groups, groups):
            out.append(_Link(newer, older, row.effective_at, row.status))
    return out


def _conflicts(passages: Sequence[Passage], question: str, links: list[_Link]) -> list[_Note]:
    """Two current documents giving different figures in sentences about the same thing."""
    asked = set(terms(question))
    linked = {frozenset((lk.newer.id, lk.older.id)) for lk in links}
    claims: dict[str, tuple[str, set[str], set[str]]] = {}
    for passage in passages:
        if passage.status or passage.doc_id in claims:
            continue
        if len(claims) >= _CONFLICT_DOCS:
            break
        best = None
        for sentence in sentences(passage.text):
            numbers = set(_NUMBER.findall(sentence)) - {y for y in _years(sentence)}
            words = set(terms(_NUMBER.sub(" ", sentence)))
            overlap = len(words & asked)
            if numbers and overlap >= 2 and (best is None or overlap > best[0]):
                best = (overlap, passage.title, words, numbers)
        if best is not None:
            claims[passage.doc_id] = best[1:]
    notes = []
    items = list(claims.items())
    for i, (a, (title_a, words_a, numbers_a)) in enumerate(items):
        for b, (title_b, words_b, numbers_b) in items[i + 1 :]:
            if frozenset((a, b)) in linked or numbers_a & numbers_b:
                continue
            shared = words_a & words_b
            if len(shared & asked) >= 2 and len(shared) >= 0.5 * min(len(words_a), len(words_b)):
                notes.append(
                    _Note(
                        "conflict",
                        f"These sources disagree: {title_a}{{{a}}} and {title_b}{{{b}}} give "
                        "different figures; check which one applies.",
                        (a, b),
                    )
                )
    return notes


def _years(sentence: str) -> set[str]:
    return set(re.findall(r"\b(?:19|20)\d{2}\b", sentence))


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


# -- for knowledge managers -----------------------------------------------------------------
@dataclass(frozen=True)
class LinkInfo:
    id: int
    newer_id: str
    newer_title: str
    older_id: str
    older_title: str
    origin: str
    status: str
    effective_at: datetime | None
    evidence: str
    decided_by: str


def links_for(services: Services, user_groups: Iterable[str] | None = None) -> list[LinkInfo]:
    """Every link whose two documents ``user_groups`` may see (None: everything), proposals
    first."""
    with services.sessions() as session:
        rows = session.scalars(select(DocumentLink).order_by(DocumentLink.id)).all()
        docs = {d.id: d for d in session.scalars(select(Document))}
        out = []
        for row in rows:
            newer, older = docs.get(row.newer_id), docs.get(row.older_id)
            if newer is None or older is None:
                continue
            if not (_sees(newer, user_groups) and _sees(older, user_groups)):
                continue
            out.append(
                LinkInfo(
                    row.id,
                    newer.id,
                    newer.title,
                    older.id,
                    older.title,
                    row.origin,
                    row.status,
                    row.effective_at,
                    row.evidence,
                    row.decided_by,
                )
            )
    return sorted(out, key=lambda lk: (lk.status != "proposed", lk.id))


def statuses(services: Services, user_groups: Iterable[str] | None = None) -> dict[str, str]:
    """Each superseded (or proposed as superseded) document's standing, by id: "superseded
    by X (date)" or "proposed: superseded by X (date)"; absent means current."""
    out: dict[str, str] = {}
    for link in links_for(services, user_groups):
        if link.status == "rejected":
            continue
        when = _day(link.effective_at) if link.effective_at else "an unknown date"
        if link.status == "proposed":
            out.setdefault(link.older_id, f"proposed: superseded by {link.newer_title} ({when})")
        else:
            out[link.older_id] = f"superseded by {link.newer_title} ({when})"
    return out


class LineageError(ValueError):
    """A link that cannot be made or changed, with what to do instead."""


def find_document(
    services: Services, ref: str, user_groups: Iterable[str] | None = None
) -> tuple[str, str]:
    """(id, title) of the visible document ``ref`` names: its id, or its path."""
    with services.sessions() as session:
        doc = session.get(Document, ref)
        if doc is None:
            named = session.scalars(select(Document).where(Document.path == ref)).all()
            doc = named[0] if len(named) == 1 else None
            if len(named) > 1:
                raise LineageError(f"{ref!r} is in several sources: name it by id")
        if doc is None or not _sees(doc, user_groups):
            raise LineageError(f"no document {ref!r}: `footnote docs` lists ids and paths")
        return doc.id, doc.title


def set_link(
    services: Services,
    newer_id: str,
    older_id: str,
    who: str,
    user_groups: Iterable[str] | None = None,
    effective: datetime | None = None,
) -> int:
    """Record (or confirm) that ``newer_id`` supersedes ``older_id``; audited."""
    if newer_id == older_id:
        raise LineageError("a document cannot supersede itself")
    with services.sessions.begin() as session:
        newer = _visible(session, newer_id, user_groups)
        older = _visible(session, older_id, user_groups)
        link = session.scalar(
            select(DocumentLink).where(
                or_(
                    (DocumentLink.newer_id == newer.id) & (DocumentLink.older_id == older.id),
                    (DocumentLink.newer_id == older.id) & (DocumentLink.older_id == newer.id),
                )
            )
        )
        if link is None:
            link = DocumentLink(newer_id=newer.id, older_id=older.id, origin="manual")
            session.add(link)
        link.newer_id, link.older_id = newer.id, older.id
        link.status, link.decided_by = "confirmed", who
        if effective is not None or link.effective_at is None:
            link.effective_at = effective or _date_of_doc(newer)
        session.flush()
        append_audit(session, who, "lineage.link", _detail(link))
        return link.id


def decide(
    services: Services,
    link_id: int,
    verdict: str,
    who: str,
    user_groups: Iterable[str] | None = None,
) -> None:
    """Confirm or reject a link (a proposal, usually); audited. A rejected link stays as a
    row so that the next ingestion does not propose it again."""
    if verdict not in ("confirmed", "rejected"):
        raise LineageError(f"verdict is confirmed or rejected, not {verdict!r}")
    with services.sessions.begin() as session:
        link = session.get(DocumentLink, link_id)
        if link is None:
            raise LineageError(f"no link {link_id}: `footnote docs links` lists them")
        _visible(session, link.newer_id, user_groups)
        _visible(session, link.older_id, user_groups)
        link.status, link.decided_by = verdict, who
        append_audit(session, who, f"lineage.{verdict.removesuffix('ed')}", _detail(link))


def unlink(
    services: Services,
    newer_id: str,
    older_id: str,
    who: str,
    user_groups: Iterable[str] | None = None,
) -> None:
    """Undo a link: a manual one is deleted, a detected one is rejected (see ``decide``)."""
    with services.sessions.begin() as session:
        _visible(session, newer_id, user_groups)
        _visible(session, older_id, user_groups)
        link = session.scalar(
            select(DocumentLink).where(
                DocumentLink.newer_id == newer_id, DocumentLink.older_id == older_id
            )
        )
        if link is None:
            raise LineageError("the first document does not supersede the second: nothing to do")
        append_audit(session, who, "lineage.unlink", _detail(link))
        if link.origin == "manual":
            session.delete(link)
        else:
            link.status, link.decided_by = "rejected", who


@dataclass(frozen=True)
class StaleDocument:
    id: str
    title: str
    path: str
    reviewed: datetime
    why: str


def stale(services: Services, user_groups: Iterable[str] | None = None) -> list[StaleDocument]:
    """Visible documents not reviewed for ``stale_after_months`` (superseded ones aside:
    they are meant to be old), and documents with an unconfirmed proposal, oldest first."""
    months = services.settings.stale_after_months
    cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=round(months * 30.44))
    standing = statuses(services, user_groups)
    out = []
    with services.sessions() as session:
        for doc in session.scalars(select(Document).where(Document.status == "indexed")):
            if not _sees(doc, user_groups):
                continue
            reviewed = _date_of_doc(doc)
            said = standing.get(doc.id, "")
            if said.startswith("proposed"):
                out.append(StaleDocument(doc.id, doc.title, doc.path, reviewed, said))
            elif reviewed < cutoff and not said:
                why = f"not reviewed since {_day(reviewed)} (over {months} months)"
                out.append(StaleDocument(doc.id, doc.title, doc.path, reviewed, why))
    return sorted(out, key=lambda s: s.reviewed)


def _date_of_doc(doc: Document) -> datetime:
    """When the document says it was last reviewed or updated (else its file's mtime)."""
    for key in ("last_reviewed_at", "updated", "last_updated"):
        value = (doc.meta or {}).get(key)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value[:10])
            except ValueError:
                continue
    epoch = (doc.meta or {}).get("date") or doc.mtime or 0.0
    return datetime.fromtimestamp(float(epoch), UTC).replace(tzinfo=None)


def _sees(doc: Document, user_groups: Iterable[str] | None) -> bool:
    return user_groups is None or may_see(doc.groups, user_groups)


def _visible(session: Session, doc_id: str, user_groups: Iterable[str] | None) -> Document:
    doc = session.get(Document, doc_id)
    if doc is None or not _sees(doc, user_groups):
        raise LineageError(f"no document {doc_id!r}: `footnote docs` lists ids and paths")
    return doc


def _detail(link: DocumentLink) -> dict[str, object]:
    return {
        "link_id": link.id,
        "newer_id": link.newer_id,
        "older_id": link.older_id,
        "origin": link.origin,
        "status": link.status,
        "effective_at": link.effective_at.isoformat() if link.effective_at else None,
        "at": utcnow().isoformat(),
    }
