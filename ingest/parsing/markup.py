"""Site-generator markup in Markdown, taken out before parsing.

Real handbooks are rarely plain Markdown: they are the sources of a website, and carry
what its generator reads: MDX's ``import``/``export`` lines, JSX components and
comments (Docusaurus, Next.js), Hugo's shortcodes (``{{< note >}}``), Jekyll's Liquid
tags (``{% include … %}``, ``{{ site.title }}``). Parsed as text, each becomes a
sentence the answerer may quote ("import Tabs from '@theme/Tabs';") or noise inside
one. The words *inside* a component or a paired shortcode are the page's own text and
are kept; only the markup goes. So are the words a tag passes as prose: a callout
written ``{% include "alert.html" content: "The Gmail app is not permitted…" %}`` is a
paragraph of the page (a quoted argument of four words or more; "alert.html" is not
prose). Fenced code blocks are left exactly as written (a page about templates shows
them on purpose).
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(```|~~~)")
_ESM = re.compile(r"^(?:import|export)\s")
"""An MDX module line: ``import X from '…'``, ``export const meta = {…}``."""
_JSX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.DOTALL)
_COMPONENT = re.compile(r"</?[A-Z][\w.]*(?:\s[^<>]*)?/?>")
"""A JSX component's opening, closing or self-closing tag (capitalised, unlike HTML)."""
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.DOTALL)
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_QUOTED = re.compile(r'"([^"]*)"|\'([^\']*)\'')
_PROSE_WORDS = 4
"""A quoted tag argument of at least this many words is the page's text, not a name."""


def strip_site_markup(text: str, *, mdx: bool = False) -> str:
    """``text`` without generator markup outside code fences; ``mdx`` also removes
    module lines, JSX comments and component tags."""
    out: list[str] = []
    prose: list[str] = []
    fenced = False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            if not fenced:
                out.append(_clean("".join(prose), mdx))
                prose = []
            fenced = not fenced
            out.append(line)
        elif fenced:
            out.append(line)
        else:
            prose.append(line)
    out.append(_clean("".join(prose), mdx) if not fenced else "".join(prose))
    return "".join(out)


def _clean(text: str, mdx: bool) -> str:
    if mdx:
        text = _without_module_lines(text)
        text = _JSX_COMMENT.sub("", text)
        text = _COMPONENT.sub("", text)
    text = _SHORTCODE.sub("", text)
    return _LIQUID.sub(_prose_of, text)


def _prose_of(tag: re.Match[str]) -> str:
    """What a Liquid tag leaves in the page: its prose arguments as a paragraph of their
    own, or nothing."""
    quoted = (a or b for a, b in _QUOTED.findall(tag.group()))
    prose = [" ".join(q.split()) for q in quoted if len(q.split()) >= _PROSE_WORDS]
    return "\n\n" + " ".join(prose) + "\n\n" if prose else ""


def _without_module_lines(text: str) -> str:
    """``text`` without MDX ``import``/``export`` statements (one that opens a brace runs
    until its braces close)."""
    kept: list[str] = []
    depth = 0
    for line in text.splitlines(keepends=True):
        if depth or _ESM.match(line):
            opened = line.count("{") + line.count("(")
            depth = max(0, depth + opened - line.count("}") - line.count(")"))
            continue
        kept.append(line)
    return "".join(kept)
