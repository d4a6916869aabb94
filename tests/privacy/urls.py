"""The site's URLs with the privacy pages mounted, as cohortnet/urls.py will mount them (see docs/OPERATIONS.md)."""

from django.urls import include, path

from cohortnet.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("privacy/", include("privacy.urls"))]
