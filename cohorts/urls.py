from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/people/<int:user_pk>/remove/", views.colleague_remove, name="colleague_remove"),
    path("organisations/join/<str:token>/", views.invite_accept, name="invite_accept"),
    path("cohorts/", views.cohort_list, name="list"),
    path("cohorts/<slug:slug>/members/", views.directory, name="directory"),
    path("cohorts/<slug:slug>/messages/", views.message_list, name="messages"),
    path("cohorts/<slug:slug>/messages/<int:pk>/", views.thread, name="thread"),
    path("messages/search/", views.archive_search, name="archive_search"),
    path("cohorts/<slug:slug>/themes/<slug:theme_slug>/", views.theme, name="theme"),
    path("cohorts/<slug:slug>/settings/", views.preferences, name="preferences"),
    path("cohorts/<slug:slug>/resources/", views.resource_list, name="resources"),
    path("cohorts/<slug:slug>/resources/<int:pk>/file/", views.resource_file, name="resource_file"),
    path("cohorts/<slug:slug>/output/", views.contributions, name="contributions"),
]
