"""The admin site as staff use it: a home page of what needs someone today, and lists by stage.

Django lists the admin's models by app, alphabetically. Staff think in the stages of a
programme instead (a call opens, applications are reviewed, a cohort meets, awards are
paid), so the index and the sidebar group the same models by stage, in that order.
Installed as ``cohortnet.admin_site.CohortNetAdminConfig`` in place of
``django.contrib.admin``; ``admin.site`` is then this site, so every app's
``admin.register`` and the MFA-gated login in ``cohortnet/urls.py`` apply to it unchanged.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig

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
