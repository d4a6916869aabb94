"""The project's URLs plus the benchmark's baseline pages. Used only by ``make bench``."""

from django.urls import path

from bench.views import baseline, baseline_template
from cohortnet.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/baseline/", baseline),
    path("bench/baseline-template/", baseline_template),
    *project_urlpatterns,
]
