from django.urls import include, path

app_name = "outcomes"

# One URL module per capability; each names its routes without a namespace of its own.
urlpatterns = [
    path("", include("outcomes.urls_feedback")),
    path("", include("outcomes.urls_reports")),
    path("", include("outcomes.urls_publication")),
]
