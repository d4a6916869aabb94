from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/people/<int:user_pk>/remove/", views.colleague_remove, name="colleague_remove"),
    path("organisations/join/<str:token>/", views.invite_accept, name="invite_accept"),
    path("cohorts/", views.cohort_list, name="list"),
]
