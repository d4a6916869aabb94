from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("choices/", views.choices, name="choices"),
    path("export/", views.export_request, name="export_request"),
    path("export/<str:token>/", views.export_download, name="export_download"),
]
