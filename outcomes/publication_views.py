"""Pages of the publication: the public versions and their files, the staff editor, and the members' review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.models import Contribution, Theme
from events.models import Event, WrittenInput
from outcomes import publication_documents as documents
from outcomes import publication_services as services
from outcomes.models.publication import Publication, PublicationCredit, PublicationSignOff, PublicationVersion
from outcomes.publication_forms import CreditForm, SectionForm
from toolbox.timezones import viewer_zone


def _version_or_404(slug: str, number: int | None = None) -> PublicationVersion:
    """A published version (the latest when ``number`` is None); a draft never published is a 404."""
    versions = PublicationVersion.objects.select_related("publication__cohort").filter(publication__slug=slug)
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def _render_version(request, version: PublicationVersion, *, preview: bool = False):
    others = list(
        PublicationVersion.objects.filter(publication_id=version.publication_id)
        .only("number", "published_at", "publication_id")
        .order_by("-number")
    )
    context = {
        "version": version,
        "publication": version.publication,
        "versions": others,
        "latest": others[0] if others else None,
        "preview": preview,
        # Times in the viewer's zone (their choice, else their browser's), UTC when neither is known.
        "zone": viewer_zone(request) or "UTC",
        "contributors": documents.contributor_rows(version),
    }
    if not preview:
        context["json_ld"] = documents.json_ld(version)
        context["citation"] = documents.citation_text(version)
    return render(request, "outcomes/publication/public.html", context)


def publication(request, slug):
    """The latest version of a publication, with its earlier versions listed: public."""
    return _render_version(request, _version_or_404(slug))


def publication_version(request, slug, number):
    return _render_version(request, _version_or_404(slug, number))


def _download(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def publication_pdf(request, slug, number):
    version = _version_or_404(slug, number)
    response = HttpResponse(documents.version_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.file_stem(version)}.pdf"'
    return response


def publication_cff(request, slug, number):
    version = _version_or_404(slug, number)
    return _download(documents.citation_cff(version), content_type="text/plain; charset=utf-8", filename="CITATION.cff")


def publication_bib(request, slug, number):
    version = _version_or_404(slug, number)
    return _download(
        documents.citation_bibtex(version),
        content_type="application/x-bibtex; charset=utf-8",
        filename=f"{documents.file_stem(version)}.bib",
    )


def _draft_version(publication: Publication) -> PublicationVersion:
    """The draft dressed as the version publishing would make now (unsaved), for the preview."""
    last = publication.versions.order_by("-number").first()
    return PublicationVersion(
        publication=publication,
        number=(last.number + 1) if last else 1,
        title=publication.title,
        introduction=publication.introduction,
        sections=services.draft_sections(publication),
        contributors=services.contributor_list(publication),
        licence=publication.licence,
        published_at=publication.updated_at,
    )


def _sign_off_rows(publication: Publication) -> list[dict]:
    digest = services.publication_digest(publication)
    sign_offs = {s.organisation_id: s for s in PublicationSignOff.objects.filter(publication=publication)}
    rows = []
    for org in services.contributing_organisations(publication):
        sign_off = sign_offs.get(org.pk)
        state = "missing" if sign_off is None else ("current" if sign_off.digest == digest else "stale")
        rows.append({"organisation": org, "sign_off": sign_off, "state": state})
    return rows


def _editable_or_404(request, slug) -> Publication:
    if not services.can_edit_publication(request.user):
        raise Http404
    return get_object_or_404(Publication.objects.select_related("cohort"), slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def publication_edit(request, slug):
    """Staff write the synthesis theme by theme, with the contributions, roundtable notes and written inputs beside."""
    publication = _editable_or_404(request, slug)
    themes = list(Theme.objects.order_by("position", "name"))
    sections = {s.theme_id: s for s in publication.sections.all()}
    theme_id = request.POST.get("theme") or request.GET.get("theme")
    selected = next((t for t in themes if str(t.pk) == str(theme_id)), None)
    form = None
    sources = {}
    if request.method == "POST" and selected is None:
        # An unknown theme: nothing is saved, and the text comes back with a theme to choose.
        form = SectionForm(request.POST)
        form.is_valid()
        form.add_error(None, "Choose which theme this synthesis is for; nothing was saved yet.")
    elif selected is not None:
        current = sections.get(selected.pk)
        form = SectionForm(request.POST or None, initial={"text": current.text if current else ""})
        if request.method == "POST" and form.is_valid():
            services.publication_section_save(
                publication=publication, theme=selected, text=form.cleaned_data["text"], by=request.user
            )
            messages.success(request, f"Saved the synthesis for {selected.name}. Lead contacts now sign off again.")
            return redirect(f"{request.path}?theme={selected.pk}")
        events = list(Event.objects.filter(cohort=publication.cohort, theme=selected).order_by("starts_at"))
        sources = {
            "contributions": Contribution.objects.filter(membership__cohort=publication.cohort, theme=selected)
            .select_related("membership__organisation")
            .order_by("membership__organisation__name"),
            "events": [e for e in events if e.notes.strip()],
            "inputs": WrittenInput.objects.filter(event__in=events).select_related("event", "author"),
        }
    context = {
        "publication": publication,
        "rows": [(theme, sections.get(theme.pk)) for theme in themes],
        "selected": selected,
        "form": form,
        "sources": sources,
        "sign_offs": _sign_off_rows(publication),
        "versions": publication.versions.order_by("-number"),
    }
    return render(request, "outcomes/publication/edit.html", context)


@login_required
def publication_preview(request, slug):
    """The draft as it would be published now: staff, and the people asked to sign it off or to choose a credit."""
    publication = get_object_or_404(Publication.objects.select_related("cohort"), slug=slug)
    user = request.user
    if not (
        services.can_edit_publication(user)
        or services.credit_organisation(publication, user)
        or services.lead_organisations(publication, user)
    ):
        raise Http404
    return _render_version(request, _draft_version(publication), preview=True)


@login_required
@require_POST
def publication_publish(request, slug):
    publication = _editable_or_404(request, slug)
    try:
        version = services.publication_publish(publication=publication, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("outcomes:publication_edit", slug=slug)
    messages.success(request, f"Published version {version.number}.")
    return redirect(version.get_absolute_url())


@login_required
@require_POST
def publication_ask(request, slug):
    """Staff email every person of the contributing organisations a link to review the current text."""
    publication = _editable_or_404(request, slug)
    count = services.publication_review_request(publication=publication, by=request.user)
    if count:
        messages.success(request, f"Asked {count} people to review the current text.")
    else:
        messages.info(request, "Everyone has already been asked about the current text.")
    return redirect("outcomes:publication_edit", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def publication_review(request, slug):
    """A contributing organisation's people choose their credit; its lead contact signs off the draft.

    A lead contact who does not take part in the cohort signs off here too (without a credit to choose).
    The sign-off form carries the digest of the text as this page showed it: a sign-off is of what was read.
    """
    publication = get_object_or_404(Publication.objects.select_related("cohort"), slug=slug)
    organisation = services.credit_organisation(publication, request.user)
    leads = services.lead_organisations(publication, request.user)
    if organisation is None and not leads:
        raise Http404
    credit = PublicationCredit.objects.filter(publication=publication, user=request.user).first()
    posted = request.method == "POST" and "sign_off" not in request.POST
    if posted and organisation is None:
        raise Http404
    form = CreditForm(request.POST if posted else None, initial={"choice": credit.choice if credit else None})
    sign_off_error = None
    if request.method == "POST":
        if not posted:
            org = next((o for o in leads if str(o.pk) == request.POST["sign_off"]), None)
            if org is None:
                raise Http404
            try:
                services.publication_sign_off(
                    publication=publication, organisation=org, user=request.user, digest=request.POST.get("digest", "")
                )
            except ValidationError as exc:
                sign_off_error = " ".join(exc.messages)
            else:
                messages.success(request, f"Signed off the current text for {org.name}.")
                return redirect(request.path)
        elif form.is_valid():
            services.publication_credit_set(publication=publication, user=request.user, **form.cleaned_data)
            messages.success(request, "Saved how the publication credits you.")
            return redirect(request.path)
    rows = [row for row in _sign_off_rows(publication) if row["organisation"] in leads]
    context = {
        "publication": publication,
        "organisation": organisation,
        "form": form,
        "credit": credit,
        "lead_rows": rows,
        "digest": services.publication_digest(publication),
        "draft_sections": services.draft_sections(publication) if rows else [],
        "sign_off_error": sign_off_error,
    }
    return render(request, "outcomes/publication/review.html", context)
