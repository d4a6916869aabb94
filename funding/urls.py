from django.urls import path

from funding import views

app_name = "funding"

urlpatterns = [
    path("funding/awards/<int:pk>/", views.award_detail, name="award"),
    path("funding/awards/<int:pk>/agreement/", views.agreement_file, name="agreement_file"),
    path("funding/instalments/<int:pk>/invoice/", views.invoice_file, name="invoice_file"),
    path("funding/cohorts/<slug:slug>/", views.dashboard, name="dashboard"),
    path("funding/cohorts/<slug:slug>/instalments.csv", views.export_instalments, name="export_instalments"),
    path("funding/cohorts/<slug:slug>/history.csv", views.export_history, name="export_history"),
]
