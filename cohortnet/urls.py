from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from cohortnet import views

# Staff sign in through allauth, so the admin gets the same verification and MFA.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "CohortNet administration"
admin.site.site_title = "CohortNet"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("healthz/", views.healthz, name="healthz"),
    path("cohorts/<slug:slug>/", views.cohort_home, name="cohort_home"),
    path("data/", views.open_data, name="open_data"),
    path("data/selection.<str:fmt>", views.open_data_selection, name="open_data_selection"),
    path("data/<slug:slug>/<str:dataset>.<str:fmt>", views.open_data_file, name="open_data_file"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("cohortnet.users.urls")),
    path("privacy/", include("privacy.urls")),
    path("admin/", admin.site.urls),
    path("", include("applications.urls")),
    path("", include("cohorts.urls")),
    path("", include("events.urls")),
    path("", include("funding.urls")),
    path("", include("notifications.urls")),
    path("", include("chat.urls")),
    path("", include("outcomes.urls")),
]
