from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("reminders/", views.preferences, name="preferences"),
    path("reminders/stop/<str:token>/", views.opt_out, name="opt_out"),
]
