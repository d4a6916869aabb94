from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from applications import services
from applications.forms import ApplicationForm, ConflictForm, ReviewForm, StartApplicationForm, WithdrawForm
from applications.models import Application, InterviewSlot, Invitation, OpenCall, ReviewAssignment
from applications.permissions import can_book_interview, can_open_full_form, can_review, can_view_application
from applications.selectors import assignments_for_reviewer, decision_email_sent, free_interview_slots, live_application
from cohorts.selectors import organisations_for_user
from toolbox.visibility import get_visible_or_404

#: Session key for answers posted after the session expired, kept until the person signs in again.
STASH_KEY = "applications_unsaved"
INVITATION_KEY = "applications_invitation"


def call_list(request):
    now = timezone.now()
    calls = OpenCall.objects.for_cards().open_first(at=now)
    return render(request, "applications/call_list.html", {"calls": calls, "now": now})


def call_phase(call, now) -> str:
    """Where the call stands at ``now``, as far as its page tells: its cached fragment is keyed on it."""
    if call.is_upcoming(now):
        return "upcoming"
    if call.has_closed(now):
        return "closed"
    if call.has_stages and now > call.expressions_close_at:
        return "full-only"
    return "open"


def call_detail(request, slug):
    # One query; the themes and the FAQ are read only when the page's cached fragment is not there.
    call = get_object_or_404(OpenCall.objects.select_related("cohort"), slug=slug)
    now = timezone.now()
    return render(request, "applications/call_detail.html", {"call": call, "now": now, "phase": call_phase(call, now)})


def invitation(request, token):
    """The link in a staff invitation: remember it, then go on to apply with the organisation pre-filled.

    It records nothing itself: mail scanners follow links. The visit is
    recorded once the person is signed in and on the call's start page.
    """
    invitation = get_object_or_404(Invitation.objects.select_related("call"), token=token)
    request.session[INVITATION_KEY] = invitation.pk
    messages.info(
        request, f"Welcome, {invitation.organisation_name}: you are invited to apply to {invitation.call.title}."
    )
    return redirect("applications:start", slug=invitation.call.slug)


def _session_invitation(request, call) -> Invitation | None:
    pk = request.session.get(INVITATION_KEY)
    return Invitation.objects.filter(pk=pk, call=call).first() if pk else None


@login_required
@require_http_methods(["GET", "POST"])
def application_start(request, slug):
    call = get_object_or_404(OpenCall, slug=slug)
    invitation = _session_invitation(request, call)
    if invitation is not None:
        services.invitation_open(invitation=invitation)
    organisations = organisations_for_user(request.user)
    if not organisations.exists():
        messages.info(request, "First tell us about your organisation.")
        query = QueryDict(mutable=True)
        query["next"] = request.path
        if invitation:
            query["name"] = invitation.organisation_name  # the invitation pre-fills the organisation
        return redirect(f"{reverse('cohorts:organisation_create')}?{query.urlencode()}")
    form = StartApplicationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        existing = live_application(call=call, organisation=form.cleaned_data["organisation"])
        if existing:
            # One live application per organisation per call: go back to it instead.
            messages.info(
                request,
                f"{existing.organisation.name} already has an application to this call, so we have taken you to it.",
            )
            return redirect(
                existing.get_absolute_url()
                if not existing.is_editable
                else reverse("applications:edit", args=[existing.pk])
            )
        try:
            application = services.application_start(
                call=call, organisation=form.cleaned_data["organisation"], user=request.user, invitation=invitation
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.pop(INVITATION_KEY, None)
            return redirect("applications:edit", pk=application.pk)
    if not call.takes_new_applications() and not form.errors:
        messages.error(
            request,
            "Expressions of interest have closed: only shortlisted organisations complete the full application."
            if call.has_stages and call.is_open()
            else "This call is not open for applications.",
        )
        return redirect(call)
    return render(request, "applications/application_start.html", {"call": call, "form": form})


def _get_own_application(request, pk) -> Application:
    applications = Application.objects.select_related("call__cohort", "organisation")
    return get_visible_or_404(applications, can_view_application, request.user, pk=pk)


def _stash(request, pk) -> None:
    """Keep what was posted after the session expired, so signing in again loses nothing."""
    stash = request.session.get(STASH_KEY, {})
    stash[str(pk)] = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    request.session[STASH_KEY] = stash


def _unstash(request, pk) -> QueryDict | None:
    stash = request.session.get(STASH_KEY, {})
    data = stash.pop(str(pk), None)
    if data is None:
        return None
    request.session[STASH_KEY] = stash
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values)
    return query


