"""The application workflow: which status may follow which, and what a refused move should say.

A refusal names the step that would allow the move ("A submitted application must
be put under review before it can be accepted: assign a reviewer or choose
“Start review”."), or, where no step would, what can happen from here.
"""

from collections import deque

from applications.models import Application

S = Application.Status

#: The workflow: which status may follow which. Anything else is refused.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.UNDER_REVIEW, S.WITHDRAWN},
    S.UNDER_REVIEW: {S.SHORTLISTED, S.INTERVIEW, S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    S.SHORTLISTED: {S.INTERVIEW, S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    S.INTERVIEW: {S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    S.WAITLISTED: {S.ACCEPTED, S.REJECTED, S.WITHDRAWN},
    S.ACCEPTED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}
#: Statuses from which the organisation itself may withdraw.
WITHDRAWABLE = {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.SHORTLISTED, S.INTERVIEW, S.WAITLISTED}
DECISIONS = {S.ACCEPTED, S.WAITLISTED, S.REJECTED}

#: An application in each status, as the subject of a sentence.
_SUBJECT = {
    S.DRAFT: "A draft application",
    S.SUBMITTED: "A submitted application",
    S.UNDER_REVIEW: "An application under review",
    S.SHORTLISTED: "A shortlisted application",
    S.INTERVIEW: "An application at the interview stage",
    S.ACCEPTED: "An accepted application",
    S.WAITLISTED: "An application on the waiting list",
    S.REJECTED: "A declined application",
    S.WITHDRAWN: "A withdrawn application",
}
#: "This application is already <state>".
_STATE = {
    S.DRAFT: "a draft",
    S.SUBMITTED: "submitted",
    S.UNDER_REVIEW: "under review",
    S.SHORTLISTED: "shortlisted",
    S.INTERVIEW: "at the interview stage",
    S.ACCEPTED: "accepted",
    S.WAITLISTED: "on the waiting list",
    S.REJECTED: "declined",
    S.WITHDRAWN: "withdrawn",
}
#: "... before it can be <reached>".
_REACHED = {
    S.DRAFT: "made a draft again",
    S.SUBMITTED: "submitted",
    S.UNDER_REVIEW: "put under review",
    S.SHORTLISTED: "shortlisted",
    S.INTERVIEW: "invited to interview",
    S.ACCEPTED: "accepted",
    S.WAITLISTED: "put on the waiting list",
    S.REJECTED: "declined",
    S.WITHDRAWN: "withdrawn",
}
#: How staff (or the organisation) take each step; the quoted names are the admin's actions.
_HOW = {
    S.SUBMITTED: "only the organisation can submit it, from its application page",
    S.UNDER_REVIEW: "assign a reviewer or choose “Start review”",
    S.SHORTLISTED: "choose “Shortlist”",
    S.INTERVIEW: "choose “Invite to interview”",
    S.ACCEPTED: "choose “Accept”",
    S.WAITLISTED: "choose “Put on the waiting list”",
    S.REJECTED: "choose “Decline”",
    S.WITHDRAWN: "only the organisation can withdraw it",
}


def _next_step(current: str, target: str) -> str | None:
    """The first move on the shortest way from ``current`` to ``target``, or None if there is none."""
    first_step: dict[str, str] = {}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        for following in sorted(TRANSITIONS[status]):
            if following in first_step or following == current:
                continue
            first_step[following] = first_step.get(status, following)
            if following == target:
                return first_step[following]
            queue.append(following)
    return None


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def refusal(current: str, target: str) -> str:
    """What to tell someone who asked to move an application from ``current`` to ``target`` (not allowed)."""
    if current == target:
        return f"This application is already {_STATE[current]}."
    step = _next_step(current, target)
    if step is not None:
        return f"{_SUBJECT[current]} must be {_REACHED[step]} before it can be {_REACHED[target]}: {_HOW[step]}."
    if current == S.WITHDRAWN:
        return (
            "A withdrawn application cannot change any more: "
            "the organisation can start a new one while the call is open."
        )
    if not TRANSITIONS[current]:
        return f"{_SUBJECT[current]} has been decided: its status cannot change any more."
    options = [_REACHED[s] for s in TRANSITIONS[current] if s != S.WITHDRAWN]
    ordered = sorted(options, key=list(_REACHED.values()).index)
    return f"{_SUBJECT[current]} cannot be {_REACHED[target]} from here: it can be {_either(ordered)}."
