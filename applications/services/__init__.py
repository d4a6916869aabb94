"""Writes for open calls and applications, split by subject.

``lifecycle`` holds an application's way from draft to decision (and invitations to apply);
``reviews`` holds reviewers' assignments, conflicts and scores. Callers import from
``applications.services`` as before.
"""

from applications.services.lifecycle import (
    ANSWER_FIELDS,
    ANSWER_MAX_LENGTH,
    DECISIONS,
    DEFAULT_DECISION_EMAILS,
    DRAFT_FIXED_FIELDS,
    EXPRESSION_ANSWERS,
    NUMBER_DECIMAL_PLACES,
    NUMBER_MAX_DIGITS,
    REQUIRED_ANSWERS,
    REVIEWER_GROUP,
    SUBMISSION_FIELDS,
    WITHDRAWABLE,
    answer_text,
    application_accept,
    application_save_draft,
    application_start,
    application_submit,
    application_transition,
    application_withdraw,
    clean_extra_answers,
    decision_body,
    invitation_open,
    invitation_send,
    stage_questions,
    submission_problems,
)
from applications.services.reviews import review_assign, review_declare_conflict, review_submit
from applications.services.stages import (
    SHORTLISTABLE,
    application_feedback_set,
    expression_shortlist,
    interview_book,
)

__all__ = [
    "ANSWER_FIELDS",
    "ANSWER_MAX_LENGTH",
    "DECISIONS",
    "DEFAULT_DECISION_EMAILS",
    "DRAFT_FIXED_FIELDS",
    "EXPRESSION_ANSWERS",
    "NUMBER_DECIMAL_PLACES",
    "NUMBER_MAX_DIGITS",
    "REQUIRED_ANSWERS",
    "REVIEWER_GROUP",
    "SHORTLISTABLE",
    "SUBMISSION_FIELDS",
    "WITHDRAWABLE",
    "answer_text",
    "application_feedback_set",
    "application_accept",
    "application_save_draft",
    "application_start",
    "application_submit",
    "application_transition",
    "application_withdraw",
    "clean_extra_answers",
    "decision_body",
    "expression_shortlist",
    "interview_book",
    "invitation_open",
    "invitation_send",
    "review_assign",
    "review_declare_conflict",
    "review_submit",
    "stage_questions",
    "submission_problems",
]
