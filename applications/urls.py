from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/<slug:slug>/", views.call_detail, name="call_detail"),
    path("calls/<slug:slug>/apply/", views.application_start, name="start"),
    path("applications/", views.application_list, name="list"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="edit"),
]
