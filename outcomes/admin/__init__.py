"""Outcomes' admin, one module per capability; importing them registers their ModelAdmins."""

from outcomes.admin import feedback, publication, reports  # noqa: F401
