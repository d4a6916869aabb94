"""The admin site as staff use it: a home page of what needs someone today, and lists by stage.

Django lists the admin's models by app, alphabetically. Staff think in the stages of a
programme instead (a call opens, applications are reviewed, a cohort meets, awards are
paid), so the index and the sidebar group the same models by stage, in that order.
Installed as ``cohortnet.admin_site.CohortNetAdminConfig`` in place of
``django.contrib.admin``; ``admin.site`` is then this site, so every app's
``admin.register`` and the MFA-gated login in ``cohortnet/urls.py`` apply to it unchanged.
"""

import hashlib

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import get_language

#: (stage, the models listed under it in this order, as "app_label.model_name").
STAGES = [
    (
        "Open call",
        [
            "applications.opencall",
            "applications.invitation",
            "applications.interviewslot",
            "applications.feedbacktemplate",
        ],
    ),
    ("Review", ["applications.application", "applications.reviewassignment"]),
    (
        "Cohort",
        [
            "cohorts.cohort",
            "cohorts.organisation",
            "cohorts.membership",
            "cohorts.participant",
            "cohorts.theme",
            "cohorts.message",
            "cohorts.resource",
            "cohorts.contribution",
            "outcomes.publication",
            "outcomes.publicationcredit",
        ],
    ),
    ("Events", ["events.event", "events.rsvp", "events.supportslot"]),
    ("Funding", ["funding.award", "funding.instalment", "funding.timeentry"]),
    ("Outcomes", ["outcomes.feedbackform"]),
    ("Reports", ["outcomes.reportround", "outcomes.report"]),
    ("Email", ["notifications.email", "notifications.reminderrule", "notifications.reminderoptout"]),
    ("Integrations", ["integrations.webhookendpoint", "integrations.webhookdelivery"]),
    ("People and accounts", ["users.user", "auth.group", "account.emailaddress", "mfa.authenticator"]),
    (
        "Personal data",
        [
            "privacy.privacynotice",
            "privacy.consent",
            "privacy.accessrecord",
            "privacy.dataexport",
            "privacy.retentionrun",
        ],
    ),
]
#: Where a model no stage names is listed, so that nothing registered disappears from the navigation.
OTHER = "Other"


def _slug(name: str) -> str:
    return "stage-" + name.lower().replace(" ", "-")


def apps_digest(app_list) -> str:
    """A digest of everything ``admin/app_list.html`` draws from ``app_list``, and the language it draws it in.

    The sidebar on every admin page and the lists on the home are cached fragments keyed on it and on the
    page's path (which marks the current list): profiled at L, drawing the sidebar's ~45 models was a quarter
    of an admin changelist's time. The app list is worked out from the viewer's permissions on every request,
    so a change of permissions, or another viewer with other permissions, is another key.
    """
    parts = [get_language() or ""]
    for app in app_list:
        parts.append(f"{app['app_label']}|{app['name']}|{app['app_url']}")
        parts.extend(
            f"{m['object_name']}|{m['name']}|{m.get('admin_url')}|{m.get('add_url')}|{m.get('view_only')}"
            for m in app["models"]
        )
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


class CohortNetAdminSite(AdminSite):
    site_header = "CohortNet administration"
    site_title = "CohortNet"

    def get_app_list(self, request, app_label=None):
        """Every model the user may see, grouped by stage in ``STAGES`` order; an app's own page is Django's."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        # Asked twice on every admin page (the sidebar's each_context, and the index again): worked out once per
        # request. Profiled at L, its permission checks and two reverse() per model were a fifth of the staff home.
        cached = getattr(request, "_cohortnet_app_list", None)
        if cached is not None:
            return cached
        request._cohortnet_app_list = self._stages(request)
        return request._cohortnet_app_list

    def _stages(self, request):
        models = {}
        for app in self._build_app_dict(request).values():
            for model in app["models"]:
                models[f"{app['app_label']}.{model['object_name'].lower()}"] = model
        stages = []
        for name, labels in [*STAGES, (OTHER, sorted(set(models) - {label for _n, ls in STAGES for label in ls}))]:
            listed = [models.pop(label) for label in labels if label in models]
            if listed:
                stages.append(
                    {
                        "name": name,
                        "app_label": _slug(name),
                        # The stage's caption opens its first list.
                        "app_url": listed[0]["admin_url"] or "",
                        "has_module_perms": True,
                        "models": listed,
                    }
                )
        return stages

    def each_context(self, request):
        context = super().each_context(request)
        context["apps_digest"] = apps_digest(context["available_apps"])
        return context

    def index(self, request, extra_context=None):
        # Imported here: the admin app is loaded before the apps whose models the home counts.
        from cohortnet.staff_home import staff_home

        return super().index(request, {"staff_home": staff_home(request.user), **(extra_context or {})})


class CohortNetAdminConfig(AdminConfig):
    default_site = "cohortnet.admin_site.CohortNetAdminSite"

    def ready(self):
        super().ready()
        # After every app's admin module: the review list the staff home links to, unless an app registered one.
        from django.contrib import admin

        from cohortnet.review_list import register

        register(admin.site)
