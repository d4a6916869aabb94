"""Admin for the reports part of outcomes."""
