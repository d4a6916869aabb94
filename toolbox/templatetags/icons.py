"""``{% icon_outline "name" size=20 class="cn-icon" aria_hidden="true" %}``, ``{% icon_mini … %}``: heroicons' tags,
rendered once.

heroicons parses nothing per call but deep-copies the icon's XML tree and serialises it on every use;
the base layout (navbar, messages) shows the same few icons on every page (issue #20). The markup is
heroicons' own, kept per name, size and attributes in this process.
"""

import functools

from django import template
from django.utils.safestring import mark_safe
from heroicons.templatetags.heroicons import _render_icon

register = template.Library()


@functools.lru_cache(maxsize=512)
def _icon(style: str, name: str, size: int | None, attrs: tuple) -> str:
    return str(_render_icon(style, name, size, dict(attrs)))


@register.simple_tag
def icon_outline(name: str, *, size: int | None = 24, **attrs: object) -> str:
    return mark_safe(_icon("outline", str(name), size, tuple((key, str(value)) for key, value in attrs.items())))  # noqa: S308 -- heroicons' own escaped SVG


@register.simple_tag
def icon_mini(name: str, *, size: int | None = 20, **attrs: object) -> str:
    return mark_safe(_icon("mini", str(name), size, tuple((key, str(value)) for key, value in attrs.items())))  # noqa: S308 -- heroicons' own escaped SVG
