from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("cohorts/<slug:slug>/chat/", views.room_list, name="rooms"),
    path("cohorts/<slug:slug>/chat/general/", views.room, name="general_room"),
    path("cohorts/<slug:slug>/chat/themes/<slug:theme>/", views.room, name="theme_room"),
    path("chat/messages/<int:pk>/", views.room_message, name="room_message"),
    path("chat/messages/<int:pk>/edit/", views.message_edit, name="message_edit"),
    path("chat/messages/<int:pk>/delete/", views.message_delete, name="message_delete"),
]
