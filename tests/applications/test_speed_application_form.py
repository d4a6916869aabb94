"""The application form renders without a template per field (issue #20), and its HTML is crispy's own.

``{{ form.site_layout }}`` (toolbox/forms.py) must write what ``{% crispy form %}`` with
templates/bootstrap5/field.html writes: labels, "(optional)", hints, character counts, errors, the error
summary, values kept after a failed save, every kind of extra question. Compared with whitespace
between tags ignored.
"""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.forms import ApplicationForm
from applications.models import Application, Question
from cohorts.models import Theme
from tests.factories import ApplicationFactory, OrganisationPersonFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def _normalise(html: str) -> str:
    html = re.sub(r"\s+", " ", str(html))
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"<fieldset\s+>", "<fieldset>", html).strip()


def _both(application, data=None, *, submit=False) -> tuple[str, str]:
    rendered = []
    for render in (
        lambda form: Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form})),
        lambda form: form.site_layout(),
    ):
        form = ApplicationForm(data, instance=application)
        if data is not None:
            form.is_valid()
            if submit:
                form.add_submission_problems()
        rendered.append(_normalise(render(form)))
    return rendered[0], rendered[1]


@pytest.fixture
def application():
    application = ApplicationFactory(status=Application.Status.DRAFT, licence="", consent_to_publish=False)
    for kind in Question.Kind.values:
        QuestionFactory(
            call=application.call,
            kind=kind,
            label=f"{kind} <question>",
            choices="Alpha & co\nBeta",
            help_text="A hint with <em>markup</em>",
            required=kind in ("long_text", "yes_no"),
        )
    application.extra_answers = {str(q.pk): "Beta" for q in application.call.questions.filter(kind="single_choice")}
    application.save()
    return application


def test_an_empty_form_is_crispys_html(application):
    crispy, fast = _both(application)
    assert "(optional)" in fast
    assert "You can enter up to 5000 characters" in fast
    assert fast == crispy


def test_a_refused_save_keeps_the_values_and_shows_every_error_as_crispy_does(application):
    questions = {q.kind: q for q in application.call.questions.all()}
    data = {
        "data_stewarded": "x" * 5001,
        "licence": "CC <b>0</b>",
        "funding_requested": "£12,500.505",
        questions["url"].field_name: "not a url at all",
        questions["number"].field_name: "many",
        questions["multiple_choice"].field_name: ["Alpha & co", "Gamma"],
        questions["short_text"].field_name: "kept & shown",
    }
    crispy, fast = _both(application, data, submit=True)
    assert "There is a problem" in fast
    assert "kept &amp; shown" in fast
    assert "CC &lt;b&gt;0&lt;/b&gt;" in fast
    assert 'class="textarea form-control is-invalid"' in fast
    assert fast == crispy


def test_an_expression_of_interest_is_crispys_html(application):
    application.stage = Application.Stage.EXPRESSION
    application.save()
    assert _both(application)[1] == _both(application)[0]
    assert (
        _both(application, {"licence": "x" * 300}, submit=True)[1]
        == _both(application, {"licence": "x" * 300}, submit=True)[0]
    )


def test_the_page_renders_the_form(client, application):
    OrganisationPersonFactory(organisation=application.organisation, user=application.created_by)
    client.force_login(application.created_by)
    page = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert _both(application)[1] in _normalise(page)


def test_saved_themes_show_ticked_and_a_posted_form_does_not_read_them(application):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cohorts.models import Theme

    theme = Theme.objects.order_by("pk").last()
    application.themes.set([theme])
    assert f'value="{theme.pk}" id="id_themes_' in ApplicationForm(instance=application).site_layout().replace(
        ' checked id="', ' id="'
    )
    assert " checked" in str(ApplicationForm(instance=application)["themes"])
    with CaptureQueriesContext(connection) as queries:
        ApplicationForm({"licence": "CC0"}, instance=application)
    assert not any("applications_application_themes" in q["sql"] for q in queries.captured_queries)


def test_the_themes_are_read_in_one_plain_query(client):
    """Not through a server-side cursor (DECLARE, FETCH, CLOSE: three round trips; issue #20), and still
    every theme, in order, with the saved ones ticked."""
    link = OrganisationPersonFactory()
    application = ApplicationFactory(organisation=link.organisation, created_by=link.user)
    themes = list(Theme.objects.all())
    application.themes.set(themes[:1])
    client.force_login(link.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("applications:edit", args=[application.pk]))
    assert not [q for q in queries.captured_queries if "DECLARE" in q["sql"]]
    html = response.content.decode()
    positions = [html.index(f'value="{theme.pk}"') for theme in themes]
    assert positions == sorted(positions)
    assert re.search(rf'value="{themes[0].pk}"[^>]*checked', html)
    assert not re.search(rf'value="{themes[1].pk}"[^>]*checked', html)
