"""Models for the reports part of outcomes."""

__all__: list[str] = []
