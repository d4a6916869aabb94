"""Models for the feedback part of outcomes."""

__all__: list[str] = []
