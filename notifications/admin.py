from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.clickjacking import xframe_options_sameorigin

from notifications import services
from notifications.models import Email, ReminderOptOut, ReminderRule
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import ServiceAdminMixin, apply_to_each

#: The policy of the HTML part shown in the preview's frame: the email's own markup, and nothing it could run or
#: fetch. ``sandbox`` gives the document an opaque origin with scripts, forms and pop-ups off, whatever the
#: iframe says; only this site's admin may frame it. No inline style is allowed either, as on every other page:
#: the preview shows the email's words and links as sent, without its decorative inline styles.
HTML_PART_POLICY = (
    "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)


class EmailForm(forms.ModelForm):
    def clean_subject(self):
        # A line break would make the header unsendable: every attempt would fail after the save.
        subject = self.cleaned_data["subject"]
        if "\r" in subject or "\n" in subject:
            raise forms.ValidationError("A subject is one line: remove the line break.")
        return subject


def _with_names(emails: list[Email]) -> list[tuple[Email, str]]:
    """Each email with its recipient's name ("" when no account has one), in one query."""
    users = get_user_model().objects.filter(email__in={email.to_email for email in emails})
    names = {user.email.lower(): user.get_full_name() for user in users}
    named = []
    for email in emails:
        name = names.get(email.to_email.lower(), "")
        named.append((email, "" if name.lower() == email.to_email.lower() else name))
    return named


def _recipient_name(email: Email) -> str:
    """The name of the person an email goes to, when they have an account with a name ("" otherwise)."""
    user = get_user_model().objects.filter(email__iexact=email.to_email).first()
    if user is None:
        return ""
    name = user.get_full_name()
    return "" if name == user.email else name


@admin.register(Email)
class EmailAdmin(ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    form = EmailForm
    change_form_template = "admin/notifications/email/change_form.html"
    # "Name <email>" beside the subject, both wrapping; attempts and the creation date are on the email's page.
    # The kind and the time sent wrap too: once emails have been sent, "application_submitted" and Django's
    # one-line "Nov. 26, 2026, 11:47 p.m." pushed the list past a 1280 px screen.
    list_display = ["subject", "recipient", "kind_words", "status", "sent"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject", "key"]
    date_hierarchy = "created_at"
    actions = ["release_emails", "resend_emails"]
    editable_fields = ["subject", "body_text"]
    detail_fields = [
        "to_email",
        "kind",
        "batch",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "released_by",
        "key",
    ]
    fieldsets = [
        (None, {"fields": editable_fields}),
        ("Details", {"classes": ["collapse"], "fields": detail_fields}),
    ]

    def get_queryset(self, request):
        # The recipient's name in the same query as the list (emails keep an address, not a person).
        name = get_user_model().objects.filter(email__iexact=OuterRef("to_email")).values("name")[:1]
        return super().get_queryset(request).annotate(recipient_name=Subquery(name))

    @admin.display(description="to", ordering="to_email")
    def recipient(self, obj):
        name = getattr(obj, "recipient_name", "")
        return f"{name} <{obj.to_email}>" if name else obj.to_email

    @admin.display(description="kind", ordering="kind")
    def kind_words(self, obj):
        return obj.kind.replace("_", " ")

    @admin.display(description="sent at", ordering="sent_at")
    def sent(self, obj):
        if obj.sent_at is None:
            return "-"
        local = timezone.localtime(obj.sent_at)
        return f"{date_format(local, 'j M Y')}, {local:%H:%M} {local.tzname()}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Only a held email may be edited, and only its subject and text (the HTML part is made from the text).
        if obj and obj.status == Email.Status.HELD:
            return self.detail_fields
        return [*self.editable_fields, *self.detail_fields]

    def save_model(self, request, obj, form, change):
        # A row that is no longer held has no inputs: the service refuses it, with its reason, on the form.
        data = form.cleaned_data
        services.email_revise(
            email=obj,
            subject=data.get("subject", obj.subject),
            body_text=data.get("body_text", obj.body_text),
            by=request.user,
        )

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/html-part/", wrap(self.html_part_view), name=f"{name}_html_part"),
            path("<path:object_id>/send/", wrap(self.send_view), name=f"{name}_send"),
            path("<path:object_id>/send-batch/", wrap(self.send_batch_view), name=f"{name}_send_batch"),
            *super().get_urls(),
        ]

    def _email_or_404(self, request, object_id, permission) -> Email:
        email = self.get_object(request, object_id)
        if email is None:
            raise Http404("No such email.")
        if not permission(request, email):
            raise PermissionDenied
        return email

    def change_view(self, request, object_id, form_url="", extra_context=None):
        email = self.get_object(request, object_id)
        if email is not None:
            held = email.status == Email.Status.HELD
            extra_context = {
                **(extra_context or {}),
                "preview": email,
                "recipient_name": _recipient_name(email),
                "from_email": settings.DEFAULT_FROM_EMAIL,
                "held_in_batch": Email.objects.filter(batch=email.batch, status=Email.Status.HELD).count()
                if held and email.batch
                else 0,
                "can_send": held and self.has_change_permission(request, email),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @xframe_options_sameorigin
    def html_part_view(self, request, object_id):
        """The HTML part alone, for the preview's frame, under ``HTML_PART_POLICY``."""
        email = self._email_or_404(request, object_id, self.has_view_permission)
        response = HttpResponse(email.body_html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = HTML_PART_POLICY
        response["Cache-Control"] = "no-store"
        return response

    def send_view(self, request, object_id):
        """Confirm, then send one held email."""
        email = self._email_or_404(request, object_id, self.has_change_permission)
        return self._confirm_send(request, [email], back=email, title="Send this email?")

    def send_batch_view(self, request, object_id):
        """Confirm, then send every email held in this email's batch (the decisions of one call)."""
        email = self._email_or_404(request, object_id, self.has_change_permission)
        if not email.batch:
            self.message_user(request, "This email belongs to no batch: send it on its own.", messages.ERROR)
            return HttpResponseRedirect(self._change_url(email))
        held = Email.objects.filter(batch=email.batch, status=Email.Status.HELD).order_by("created_at", "pk")
        if request.method == "POST":
            # Send exactly the emails the confirmation listed: one held since is not sent unseen.
            shown = {value for value in request.POST.getlist("email") if value.isdigit() and len(value) < 19}
            held = held.filter(pk__in=[int(value) for value in shown])
        return self._confirm_send(
            request, list(held), back=email, title=f"Send all held emails for {email.batch}?", batch=email.batch
        )

    def _change_url(self, email: Email) -> str:
        return reverse(f"{self.admin_site.name}:notifications_email_change", args=[email.pk])

    def _confirm_send(self, request, emails: list[Email], *, back: Email, title: str, batch: str = ""):
        if request.method == "POST":
            apply_to_each(
                self,
                request,
                emails,
                services.email_release,
                done="Sent {count} email(s): they are queued and go out within a minute.",
                name=lambda email: f"{email.subject} → {email.to_email}",
            )
            if not emails:
                self.message_user(request, "No held emails were left to send.", messages.WARNING)
            return HttpResponseRedirect(self._change_url(back))
        refused = [email for email in emails if email.status != Email.Status.HELD]
        for email in refused:
            self.message_user(
                request,
                f"Only held emails can be sent; this one is {email.get_status_display().lower()}.",
                messages.ERROR,
            )
        if refused or not emails:
            return HttpResponseRedirect(self._change_url(back))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "emails": _with_names(emails),
            "count": len(emails),
            "batch": batch,
            "back": back,
            "back_url": self._change_url(back),
        }
        return TemplateResponse(request, "admin/notifications/email/confirm_send.html", context)

    @admin.action(description="Send the selected held emails", permissions=["change"])
    def release_emails(self, request, queryset):
        """First a confirmation page stating the count, then each through ``email_release``."""
        if request.POST.get("confirmed") == "yes":
            apply_to_each(self, request, queryset, services.email_release, done="Released {count} email(s).")
            return None
        emails = list(queryset.order_by("created_at", "pk"))
        refused = [email for email in emails if email.status != Email.Status.HELD]
        for email in refused:
            self.message_user(
                request,
                f"{email.subject} → {email.to_email}: only held emails can be sent; "
                f"this one is {email.get_status_display().lower()}.",
                messages.ERROR,
            )
        if refused:
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Send the selected emails?",
            "emails": _with_names(emails),
            "count": len(emails),
            "action": "release_emails",
            "back_url": reverse(f"{self.admin_site.name}:notifications_email_changelist"),
        }
        return TemplateResponse(request, "admin/notifications/email/confirm_send.html", context)

    @admin.action(description="Resend the selected failed emails", permissions=["change"])
    def resend_emails(self, request, queryset):
        apply_to_each(self, request, queryset, services.email_resend, done="Queued again {count} email(s).")


@admin.register(ReminderRule)
class ReminderRuleAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "offset", "active"]
    list_filter = ["kind", "active"]
    list_editable = ["active"]


@admin.register(ReminderOptOut)
class ReminderOptOutAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
