"""``{% load markdown %}{{ call.description|markdown }}``: staff Markdown, sanitised (toolbox/markdown.py).

The optional argument is the level ``#`` becomes: ``{{ text|markdown:3 }}``
inside a section whose heading is already an ``<h2>``.
"""

from django import template
from django.utils.safestring import SafeString

from toolbox.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text, top_level=2) -> SafeString:
    try:
        level = int(top_level)
    except (TypeError, ValueError):
        level = 2
    return render_markdown(text, top_level=level)
