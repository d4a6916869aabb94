from django.urls import path

from outcomes import feedback_views

urlpatterns: list = [
    path("feedback/<int:pk>/", feedback_views.feedback_answer, name="feedback_answer"),
    path("feedback/<int:pk>/results/", feedback_views.feedback_results, name="feedback_results"),
    path("feedback/<int:pk>/results.csv", feedback_views.feedback_results_csv, name="feedback_results_csv"),
]
