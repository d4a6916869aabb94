"""The answer page, the staff results page and CSV, and building forms in the admin."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes.models import FeedbackForm, FeedbackQuestion, FeedbackRespondent, FeedbackResponse
from outcomes.services_feedback import feedback_respond
from tests.factories import EventFactory, MembershipFactory, ParticipantFactory, UserFactory
from tests.outcomes.feedback_helpers import past_event_form
from tests.test_admin_refusals import admin_form_data, refused

pytestmark = pytest.mark.django_db


def _url(form):
    return reverse("outcomes:feedback_answer", kwargs={"pk": form.pk})


def _post(s, **override):
    data = {
        s.scale.field_name: "4",
        s.choice.field_name: "Discussion",
        s.yes_no.field_name: "yes",
        s.text.field_name: "More time for questions",
    }
    data.update(override)
    return data


def test_the_attendee_sees_the_questions_and_answers(client):
    s = past_event_form()
    client.force_login(s.attendee)
    page = client.get(_url(s.form))
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("How useful was it?", "Best part", "Come again?", "Anything else", "5 (excellent)"):
        assert label in html
    assert "(Europe/London)" in html  # the closing time, in the person's zone, with the zone
    response = client.post(_url(s.form), _post(s), follow=True)
    assert response.redirect_chain == [(_url(s.form), 302)]
    assert "Thank you: your answers are saved." in response.content.decode()
    assert "You have answered this form." in response.content.decode()
    assert FeedbackResponse.objects.get().user == s.attendee


def test_bad_input_re_renders_with_the_message_and_the_typed_values_and_saves_nothing(client):
    s = past_event_form()
    s.scale.required = True
    s.scale.save()
    client.force_login(s.attendee)
    response = client.post(_url(s.form), _post(s, **{s.scale.field_name: "9"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select a valid choice. 9 is not one of the available choices." in html
    assert "More time for questions" in html
    assert (FeedbackResponse.objects.count(), FeedbackRespondent.objects.count()) == (0, 0)


def test_people_the_form_is_not_for_get_a_404(client):
    s = past_event_form()
    other_cohort = ParticipantFactory(membership=MembershipFactory()).user
    staff = UserFactory(is_staff=True, is_superuser=True)
    for person in (s.no_show, other_cohort, staff, UserFactory()):
        client.force_login(person)
        assert client.get(_url(s.form)).status_code == 404
        assert client.post(_url(s.form), _post(s)).status_code == 404
    assert FeedbackResponse.objects.count() == 0
    client.logout()
    assert client.get(_url(s.form)).status_code == 302  # to sign in


def test_a_closed_form_says_so_and_takes_nothing(client):
    s = past_event_form()
    FeedbackForm.objects.filter(pk=s.form.pk).update(closes_at=timezone.now() - timedelta(minutes=5))
    client.force_login(s.attendee)
    page = client.get(_url(s.form)).content.decode()
    assert "This form has closed: answers are no longer taken." in page
    assert "Send my answers" not in page
    response = client.post(_url(s.form), _post(s), follow=True)
    assert "This form is not taking answers, so nothing was saved." in response.content.decode()
    assert FeedbackResponse.objects.count() == 0


def test_an_anonymous_form_says_it_is_anonymous(client):
    s = past_event_form(anonymous=True)
    client.force_login(s.attendee)
    assert "This form is anonymous" in client.get(_url(s.form)).content.decode()


def _three_answers(s):
    other = ParticipantFactory(membership=s.attendee.participations.get().membership, user__name="Ana Silva").user
    third = ParticipantFactory(membership=s.attendee.participations.get().membership, user__name="Li Wei").user
    for person in (other, third):
        s.form.event.rsvps.create(user=person, status="going", attendance="attended")
    feedback_respond(
        form=s.form,
        user=s.attendee,
        answers={s.scale.pk: "5", s.choice.pk: "Discussion", s.yes_no.pk: "yes", s.text.pk: "=1+1 more time"},
    )
    feedback_respond(form=s.form, user=other, answers={s.scale.pk: "4", s.choice.pk: "Discussion", s.yes_no.pk: "no"})
    feedback_respond(form=s.form, user=third, answers={s.scale.pk: "4", s.choice.pk: "People"})
    return other, third


def test_staff_see_counts_a_chart_and_a_mean_per_question(client):
    s = past_event_form()
    _three_answers(s)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("outcomes:feedback_results", kwargs={"pk": s.form.pk}))
    assert response.status_code == 200
    total, results = response.context["total"], response.context["results"]
    assert total == 3
    by_label = {r.question.label: r for r in results}
    assert by_label["How useful was it?"].bars == [("1", 0), ("2", 0), ("3", 0), ("4", 2), ("5", 1)]
    assert str(by_label["How useful was it?"].mean) == "4.33"
    assert by_label["Best part"].bars == [("Talks", 0), ("Discussion", 2), ("People", 1)]
    assert by_label["Come again?"].bars == [("yes", 1), ("no", 1)]
    assert by_label["Come again?"].answered == 2
    assert by_label["Anything else"].texts == ["=1+1 more time"]
    html = response.content.decode()
    assert "3 answers" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert '<title id="chart-q' in html
    assert "mean 4.33" in html


def test_the_csv_holds_each_answer_exactly_and_guards_formulas(client):
    s = past_event_form()
    _three_answers(s)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("outcomes:feedback_results_csv", kwargs={"pk": s.form.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.now().date().isoformat()
    assert response.content.decode("utf-8") == (
        "\ufeff"
        '"response","submitted_on","name","email","How useful was it?","Best part","Come again?","Anything else"\r\n'
        f'"1","{day}","Maya Okafor","maya@river.example","5","Discussion","yes","\'=1+1 more time"\r\n'
        f'"2","{day}","Ana Silva","{s.form.responses.all()[1].user.email}","4","Discussion","no",""\r\n'
        f'"3","{day}","Li Wei","{s.form.responses.all()[2].user.email}","4","People","",""\r\n'
    )


def test_an_anonymous_forms_csv_names_no_one(client):
    s = past_event_form(anonymous=True)
    feedback_respond(form=s.form, user=s.attendee, answers={s.scale.pk: "3"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    text = client.get(reverse("outcomes:feedback_results_csv", kwargs={"pk": s.form.pk})).content.decode()
    day = timezone.now().date().isoformat()
    assert text == (
        '\ufeff"response","submitted_on","How useful was it?","Best part","Come again?","Anything else"\r\n'
        f'"1","{day}","3","","",""\r\n'
    )
    assert "Maya" not in text


def test_results_are_a_404_to_participants_and_need_staff(client):
    s = past_event_form()
    client.force_login(s.attendee)
    for name in ("outcomes:feedback_results", "outcomes:feedback_results_csv"):
        assert client.get(reverse(name, kwargs={"pk": s.form.pk})).status_code in (302, 404)
    client.force_login(UserFactory(is_staff=True))  # staff without the permission to read feedback forms
    for name in ("outcomes:feedback_results", "outcomes:feedback_results_csv"):
        assert client.get(reverse(name, kwargs={"pk": s.form.pk})).status_code == 404


def test_staff_build_a_form_on_an_event_in_the_admin_and_its_change_page_links_the_results(client):
    membership = MembershipFactory()
    event = EventFactory(cohort=membership.cohort, title="Workshop: APIs")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = admin_form_data(client.get(reverse("admin:outcomes_feedbackform_add")))
    closes = (event.ends_at + timedelta(days=7)).astimezone(UTC)
    data.update({
        "cohort": membership.cohort.pk, "event": event.pk, "title": "Workshop feedback",
        "closes_at_0": closes.strftime("%Y-%m-%d"), "closes_at_1": closes.strftime("%H:%M"),
        "questions-0-label": "How useful?", "questions-0-kind": "scale", "questions-0-position": "1",
    })  # fmt: skip
    response = client.post(reverse("admin:outcomes_feedbackform_add"), data)
    assert response.status_code == 302, refused(response)
    form = FeedbackForm.objects.get()
    assert (form.event, form.anonymous, form.closes_at.strftime("%Y-%m-%d %H:%M")) == (
        event,
        False,
        closes.strftime("%Y-%m-%d %H:%M"),
    )
    assert list(form.questions.values_list("label", "kind")) == [("How useful?", "scale")]
    change = client.get(reverse("admin:outcomes_feedbackform_change", args=[form.pk])).content.decode()
    assert reverse("outcomes:feedback_results", kwargs={"pk": form.pk}) in change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"questions-0-kind": "single_choice", "questions-0-choices": "Only one"}, "at least two options"),
        ({"closes_at_0": "2020-01-01"}, "close after the event ends"),
        ({"event": "", "opens_at_0": "", "opens_at_1": ""}, "A cohort form needs an opening time"),
    ],
)
def test_bad_forms_in_the_admin_are_refused_with_a_message(client, change, message):
    membership = MembershipFactory()
    event = EventFactory(cohort=membership.cohort)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = admin_form_data(client.get(reverse("admin:outcomes_feedbackform_add")))
    closes = event.ends_at + timedelta(days=7)
    data.update({
        "cohort": membership.cohort.pk, "event": event.pk, "title": "Feedback",
        "closes_at_0": closes.strftime("%Y-%m-%d"), "closes_at_1": "12:00",
        "questions-0-label": "Which?", "questions-0-kind": "scale", "questions-0-position": "1",
    })  # fmt: skip
    data.update(change)
    response = client.post(reverse("admin:outcomes_feedbackform_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert FeedbackForm.objects.count() == 0
    assert FeedbackQuestion.objects.count() == 0


@pytest.mark.parametrize("rows", [1, 20])
def test_the_admin_list_reads_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    membership = MembershipFactory()
    for i in range(rows):
        FeedbackForm.objects.create(
            cohort=membership.cohort,
            title=f"Form {i}",
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=3),
        )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.get(reverse("admin:outcomes_feedbackform_changelist"))
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("admin:outcomes_feedbackform_changelist")).status_code == 200


QUERIES = 6
