"""Admin for the publication part of outcomes."""