@login_required
def application_list(request):
    applications = (
        Application.objects.filter(organisation__in=organisations_for_user(request.user))
        .select_related("call", "organisation")
        .order_by("-created_at")
    )
    return render(request, "applications/application_list.html", {"applications": applications})


@login_required
def application_detail(request, pk):
    # The interview slot (one-to-one) comes in the same query as the application.
    applications = Application.objects.select_related("call__cohort", "organisation", "interview_slot__host")
    application = get_visible_or_404(applications, can_view_application, request.user, pk=pk)
    try:
        slot = application.interview_slot
    except InterviewSlot.DoesNotExist:
        slot = None
    can_book = slot is None and can_book_interview(request.user, application)
    context = {
        "application": application,
        # Staff's feedback only once the decision email has left, never before.
        "feedback_visible": bool(application.feedback) and decision_email_sent(application),
        "interview": {"slot": slot, "can_book": can_book} if slot or can_book else None,
        "themes": application.themes.all(),
        "questions": _answered_questions(application),
        "can_withdraw": application.status in services.WITHDRAWABLE,
    }
    return render(request, "applications/application_detail.html", context)


def _answered_questions(application) -> list[tuple]:
    """(question, answer) for each question the application was asked: an expression of interest shows only
    what its form asked; a full application, everything. The status page and the review page show both."""
    asked = (
        services.stage_questions(application.call, application.stage)
        if application.is_expression
        else application.call.questions.all()
    )
    return [(q, application.extra_answers.get(str(q.pk))) for q in asked]


def _save(request, application, form):
    return services.application_save_draft(
        application=application,
        user=request.user,
        answers=form.cleaned_data,
        themes=form.cleaned_data.get("themes"),
        extra=form.extra_answers(),
    )


