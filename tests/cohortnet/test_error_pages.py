"""Error pages that look like the site and say what to do next; a piece of a page for htmx."""

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_404_page_in_the_site_with_a_way_back(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found · CohortNet</title>" in html
    assert "<h1>Page not found</h1>" in html
    assert 'href="/">Go to the home page</a>' in html
    assert 'aria-label="Main"' in html  # the site's navigation, not Django's bare page


def test_htmx_gets_only_the_message_not_a_second_page(client):
    response = client.get("/no-such-page/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert "<html" not in html
    assert 'aria-label="Main"' not in html


def test_the_500_page_needs_no_request():
    html = render_to_string("500.html")
    assert "<h1>Something went wrong on our side</h1>" in html
    assert '<a href="/">Go to the home page</a>' in html


@pytest.mark.parametrize("url", ["/privacy/choices/", "/me/time-zone/"])
def test_opening_a_buttons_address_is_a_405_page_that_says_to_use_the_button(client, django_user_model, url):
    client.force_login(django_user_model.objects.create_user(email="ana@example.org", password="x"))
    response = client.get(url)
    html = response.content.decode()
    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert "<h1>This address is a button's, not a page's</h1>" in html
    assert "Nothing has been changed." in html
    assert 'aria-label="Main"' in html
