from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from applications import services
from applications.forms import ApplicationForm, StartApplicationForm
from applications.models import Application, OpenCall
from applications.permissions import can_view_application
from cohorts.selectors import organisations_for_user


def call_list(request):
    now = timezone.now()
    calls = (
        OpenCall.objects.select_related("cohort")
        .annotate(
            # Open calls first, then upcoming, then closed.
            state_order=Case(
                When(opens_at__lte=now, closes_at__gte=now, then=Value(0)),
                When(opens_at__gt=now, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("state_order", "closes_at")
    )
    return render(request, "applications/call_list.html", {"calls": calls, "now": now})


def call_detail(request, slug):
    call = get_object_or_404(OpenCall.objects.select_related("cohort"), slug=slug)
    return render(request, "applications/call_detail.html", {"call": call, "now": timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def application_start(request, slug):
    call = get_object_or_404(OpenCall, slug=slug)
    organisations = organisations_for_user(request.user)
    if not organisations.exists():
        messages.info(request, "First tell us about your organisation.")
        return redirect(f"{reverse('cohorts:organisation_create')}?next={request.path}")
    if not call.is_open():
        messages.error(request, "This call is not open for applications.")
        return redirect(call)
    form = StartApplicationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                call=call, organisation=form.cleaned_data["organisation"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("applications:edit", pk=application.pk)
    return render(request, "applications/application_start.html", {"call": call, "form": form})


def _get_own_application(request, pk) -> Application:
    application = get_object_or_404(Application.objects.select_related("call", "organisation"), pk=pk)
    # Another organisation's application is a 404: we do not confirm it exists.
    if not can_view_application(request.user, application):
        raise Http404
    return application


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
    application = _get_own_application(request, pk)
    return render(request, "applications/application_detail.html", {"application": application})


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    application = _get_own_application(request, pk)
    if not application.is_editable:
        return redirect(application)
    form = ApplicationForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            # Save first, so what was typed is kept even if submitting is refused.
            application = services.application_save_draft(
                application=application, user=request.user, answers=form.cleaned_data
            )
            if "submit_application" in request.POST:
                services.application_submit(application=application, user=request.user)
                messages.success(request, "Your application has been submitted. We have emailed you a copy.")
                return redirect(application)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, "Draft saved.")
            return redirect("applications:edit", pk=application.pk)
    return render(request, "applications/application_form.html", {"application": application, "form": form})
