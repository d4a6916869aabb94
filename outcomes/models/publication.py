"""Models for the publication part of outcomes."""

__all__: list[str] = []
