import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from applications.models import Application, OpenCall
from applications.selectors import assignments_for_reviewer
from applications.services import REVIEWER_GROUP
from cohortnet import opendata, opendata_selection
from cohortnet.participant_home import join_is_open, participant_home
from cohortnet.users.forms import ProfileForm
from cohorts.models import PROGRAMME_TEAM, Cohort, Message
from cohorts.selectors import (
    cohort_and_membership_or_404,
    cohorts_for_user,
    organisations_for_user,
)
from events.models import RSVP, SupportSlot
from events.permissions import can_book_slot
from events.selectors import events_for_cohort
from outcomes import publication_documents
from privacy import selectors as privacy_selectors
from privacy.forms import ConsentForm
from privacy.models import Consent
from toolbox.templatetags.zones import zoned

EVENTS_PER_PAGE = 25


def home(request):
    # for_cards() fetches each call's cohort and themes with the list, not once per card.
    open_calls = OpenCall.objects.open().for_cards().order_by("closes_at")
    next_call = OpenCall.objects.upcoming().order_by("opens_at").first()
    return render(request, "home.html", {"open_calls": open_calls, "next_call": next_call})


@login_required
def dashboard(request):
    """A person's home: for a participant, what is next in their cohorts; for everyone, their organisations."""
    organisations = organisations_for_user(request.user)
    # A reviewer's work comes first on their landing page: the reviews still to do, then the rest.
    is_reviewer = request.user.groups.filter(name=REVIEWER_GROUP).exists()
    context = {
        "reviews": assignments_for_reviewer(request.user) if is_reviewer else None,
        "organisations": organisations,
        "applications": Application.objects.filter(organisation__in=organisations)
        .select_related("call", "organisation")
        .order_by("-created_at"),
        # Every cohort, ended ones too: alumni still read their archive.
        "cohorts": cohorts_for_user(request.user),
        "home": participant_home(request.user, timezone.now()),
    }
    return render(request, "dashboard.html", context)


@never_cache
def healthz(request):
    """For load balancers and docker-compose: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def cohort_home(request, slug):
    """The cohort's home: its members and events. Composed here because it spans apps."""
    # One query finds the cohort, proves the visitor takes part and gives their membership (cohort_visible_or_404
    # for staff who take part for no organisation).
    cohort, membership = cohort_and_membership_or_404(request.user, slug, select_related=("organisation", "award"))
    # Upcoming events first, a page at a time: a cohort can hold thousands.
    show_past = request.GET.get("past") == "1"
    now = timezone.now()
    events_qs = events_for_cohort(cohort, answers_of=request.user)
    events_qs = (
        events_qs.filter(ends_at__lt=now).order_by("-starts_at") if show_past else events_qs.filter(ends_at__gte=now)
    )
    page = Paginator(events_qs, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    # The person's answers came with the events: what the rows and join_is_open read of an RSVP is its status.
    rsvps = {event.pk: RSVP(event=event, status=event.viewer_answer) for event in events if event.viewer_answer}
    slots = SupportSlot.objects.filter(cohort=cohort, starts_at__gte=now).select_related(
        "host", "booked_by__organisation"
    )
    cells = _event_cells(events)
    for event in events:
        event.cell, event.when = cells[event.pk]
    context = {
        "cohort": cohort,
        "rows": [(event, rsvps.get(event.pk)) for event in events],
        # The events whose join link is the row's button now: the person is going and it is near.
        "join_open": {event.pk for event in events if join_is_open(event, rsvps.get(event.pk), now)},
        "unread_count": Message.objects.unread_for(request.user, [cohort.pk]).count(),
        # A count and a link: the paged directory lists the members (a cohort can hold hundreds).
        "member_count": cohort.memberships.count(),
        "slots": slots,
        "membership": membership,
        # Who may book is the rule the booking service checks, not restated in the template.
        "can_book": can_book_slot(request.user, cohort, membership),
        "page": page,
        "show_past": show_past,
        "programme_team": PROGRAMME_TEAM,
    }
    return render(request, "cohorts/cohort_detail.html", context)


def _event_cells(events) -> dict:
    """``{event id: (first cell's HTML, the time in the event's zone)}``: what every viewer sees alike in a row.

    Cached for the page of events under each event's ``updated_at`` (every save of an event moves it) and its
    theme's name and colour, all read by the events query itself: one cache read per page, and an edited event
    or theme is a new key, never a stale cell. The viewer's own parts (their answer, "your time") stay out.
    """
    if not events:
        return {}
    versions = [
        (e.pk, e.updated_at.isoformat(), e.theme_id, e.theme.name if e.theme else "", e.theme.colour if e.theme else "")
        for e in events
    ]
    digest = hashlib.sha256(repr(versions).encode()).hexdigest()
    # A changed _event_cell.html is a new release, whose cache keys carry their own prefix (cohortnet/release.py).
    key = f"cohort_home_cells:{digest}"
    cells = cache.get(key)
    if cells is None:
        template = get_template("cohorts/_event_cell.html")
        cells = {e.pk: (str(template.render({"event": e})), zoned(e.starts_at, e.time_zone)) for e in events}
        cache.set(key, cells, CELLS_SECONDS)
    return {pk: (mark_safe(cell), when) for pk, (cell, when) in cells.items()}  # noqa: S308 -- our template's output


#: How long a page of event cells stays cached when nobody asks for it (edits make new keys at once).
CELLS_SECONDS = 24 * 60 * 60


def open_data(request):
    """The public list of the programme's open data files."""
    cohorts = Cohort.objects.exclude(status=Cohort.Status.PLANNED).order_by("-starts_on")
    rows = []
    for cohort in cohorts:
        for name, build in opendata.DATASETS.items():
            dataset = build(cohort)
            rows.append((cohort, name, dataset))
    context = {"rows": rows, "licence": opendata.LICENCE, "licence_url": opendata.LICENCE_URL}
    context["publications"] = publication_documents.open_data_rows()
    context["selection"] = opendata_selection.selection()
    return render(request, "open_data.html", context)


def open_data_selection(request, fmt):
    """Every call's numbers at each stage of selection, as CSV or JSON."""
    if fmt not in ("json", "csv"):
        raise Http404
    return opendata_selection.selection_response(fmt)


def open_data_file(request, slug, dataset, fmt):
    cohort = get_object_or_404(Cohort.objects.exclude(status=Cohort.Status.PLANNED), slug=slug)
    if (dataset, fmt) == ("datapackage", "json"):
        return opendata.datapackage_response(cohort)
    build = opendata.DATASETS.get(dataset)
    if build is None or fmt not in ("json", "csv"):
        raise Http404
    return opendata.as_response(cohort, build(cohort), fmt)


@login_required
def profile(request):
    """A person's name and time zone, their choices about their data (saved by ``privacy:choices``) and their data."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        # Saving the profile is choosing a time zone: the browser's zone is not offered again.
        form.instance.time_zone_confirmed_at = timezone.now()
        form.save()  # no rule beyond the form's own: a plain save is the service here
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    history = privacy_selectors.consent_history(request.user)
    current = privacy_selectors.consents_current(request.user, history)
    context = {
        "form": form,
        "export_days": settings.DATA_EXPORT_DAYS,
        "consent_form": ConsentForm(current=current, in_effect=privacy_selectors.consents_in_effect(request.user)),
        "consents": [(Consent.Purpose(purpose).label, row) for purpose, row in current.items()],
        "consent_history": history,
    }
    return render(request, "profile.html", context)
