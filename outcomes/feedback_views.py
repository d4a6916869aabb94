"""Pages for feedback forms: answering (the people a form is for) and the results (staff)."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from outcomes.feedback_forms import FeedbackAnswerForm
from outcomes.feedback_permissions import can_answer_feedback, can_view_feedback_results
from outcomes.feedback_results import csv_rows, form_results
from outcomes.models import FeedbackForm, FeedbackRespondent
from outcomes.services_feedback import ALREADY_ANSWERED, feedback_respond
from toolbox.csvutils import csv_response
from toolbox.visibility import get_visible_or_404


def _form_for(request, pk) -> FeedbackForm:
    forms = FeedbackForm.objects.select_related("cohort", "event")
    return get_visible_or_404(forms, can_answer_feedback, request.user, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def feedback_answer(request, pk):
    form_obj = _form_for(request, pk)
    now = timezone.now()
    answered = FeedbackRespondent.objects.filter(form=form_obj, user=request.user).exists()
    state = "answered" if answered else "open" if form_obj.is_open(now) else "closed"
    if form_obj.opens is not None and now < form_obj.opens and not answered:
        state = "not_open"
    questions = form_obj.questions.all()
    form = FeedbackAnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and state == "open" and form.is_valid():
        try:
            feedback_respond(form=form_obj, user=request.user, answers=form.answers())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Thank you: your answers are saved.")
            return redirect("outcomes:feedback_answer", pk=form_obj.pk)
    elif request.method == "POST" and state == "answered":
        messages.error(request, ALREADY_ANSWERED)
    elif request.method == "POST" and state != "open":
        messages.error(request, "This form is not taking answers, so nothing was saved.")
    status = 200 if not (request.method == "POST" and form.errors) else 400
    context = {"feedback_form": form_obj, "form": form, "state": state}
    return render(request, "outcomes/feedback/answer.html", context, status=status)


def _results_form(request, pk) -> FeedbackForm:
    if not can_view_feedback_results(request.user):
        raise Http404("No FeedbackForm matches the given query.")
    return get_object_or_404(FeedbackForm.objects.select_related("cohort", "event"), pk=pk)


@staff_member_required
def feedback_results(request, pk):
    form_obj = _results_form(request, pk)
    total, results = form_results(form_obj)
    for result in results:
        # Built by bars_svg with every text escaped.
        result.chart_html = mark_safe(result.chart)  # noqa: S308 -- every text in it is escaped by bars_svg
    context = {"feedback_form": form_obj, "total": total, "results": results}
    return render(request, "outcomes/feedback/results.html", context)


@staff_member_required
def feedback_results_csv(request, pk):
    form_obj = _results_form(request, pk)
    header, rows = csv_rows(form_obj)
    return csv_response(f"feedback-{form_obj.pk}.csv", header, rows, request=request)
