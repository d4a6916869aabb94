"""VTIMEZONE blocks now live in ``toolbox.vtimezone``, shared with applications' interview invitations."""

from toolbox.vtimezone import Change, is_ambiguous, vtimezone

__all__ = ["Change", "is_ambiguous", "vtimezone"]
