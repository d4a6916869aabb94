from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("events/<int:pk>/event.ics", views.event_ics, name="ics"),
    path("events/<int:pk>/input/", views.written_input, name="written_input"),
    path("events/answer/<str:token>/", views.answer, name="answer"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("support/<int:pk>/", views.slot_detail, name="slot_detail"),
    path("support/<int:pk>/support.ics", views.slot_ics, name="slot_ics"),
    path("support/<int:pk>/book/", views.slot_book, name="slot_book"),
    path("support/<int:pk>/cancel/", views.slot_cancel, name="slot_cancel"),
]
