"""Documents in several versions, none of them from data/.

``make_versions_folder``: files to ingest, one pair per lineage signal, a proposal by file
name, a restricted newer version, two current documents that disagree, and a sentence that
replaces a passage, not a document. ``write_versions``: the same ideas written straight
into the index and SQL (no parsing), with their links, for the answer path's tests."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from core.db import Document, DocumentLink
from core.services import Services
from tests.retrieval.conftest import Doc, write_docs

FILES: dict[str, str] = {
    # a later ``updated:`` date on the same title (a proposal)
    "bike-scheme.md": "---\ntitle: Cycle to work scheme\nupdated: 2024-04-01\n---\n"
    "# Cycle to work scheme\n\nThe cycle to work limit is £1,000 per bike, "
    "repaid over 12 months.\n",
    "cycle-to-work.md": "---\ntitle: Cycle to work scheme\nupdated: 2026-01-05\n---\n"
    "# Cycle to work scheme\n\nThe cycle to work limit is £2,500 per bike, "
    "repaid over 18 months.\n",
    # "This notice replaces ..." in the text
    "visitors.md": "---\ntitle: Visitor badges\nupdated: 2024-06-01\n---\n"
    "# Visitor badges\n\nVisitor badges are printed at reception and expire after 8 hours.\n",
    "visitor-notice.md": "---\ntitle: Notice on visitors\nupdated: 2026-02-01\n---\n"
    "# Notice on visitors\n\nThis notice replaces the Visitor badges page of 1 June 2024. "
    "Visitor badges are sent by e-mail and expire after 12 hours.\n",
    # a ``supersedes:`` front-matter key, effective on a given date
    "canteen-2024.md": "---\ntitle: Canteen opening hours\nupdated: 2024-03-01\n---\n"
    "# Canteen opening hours\n\nThe canteen opens for lunch at 11:30 on weekdays.\n",
    "food-hall.md": "---\ntitle: Food hall\nupdated: 2026-01-20\neffective: 2026-02-01\n"
    "supersedes: canteen-2024.md\n---\n"
    "# Food hall\n\nThe food hall opens for lunch at 12:15 on weekdays.\n",
    # file names that differ only by a year (a proposal)
    "security-guide-2023.md": "---\ntitle: Security guide\nupdated: 2023-05-01\n---\n"
    "# Security guide\n\nBadges must be worn above the waist at all times.\n",
    "security-guide-2025.md": "---\ntitle: Security guide for staff\nupdated: 2025-05-01\n---\n"
    "# Security guide for staff\n\nBadges must be visible at all times.\n",
    # the newer version is restricted: outsiders keep the old one, and never hear of it
    "roadmap.md": "---\ntitle: Product roadmap\nupdated: 2025-01-10\n---\n"
    "# Product roadmap\n\nThe roadmap for the mobile app ships offline maps in spring.\n",
    "roadmap-board.md": "---\ntitle: Board roadmap\nupdated: 2026-01-10\ngroups: [board]\n"
    "supersedes: roadmap.md\n---\n"
    "# Board roadmap\n\nThe roadmap for the mobile app now ships Project Heron in spring.\n",
    # two current documents that disagree
    "guest-wifi.md": "---\ntitle: Guest network\nupdated: 2026-01-02\n---\n"
    "# Guest network\n\nGuest Wi-Fi vouchers last 24 hours from first use.\n",
    "reception-faq.md": "---\ntitle: Reception FAQ\nupdated: 2026-01-03\n---\n"
    "# Reception FAQ\n\nGuest Wi-Fi vouchers last 48 hours from first use.\n",
    # replaces a passage of another document, not the document: no link
    "lunch-change.md": "---\ntitle: Lunch change\nupdated: 2026-03-01\n---\n"
    "# Lunch change\n\nThe change replaces the times described in the Canteen opening hours "
    "page for the summer only.\n",
}


def make_versions_folder(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


DOCS = [
    Doc("cycle-2024.md", "Cycle scheme 2024", [(["Limit"], "The cycle scheme limit is £1,000.")]),
    Doc("cycle-2026.md", "Cycle scheme 2026", [(["Limit"], "The cycle scheme limit is £2,500.")]),
    Doc(
        "canteen.md",
        "Canteen hours",
        [(["Lunch"], "The canteen opens for lunch at 11:30 on weekdays.")],
    ),
    Doc("food-hall.md", "Food hall", [(["Lunch"], "The food hall opens for lunch at 12:15.")]),
    Doc("roadmap.md", "Roadmap", [(["App"], "The mobile app roadmap ships offline maps.")]),
    Doc(
        "roadmap-board.md",
        "Board roadmap",
        [(["App"], "The mobile app roadmap ships Project Heron.")],
        groups=["board"],
    ),
    Doc("wifi.md", "Guest network", [(["Vouchers"], "Guest Wi-Fi vouchers last 24 hours.")]),
    Doc("faq.md", "Reception FAQ", [(["Vouchers"], "Guest Wi-Fi vouchers last 48 hours.")]),
]
LINKS = [
    ("cycle-2026.md", "cycle-2024.md", "proposed", "proposed", datetime(2026, 1, 5)),
    ("food-hall.md", "canteen.md", "front_matter", "confirmed", datetime(2026, 2, 1)),
    ("roadmap-board.md", "roadmap.md", "front_matter", "confirmed", datetime(2026, 1, 10)),
]


def doc_id(path: str) -> str:
    return hashlib.sha1(f"test:{path}".encode()).hexdigest()


def write_versions(services: Services) -> Services:
    """The index as ``write_docs`` leaves it, with the documents and links SQL would hold."""
    write_docs(services, DOCS)
    with services.sessions.begin() as session:
        for doc in DOCS:
            session.add(
                Document(
                    id=doc_id(doc.path),
                    source="test",
                    path=doc.path,
                    title=doc.title,
                    status="indexed",
                    groups=doc.groups,
                    meta={"updated": "2024-01-01"},
                )
            )
        session.flush()
        for newer, older, origin, status, effective in LINKS:
            session.add(
                DocumentLink(
                    newer_id=doc_id(newer),
                    older_id=doc_id(older),
                    origin=origin,
                    status=status,
                    effective_at=effective,
                )
            )
    return services
