from django.urls import path

from outcomes import publication_views as views

# /outputs/<slug>/ was cohorts' address for the published output; it stays the public address.
urlpatterns = [
    path("outputs/<slug:slug>/", views.publication, name="publication"),
    path("outputs/<slug:slug>/versions/<int:number>/", views.publication_version, name="publication_version"),
    path("outputs/<slug:slug>/versions/<int:number>/pdf/", views.publication_pdf, name="publication_pdf"),
    path("outputs/<slug:slug>/versions/<int:number>/CITATION.cff", views.publication_cff, name="publication_cff"),
    path("outputs/<slug:slug>/versions/<int:number>/citation.bib", views.publication_bib, name="publication_bib"),
    path("outputs/<slug:slug>/edit/", views.publication_edit, name="publication_edit"),
    path("outputs/<slug:slug>/preview/", views.publication_preview, name="publication_preview"),
    path("outputs/<slug:slug>/publish/", views.publication_publish, name="publication_publish"),
    path("outputs/<slug:slug>/ask/", views.publication_ask, name="publication_ask"),
    path("outputs/<slug:slug>/review/", views.publication_review, name="publication_review"),
]
