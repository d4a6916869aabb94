"""The project's URLs plus the benchmark's baseline page. Used only by ``make bench``."""

from django.urls import path

from bench.views import baseline
from cohortnet.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/baseline/", baseline), *project_urlpatterns]
