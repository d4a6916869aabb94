"""Staff-written Markdown, rendered to HTML that is safe to put on a public page.

Two steps, each with one job. markdown-it-py (CommonMark, with tables) turns the
text into HTML with raw HTML switched off, so a ``<script>`` typed into a call's
description comes out as text. nh3 then cleans that HTML against an explicit
allow-list: whatever a future parser option or a Markdown trick lets through
(images, iframes, ``on*`` attributes, ``javascript:`` links, inline styles the
CSP would block) is dropped. Headings are shifted down so staff content never
adds a second ``<h1>`` to a page whose title is already one.
"""

from functools import cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

#: The tags staff content may use; everything else is removed (its text kept).
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "a",
        "code",
        "pre",
        "blockquote",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
#: Tags removed together with their content: their text is never meant to be read.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Staff links leave the site: no referrer, no window.opener, and no endorsement for search engines.
LINK_REL = "nofollow noopener noreferrer"
#: Staff headings look a step smaller than the page's own section headings (Bootstrap's .h4 to .h6
#: classes), and tables get Bootstrap's table style; nh3 sets these, whatever the input says.
PRESENTATION = {"h2": {"class": "h4"}, "h3": {"class": "h5"}, "h4": {"class": "h6"}, "table": {"class": "table"}}
#: The deepest heading kept; deeper ones are clamped to it, since h5/h6 are not on the allow-list.
DEEPEST_HEADING = 4


@cache
def _parser() -> MarkdownIt:
    # "commonmark" is the strict preset; tables are the one extension call content needs.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _shift_headings(tokens, top_level: int) -> None:
    """Make ``#`` render as ``<h{top_level}>`` and deeper levels follow, never past ``DEEPEST_HEADING``."""
    shift = top_level - 1
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            level = int(token.tag[1:]) + shift
            token.tag = f"h{min(level, DEEPEST_HEADING)}"


def render_markdown(text: str | None, *, top_level: int = 2) -> SafeString:
    """Staff Markdown as sanitised HTML; ``#`` becomes ``<h{top_level}>`` (2 to 4), so never an ``<h1>``."""
    if not text or not str(text).strip():
        return mark_safe("")  # noqa: S308 - the empty string carries no markup
    top_level = min(max(int(top_level), 2), DEEPEST_HEADING)
    parser = _parser()
    tokens = parser.parse(str(text))
    _shift_headings(tokens, top_level)
    return mark_safe(clean_html(parser.renderer.render(tokens, parser.options, {})))  # noqa: S308 - cleaned just now


def clean_html(html: str) -> str:
    """``html`` with only the allow-listed tags, attributes and link schemes left; links get ``LINK_REL``."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        set_tag_attribute_values={tag: dict(values) for tag, values in PRESENTATION.items()},
        strip_comments=True,
    )
