"""Minutes in Markdown → safe HTML: markdown-it-py renders (raw HTML off), nh3 (Ammonia) sanitises."""

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code", "pre", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}


def render_markdown(source: str | None) -> Markup:
    rendered = _markdown.render(source or "")
    # h1 belongs to the page: the minutes' own titles start at h2.
    rendered = rendered.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return Markup(clean)  # nh3 output is safe HTML


def plain_summary(source: str | None, limit: int = 600) -> str:
    """The text of the first paragraphs, for emails and the library (no markup)."""
    text = nh3.clean(_markdown.render(source or ""), tags=set())
    text = " ".join(html.unescape(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
