from pathlib import Path

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from cohorts import services
from cohorts.forms import (
    ColleagueInviteForm,
    ContributionForm,
    OrganisationForm,
    PreferencesForm,
    ReplyForm,
    ResourceForm,
    ThreadForm,
)
from cohorts.models import (
    ColleagueInvite,
    Membership,
    Message,
    Organisation,
    Participant,
    Resource,
    Theme,
)
from cohorts.permissions import (
    can_act_for_organisation,
    can_contribute,
    can_reply,
    can_start_thread,
    is_organisation_lead,
)
from cohorts.selectors import archive_search as search_archive
from cohorts.selectors import (
    cohort_and_membership_or_404,
    cohort_visible_or_404,
    cohorts_for_user,
    searchable_cohorts,
)
from toolbox.signals import file_downloaded
from toolbox.visibility import get_visible_or_404


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = OrganisationForm(request.POST or None, initial={"name": request.GET.get("name", "")[:200]})
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{organisation.name} is set up, with you as its lead contact.")
            return redirect(next_url or organisation.get_absolute_url())
    return render(request, "cohorts/organisation_form.html", {"form": form, "next": next_url})


@login_required
def cohort_list(request):
    return render(request, "cohorts/cohort_list.html", {"cohorts": cohorts_for_user(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, pk):
    organisation = get_visible_or_404(Organisation, can_act_for_organisation, request.user, pk=pk)
    is_lead = is_organisation_lead(request.user, organisation)
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST":
        if not is_lead:
            raise Http404
        if form.is_valid():
            try:
                invite = services.colleague_invite(
                    organisation=organisation, email=form.cleaned_data["email"], by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Invitation sent to {invite.email}.")
                return redirect("cohorts:organisation_detail", pk=organisation.pk)
    context = {
        "organisation": organisation,
        "people": organisation.person_links.select_related("user").order_by("role", "user__email"),
        "open_invites": organisation.invites.filter(accepted_at__isnull=True),
        "is_lead": is_lead,
        "form": form,
    }
    return render(request, "cohorts/organisation_detail.html", context)


@login_required
@require_POST
def colleague_remove(request, pk, user_pk):
    organisation = get_visible_or_404(Organisation, can_act_for_organisation, request.user, pk=pk)
    person = get_object_or_404(get_user_model(), pk=user_pk)
    try:
        services.colleague_remove(organisation=organisation, user_to_remove=person, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # By name, never by address; someone who never gave a name is "Your colleague".
        messages.success(request, f"{person.name or 'Your colleague'} no longer acts for {organisation.name}.")
    return redirect("cohorts:organisation_detail", pk=organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invite_accept(request, token):
    invite = get_object_or_404(ColleagueInvite.objects.select_related("organisation", "invited_by"), token=token)
    error = None
    if request.method == "POST":
        try:
            services.colleague_accept(invite=invite, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You now act for {invite.organisation.name}.")
            return redirect("cohorts:organisation_detail", pk=invite.organisation_id)
    return render(request, "cohorts/invite_accept.html", {"invite": invite, "error": error})


# --- Member pages of a cohort ------------------------------------------------------------


@login_required
def directory(request, slug):
    cohort, _membership = cohort_and_membership_or_404(request.user, slug)  # one query for a participant
    memberships = (
        cohort.memberships.select_related("organisation")
        .prefetch_related(
            # Lists, not managers: a manager per row and per access cost more than the rows' own text.
            Prefetch("themes", to_attr="theme_list"),
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(show_contact_details=True).select_related("user"),
                to_attr="visible_participants",
            ),
        )
        .order_by("organisation__name")
    )
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    return render(request, "cohorts/directory.html", {"cohort": cohort, "memberships": page.object_list, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def message_list(request, slug):
    cohort = cohort_visible_or_404(request.user, slug)
    form = ThreadForm(request.POST or None)
    if request.method == "POST":
        if not can_start_thread(request.user, cohort):
            raise Http404
        if form.is_valid():
            message = services.message_post(
                cohort=cohort,
                author=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                theme=form.cleaned_data["theme"],
            )
            messages.success(request, "Your message has been posted and is being emailed to the cohort.")
            return redirect(message)
    threads = list(
        cohort.messages.threads()
        .select_related("author")
        .with_unread(request.user)
        .annotate(reply_count=Count("replies"))
        .order_by("-last_activity", "-pk")
    )
    _name_authors(cohort, threads)
    context = {
        "cohort": cohort,
        "threads": threads,
        "unread_count": sum(1 for t in threads if t.is_unread),
        "form": form,
        "can_post": can_start_thread(request.user, cohort),
        "themes": Theme.objects.all(),
    }
    return render(request, "cohorts/message_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thread(request, slug, pk):
    cohort = cohort_visible_or_404(request.user, slug)
    root = get_object_or_404(
        Message.objects.select_related("author", "theme"), pk=pk, cohort=cohort, parent__isnull=True
    )
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if not can_reply(request.user, cohort):
            raise Http404
        if form.is_valid():
            services.message_post(cohort=cohort, author=request.user, body=form.cleaned_data["body"], parent=root)
            messages.success(request, "Your reply has been posted.")
            return redirect(root)
    replies = list(root.replies.select_related("author").order_by("created_at", "pk"))
    _name_authors(cohort, [root, *replies])
    # Read up to the newest message on this page: a reply posted meanwhile stays unread.
    services.thread_mark_read(user=request.user, thread=root, seen_up_to=max(m.created_at for m in [root, *replies]))
    context = {
        "cohort": cohort,
        "root": root,
        "replies": replies,
        "form": form,
        "can_reply": can_reply(request.user, cohort),
    }
    return render(request, "cohorts/thread.html", context)


@login_required
def archive_search(request):
    """Search the mailing-list archives of the person's own cohorts (staff: every cohort), by theme too."""
    query = request.GET.get("q", "").strip()
    cohorts = searchable_cohorts(request.user).order_by("-starts_on", "name")
    theme = Theme.objects.filter(slug=request.GET.get("theme", "")).first()
    cohort = cohorts.filter(slug=request.GET.get("cohort", "")).first()
    hits = search_archive(request.user, query, theme=theme, cohort=cohort) if query else []
    context = {
        "query": query,
        "hits": hits,
        "themes": Theme.objects.all(),
        "current_theme": theme,
        "cohorts": cohorts,
        "current_cohort": cohort,
    }
    return render(request, "cohorts/archive_search.html", context)


@login_required
def theme(request, slug, theme_slug):
    """A theme's page in a cohort: its events, threads, resources and signed-off contributions. Members and staff."""
    cohort = cohort_visible_or_404(request.user, slug)
    theme = get_object_or_404(Theme, slug=theme_slug)
    threads = list(
        cohort.messages.threads()
        .filter(theme=theme)
        .select_related("author")
        .annotate(reply_count=Count("replies"))
        .order_by("-created_at")[:50]
    )
    _name_authors(cohort, threads)
    context = {
        "cohort": cohort,
        "theme": theme,
        # Events live in the events app, which cohorts never imports: read them through the theme's relation.
        "events": theme.events.filter(cohort=cohort).order_by("-starts_at")[:50],
        "threads": threads,
        "resources": cohort.resources.filter(themes=theme).select_related("cohort")[:50],
        "contributions": theme.contributions.filter(membership__cohort=cohort, signed_off_at__isnull=False)
        .select_related("membership__organisation")
        .order_by("membership__organisation__name"),
    }
    return render(request, "cohorts/theme.html", context)


def _name_authors(cohort, messages_) -> None:
    """Give each message ``author_organisation``, named beside its author: one query for the whole page."""
    organisations = Participant.objects.organisations_in(cohort, {m.author for m in messages_})
    for message in messages_:
        message.author_organisation = organisations.get(message.author_id)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request, slug):
    cohort = cohort_visible_or_404(request.user, slug)
    participant = Participant.objects.for_user(request.user, cohort).first()
    if participant is None:
        raise Http404  # staff who are not participants have nothing to set here
    form = PreferencesForm(
        request.POST or None,
        initial={
            "delivery": participant.delivery,
            "show_contact_details": participant.show_contact_details,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.participant_preferences_set(participant=participant, user=request.user, **form.cleaned_data)
        messages.success(request, "Your settings are saved.")
        return redirect("cohorts:preferences", slug=cohort.slug)
    return render(request, "cohorts/preferences.html", {"cohort": cohort, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def resource_list(request, slug):
    cohort = cohort_visible_or_404(request.user, slug)
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_reply(request.user, cohort):
            raise Http404
        if form.is_valid():
            try:
                services.resource_add(
                    cohort=cohort,
                    user=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    url=form.cleaned_data["url"],
                    upload=form.cleaned_data["file"],
                    themes=form.cleaned_data["themes"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Shared with the cohort.")
                return redirect("cohorts:resources", slug=cohort.slug)
    theme = request.GET.get("theme", "")
    resources = cohort.resources.select_related("added_by").prefetch_related("themes")
    if theme:
        resources = resources.filter(themes__slug=theme)
    context = {
        "cohort": cohort,
        "resources": resources,
        "form": form,
        "can_add": can_reply(request.user, cohort),
        "themes": Theme.objects.all(),
        "current_theme": theme,
    }
    return render(request, "cohorts/resource_list.html", context)


@login_required
def resource_file(request, slug, pk):
    """Serve a shared file to members only, as a download, never from a public URL."""
    cohort = cohort_visible_or_404(request.user, slug)
    resource = get_object_or_404(Resource, pk=pk, cohort=cohort)
    if not resource.file:
        raise Http404
    content_type = services.ALLOWED_EXTENSIONS.get(Path(resource.file.name).suffix.lower(), "application/octet-stream")
    response = FileResponse(
        resource.file.open("rb"),
        as_attachment=True,
        filename=resource.original_filename or Path(resource.file.name).name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    file_downloaded.send(sender=resource_file, request=request, what=f"resource {resource.pk} of {cohort.slug}")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def contributions(request, slug):
    """The member organisation's learnings per theme, for the published output."""
    cohort = cohort_visible_or_404(request.user, slug)
    membership = Membership.objects.for_participant(request.user, cohort).first()
    if membership is None:
        raise Http404
    themes = list(Theme.objects.all())
    existing = {c.theme_id: c for c in membership.contributions.all()}
    theme_id = request.POST.get("theme") or request.GET.get("theme")
    selected = next((t for t in themes if str(t.pk) == str(theme_id)), None)
    form = None
    if selected is not None:
        current = existing.get(selected.pk)
        form = ContributionForm(
            request.POST or None,
            initial={"learnings": current.learnings, "credit": current.credit} if current else {"credit": "named"},
        )
        if request.method == "POST":
            if "sign_off" in request.POST and current:
                services.contribution_sign_off(contribution=current, user=request.user)
                messages.success(request, f"Signed off: {selected.name}.")
                return redirect(f"{request.path}?theme={selected.pk}")
            if form.is_valid():
                services.contribution_save(
                    membership=membership, theme=selected, user=request.user, **form.cleaned_data
                )
                messages.success(request, "Saved. Sign it off when your organisation is happy to publish it.")
                return redirect(f"{request.path}?theme={selected.pk}")
    rows = [(theme, existing.get(theme.pk)) for theme in themes]
    context = {
        "cohort": cohort,
        "membership": membership,
        "rows": rows,
        "selected": selected,
        "current": existing.get(selected.pk) if selected else None,
        "form": form,
        "can_edit": can_contribute(request.user, membership),
    }
    return render(request, "cohorts/contributions.html", context)
