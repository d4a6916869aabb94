"""A person's own settings that are not the profile form (e.g. saving the browser's time zone)."""

from django.urls import path

from cohortnet.users import views

app_name = "users"

urlpatterns = [
    path("time-zone/", views.time_zone_choose, name="time_zone"),
]
