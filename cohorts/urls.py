from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("cohorts/", views.cohort_list, name="list"),
]
