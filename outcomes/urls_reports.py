from django.urls import path

from outcomes import views_reports

urlpatterns = [
    path("reports/", views_reports.report_list, name="reports"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report"),
]