@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    if not request.user.is_authenticated:
        if request.method == "POST":
            _stash(request, pk)
        return redirect_to_login(reverse("applications:edit", args=[pk]))
    application = _get_own_application(request, pk)
    if not application.is_editable:
        return redirect(application)
    data = request.POST if request.method == "POST" else _unstash(request, pk)
    if data is not None and request.method == "GET":
        messages.warning(
            request, "You were signed out before this was saved. Here is what you typed: check it and save."
        )
    form = ApplicationForm(data, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            # Save first, so what was typed is kept even if submitting is refused.
            application = _save(request, application, form)
            if "submit_application" in request.POST:
                services.application_submit(application=application, user=request.user)
                what = "expression of interest" if application.is_expression else "application"
                messages.success(request, f"Your {what} has been submitted. We have emailed you a copy.")
                return redirect(application)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Draft saved.")
            return redirect("applications:edit", pk=application.pk)
    elif request.method == "POST" and "submit_application" in request.POST:
        form.add_submission_problems()
    context = {"application": application, "form": form, "past_deadline": timezone.now() > application.deadline}
    return render(request, "applications/application_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_full(request, pk):
    """The full application of a two-stage call: only an organisation shortlisted from its expression of
    interest may open it (any other is a 404); the form itself is the application's own edit page."""
    applications = Application.objects.select_related("call__cohort", "organisation")
    get_visible_or_404(applications, can_open_full_form, request.user, pk=pk)
    return application_edit(request, pk)


@login_required
def interview_choose(request, pk):
    """A shortlisted organisation's interview: the free slots to book, or the one it booked."""
    application = _get_own_application(request, pk)
    if not can_book_interview(request.user, application):
        raise Http404("No interview to book.")
    slot = InterviewSlot.objects.filter(application=application).select_related("host").first()
    slots = [] if slot else free_interview_slots(call=application.call, at=timezone.now())
    return render(request, "applications/interview.html", {"application": application, "slot": slot, "slots": slots})


@login_required
@require_POST
def interview_book(request, pk, slot_pk):
    application = _get_own_application(request, pk)
    slot = get_object_or_404(InterviewSlot, pk=slot_pk, call_id=application.call_id)
    try:
        services.interview_book(slot=slot, application=application, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("applications:interview", pk=application.pk)
    messages.success(request, "Your interview is booked. We have emailed you a calendar invitation.")
    return redirect(application)


@require_POST
def application_autosave(request, pk):
    """htmx: save the draft while the person types; answers with a one-line status."""
    if not request.user.is_authenticated:
        _stash(request, pk)
        return render(request, "applications/_autosave_status.html", {"signed_out": True, "pk": pk})
    context = {}
    try:
        # One locked read and one check of the draft, by the service, for the form and the save (issue #20).
        with services.draft_edit(pk=pk, user=request.user) as draft:
            context["application"] = draft.application
            form = ApplicationForm(request.POST, instance=draft.application, questions=draft.questions)
            if form.is_valid():
                draft.save(
                    answers=form.cleaned_data, themes=form.cleaned_data.get("themes"), extra=form.extra_answers()
                )
            else:
                context["errors"] = True
    except ValidationError as exc:
        context["message"] = " ".join(exc.messages)
    return render(request, "applications/_autosave_status.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk):
    application = _get_own_application(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(application=application, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your application has been withdrawn.")
            return redirect(application)
    return render(request, "applications/application_withdraw.html", {"application": application, "form": form})


# --- Reviewers -------------------------------------------------------------------------


@login_required
def review_list(request):
    return render(request, "applications/review_list.html", {"assignments": assignments_for_reviewer(request.user)})


def _get_own_assignment(request, pk) -> ReviewAssignment:
    # Not yours, or you declared a conflict: as if it did not exist.
    assignments = ReviewAssignment.objects.select_related("application__call", "application__organisation")
    return get_visible_or_404(assignments, can_review, request.user, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    assignment = _get_own_assignment(request, pk)
    application = assignment.application
    criteria = application.call.criteria.all()
    form = ReviewForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_submit(
                assignment=assignment,
                user=request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your review has been submitted.")
            return redirect("applications:review", pk=assignment.pk)
    others = []
    if assignment.submitted_at:
        # Other reviewers' scores only once your own review is in.
        others = (
            ReviewAssignment.objects.filter(application=application, submitted_at__isnull=False)
            .exclude(pk=assignment.pk)
            .select_related("reviewer")
            .prefetch_related("scores__criterion")
        )
    context = {
        "assignment": assignment,
        "application": application,
        "themes": application.themes.all(),
        "questions": _answered_questions(application),
        "form": form,
        "conflict_form": ConflictForm(),
        "own_scores": assignment.scores.select_related("criterion"),
        # The interview's notes are part of the review (never shown to the applicant).
        "interview": InterviewSlot.objects.filter(application=application).select_related("host").first(),
        "others": others,
    }
    return render(request, "applications/review.html", context)


@login_required
@require_POST
def review_conflict(request, pk):
    assignment = _get_own_assignment(request, pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.review_declare_conflict(assignment=assignment, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("applications:review", pk=assignment.pk)
        messages.success(request, "Conflict of interest recorded: you have been removed from this application.")
        return redirect("applications:review_list")
    messages.error(request, "Keep the note under 1,000 characters.")
    return redirect("applications:review", pk=assignment.pk)
