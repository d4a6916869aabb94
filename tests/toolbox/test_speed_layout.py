"""The base layout's icons come from a per-process memo of heroicons' own markup (issue #20)."""

import pytest
from django.template import Context, Template


@pytest.mark.parametrize(
    ("style", "tags", "marker"),
    [
        ("outline", '"user-circle" size=22 class="cn-icon" aria_hidden="true"', 'aria-hidden="true"'),
        ("mini", '"check-circle" class="me-1" aria_hidden="true"', 'width="20"'),
    ],
)
def test_a_memoised_icon_is_heroicons_markup(style, tags, marker):
    theirs = Template(f"{{% load heroicons %}}{{% heroicon_{style} {tags} %}}").render(Context())
    ours = Template(f"{{% load icons %}}{{% icon_{style} {tags} %}}{{% icon_{style} {tags} %}}").render(Context())
    assert ours == theirs * 2
    assert marker in ours


def test_no_template_renders_heroicons_uncached():
    """Every page's icons go through the memo: heroicons' own tags copy and serialise the SVG on each use."""
    from pathlib import Path

    from django.conf import settings

    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if "heroicon_" in path.read_text()
    ]
    assert offenders == []


def test_attributes_are_escaped_and_distinguished():
    one = Template('{% load icons %}{% icon_outline "home" class=a %}').render(Context({"a": '"><b>'}))
    two = Template('{% load icons %}{% icon_outline "home" class=a %}').render(Context({"a": "other"}))
    assert "<b>" not in one
    assert 'class="other"' in two


def test_the_layouts_links_are_reversed_once_and_follow_the_script_prefix():
    from django.urls import reverse, set_script_prefix

    from toolbox.templatetags.layout import LAYOUT_URLS, layout_urls

    assert layout_urls() == {key: reverse(name) for key, name in LAYOUT_URLS.items()}
    try:
        set_script_prefix("/mounted/")
        assert layout_urls()["calls"] == "/mounted/calls/"
    finally:
        set_script_prefix("/")
    assert layout_urls()["calls"] == "/calls/"


@pytest.mark.django_db
def test_the_navbar_and_footer_link_where_they_did(client):
    from tests.factories import UserFactory

    page = client.get("/calls/").content.decode()
    for href in ("/calls/", "/accounts/login/", "/accounts/signup/", "/data/"):
        assert f'href="{href}"' in page
    assert 'href="/calls/" aria-current="page"' not in page  # the "active" mark stays as it was
    assert 'class="nav-link active" aria-current="page" href="/calls/"' in page
    client.force_login(UserFactory(is_staff=True))
    page = client.get("/calls/").content.decode()
    assert 'href="/admin/"' in page
    assert 'action="/accounts/logout/"' in page
