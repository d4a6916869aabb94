"""The application form shows the limits the services hold."""

import pytest

from applications.forms import ApplicationForm
from applications.models import Question
from tests.factories import ApplicationFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_extra_questions_and_long_answers_carry_their_limits_into_the_page():
    application = ApplicationFactory(status="draft")
    for kind in Question.Kind.values:
        QuestionFactory(call=application.call, kind=kind, label=kind, choices="A\nB")
    form = ApplicationForm(instance=application)
    limits = {
        question.kind: (
            form.fields[question.field_name].widget.attrs.get("maxlength"),
            getattr(form.fields[question.field_name], "max_digits", None),
            getattr(form.fields[question.field_name], "decimal_places", None),
        )
        for question in form.questions
    }
    assert limits == {
        "short_text": ("300", None, None),
        "long_text": ("5000", None, None),
        "url": ("500", None, None),
        "number": (None, 14, 4),
        "single_choice": (None, None, None),
        "multiple_choice": (None, None, None),
        "yes_no": (None, None, None),
    }
    # The answer fields take theirs from the model (TextField max_length).
    answers = ("data_stewarded", "sustainability", "contribution")
    assert [form.fields[name].widget.attrs["maxlength"] for name in answers] == ["5000", "5000", "5000"]
