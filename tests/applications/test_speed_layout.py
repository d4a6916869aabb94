"""The base layout's icons come from a per-process memo of heroicons' own markup (issue #20)."""

from django.template import Context, Template


def test_a_memoised_icon_is_heroicons_markup():
    tags = '"user-circle" size=22 class="cn-icon" aria_hidden="true"'
    theirs = Template("{% load heroicons %}{% heroicon_outline " + tags + " %}").render(Context())
    ours = Template("{% load icons %}{% icon_outline " + tags + " %}{% icon_outline " + tags + " %}").render(Context())
    assert ours == theirs * 2
    assert 'aria-hidden="true"' in ours


def test_attributes_are_escaped_and_distinguished():
    one = Template('{% load icons %}{% icon_outline "home" class=a %}').render(Context({"a": '"><b>'}))
    two = Template('{% load icons %}{% icon_outline "home" class=a %}').render(Context({"a": "other"}))
    assert "<b>" not in one
    assert 'class="other"' in two
