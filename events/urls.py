from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
]
