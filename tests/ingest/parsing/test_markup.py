"""Site-generator markup leaves Markdown before parsing; the page's words stay."""

from __future__ import annotations

from pathlib import Path

from ingest.parsing import parse_file
from ingest.parsing.markup import strip_site_markup

MDX = """import Tabs from '@theme/Tabs';
import { Callout } from 'components';
export const meta = {
  title: 'Leave',
}

# Holiday

{/* reviewed in March */}
<Callout type="info">
Everyone gets 25 days of holiday a year.
</Callout>

<Image src="/leave.png" />
Book it in the HR system.

```jsx
import Tabs from '@theme/Tabs';
<Tabs>{{ kept }}</Tabs>
```
"""


def test_mdx_module_lines_comments_and_components_go_and_their_text_stays() -> None:
    out = strip_site_markup(MDX, mdx=True)
    assert "from 'components'" not in out.split("```")[0]
    assert "title: 'Leave'" not in out and "reviewed in March" not in out
    assert "<Callout" not in out and "</Callout>" not in out and "<Image" not in out
    assert "Everyone gets 25 days of holiday a year." in out
    assert "Book it in the HR system." in out and "# Holiday" in out
    # a code fence is the page's own example, kept exactly
    assert "```jsx\nimport Tabs from '@theme/Tabs';\n<Tabs>{{ kept }}</Tabs>\n```" in out


def test_shortcodes_and_liquid_tags_go_in_plain_markdown_too() -> None:
    text = (
        "{{< note >}}Claims are paid monthly.{{< /note >}}\n"
        "{% include header.html %}Welcome to {{ site.title }} handbook.\n"
        "import this line stays: it is prose in a .md file\n"
        "<Callout>stays too</Callout>\n"
    )
    out = strip_site_markup(text)
    assert out.splitlines() == [
        "Claims are paid monthly.",
        "Welcome to  handbook.",
        "import this line stays: it is prose in a .md file",
        "<Callout>stays too</Callout>",
    ]


def test_markdown_without_markup_is_unchanged() -> None:
    text = "# Expenses\n\nSubmit claims within 30 days {see below}.\n\n- Keep receipts.\n"
    assert strip_site_markup(text) == text
    assert strip_site_markup(text, mdx=True) == text


def test_an_mdx_page_parses_as_markdown_without_its_markup(tmp_path: Path) -> None:
    page = tmp_path / "leave.mdx"
    page.write_text("---\ntitle: Leave\n---\n" + MDX, encoding="utf-8")
    parsed, parser = parse_file(page)
    texts = [e.text for e in parsed.elements]
    assert parser == "markdown" and parsed.title == "Leave"
    assert "Everyone gets 25 days of holiday a year." in texts
    assert not any("@theme/Tabs" in t and "kept" not in t for t in texts)
    assert not any("Callout" in t or "reviewed in March" in t for t in texts)


def test_the_prose_a_liquid_tag_passes_is_kept_as_a_paragraph() -> None:
    text = (
        "Use the Mail app.\n"
        '{% include "alert.html"\n   content: "The Gmail app is not\n'
        '   permitted on work phones." %}\n'
        'See [Slack]({% page "/tools/slack" %}) for help.\n'
    )
    out = strip_site_markup(text)
    assert "\n\nThe Gmail app is not permitted on work phones.\n\n" in out
    assert "alert.html" not in out and "/tools/slack" not in out
    assert "See [Slack]() for help." in out
