from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/<slug:slug>/", views.call_detail, name="call_detail"),
    path("calls/<slug:slug>/apply/", views.application_start, name="start"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("applications/", views.application_list, name="list"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="edit"),
    path("applications/<int:pk>/full/", views.application_full, name="full"),
    path("applications/<int:pk>/interview/", views.interview_choose, name="interview"),
    path("applications/<int:pk>/interview/<int:slot_pk>/book/", views.interview_book, name="interview_book"),
    path("applications/<int:pk>/autosave/", views.application_autosave, name="autosave"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/conflict/", views.review_conflict, name="review_conflict"),
]
