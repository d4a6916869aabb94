import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from integrations import services
from integrations.models import WebhookDelivery, WebhookEndpoint
from toolbox.admin_lists import LongChangelistMixin
from toolbox.admin_services import ServiceAdminMixin, apply_to_each


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "cohort",
            "name",
            "url",
            "on_thread_created",
            "on_event_created",
            "on_event_moved",
            "on_event_cancelled",
            "active",
        ]
        widgets = {"url": forms.URLInput(attrs={"class": "vURLField", "size": 80})}


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "cohort", "url", "active", "created_at"]
    list_filter = ["active", "cohort"]
    list_select_related = ["cohort"]
    search_fields = ["name", "url"]
    readonly_fields = ["signing_secret", "secret_rotated_at", "created_at"]
    actions = ["rotate_secrets"]
    fieldsets = [
        (None, {"fields": ["cohort", "name", "url", "active"]}),
        (
            "What it is sent",
            {"fields": ["on_thread_created", "on_event_created", "on_event_moved", "on_event_cancelled"]},
        ),
        ("Signing", {"fields": ["signing_secret", "secret_rotated_at", "created_at"]}),
    ]

    @admin.display(description="signing secret")
    def signing_secret(self, obj):
        if obj is None or obj.pk is None:
            return "Made when the endpoint is saved, then shown here."
        return format_html(
            "<code>{}</code><br>Give it to the receiver: it checks each message's X-CohortNet-Signature with it. "
            "To replace it, select this endpoint in the list and choose “Make a new signing secret”.",
            obj.secret,
        )

    def save_model(self, request, obj, form, change):
        services.webhook_endpoint_save(endpoint=obj, by=request.user)

    @admin.action(description="Make a new signing secret", permissions=["change"])
    def rotate_secrets(self, request, queryset):
        def rotate(*, webhookendpoint, by):
            return services.webhook_endpoint_secret_rotate(endpoint=webhookendpoint, by=by)

        apply_to_each(
            self,
            request,
            queryset,
            rotate,
            done="Made a new signing secret for {count} endpoint(s): give each receiver its new secret.",
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ServiceAdminMixin, LongChangelistMixin, admin.ModelAdmin):
    list_display = ["kind", "endpoint", "status", "attempts", "next_attempt_at", "created_at", "delivered_at"]
    list_filter = ["status", "kind", "endpoint__cohort", "endpoint"]
    list_select_related = ["endpoint", "endpoint__cohort"]
    search_fields = ["key", "uid", "endpoint__name"]
    date_hierarchy = "created_at"
    actions = ["retry_deliveries"]
    fields = [
        "endpoint",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "response_status",
        "uid",
        "key",
        "created_at",
        "delivered_at",
        "payload_json",
    ]
    readonly_fields = fields

    @admin.display(description="payload")
    def payload_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    def has_add_permission(self, request):
        # Deliveries are written when the news happens, never by hand.
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_deliveries(self, request, queryset):
        def retry(*, webhookdelivery, by):
            return services.webhook_delivery_retry(delivery=webhookdelivery, by=by)

        apply_to_each(
            self,
            request,
            queryset,
            retry,
            done="Queued {count} delivery(ies) to be posted again.",
            name=lambda delivery: f"Delivery {delivery.uid}",
        )
