from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("choices/", views.choices, name="choices"),
    path("export/", views.export_request, name="export_request"),
    # A token is URL-safe base64 (letters, digits, - and _): anything else is no address here, not a redirect.
    path("export/<slug:token>/", views.export_download, name="export_download"),
]
