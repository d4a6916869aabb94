from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("reminders/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # The address in reminders already sent; the same tokens, the same page.
    path("reminders/stop/<str:token>/", views.unsubscribe, name="opt_out"),
]
