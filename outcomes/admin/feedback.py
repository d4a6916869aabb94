"""Admin for the feedback part of outcomes."""
