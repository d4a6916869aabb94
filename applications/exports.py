"""CSV export of applications, safe to open in a spreadsheet."""

from django.http import HttpResponse

from applications.models import Question
from applications.selectors import applications_with_scores
from applications.services import answer_text
from toolbox.csvutils import csv_response


def applications_csv(queryset, *, filename: str = "applications.csv") -> HttpResponse:
    """Every application in ``queryset`` with its answers and scores, one row each, in a fixed number of queries."""
    applications = list(
        applications_with_scores(queryset)
        .select_related("call", "organisation")
        .prefetch_related("themes")
        .order_by("call_id", "pk")
    )
    questions = list(
        Question.objects.filter(call__in={a.call_id for a in applications})
        .select_related("call")
        .order_by("call_id", "position", "pk")
    )
    header = [
        "id",
        "call",
        "organisation",
        "country",
        "website",
        "status",
        "submitted at (UTC)",
        "data stewarded",
        "licence",
        "sustainability",
        "themes",
        "contribution",
        "time commitment",
        "funding requested (GBP)",
        "consent to publish",
        "reviews done",
        "reviews assigned",
        "weighted score",
        *_question_headers(questions),
    ]
    return csv_response(filename, header, (_row(a, questions) for a in applications))


def _question_headers(questions) -> list[str]:
    """ "Q1 <label>", "Q2 <label>"... numbered from 1 within each call in the form's order (position, then pk).

    ``questions`` are sorted by call, then position. With more than one call in the
    export, each header also names its call, since each call numbers its own questions.
    """
    several_calls = len({q.call_id for q in questions}) > 1
    headers, number, call_id = [], 0, None
    for question in questions:
        number = number + 1 if question.call_id == call_id else 1
        call_id = question.call_id
        header = f"Q{number} {question.label}"
        headers.append(f"{question.call.title}: {header}" if several_calls else header)
    return headers


def _row(a, questions) -> list:
    """One application's cells, in the header's order."""
    answers = [a.extra_answers.get(str(q.pk)) if q.call_id == a.call_id else None for q in questions]
    return [
        a.pk,
        a.call.title,
        a.organisation.name,
        a.organisation.country_name,
        a.organisation.website,
        a.get_status_display(),
        a.submitted_at.isoformat() if a.submitted_at else "",
        a.data_stewarded,
        a.licence,
        a.sustainability,
        "; ".join(t.name for t in a.themes.all()),
        a.contribution,
        a.time_commitment,
        a.funding_requested if a.funding_requested is not None else "",
        "yes" if a.consent_to_publish else "no",
        a.reviews_done,
        a.reviews_assigned,
        f"{a.weighted_score:.2f}" if a.weighted_score is not None else "",
        *[answer_text(v) for v in answers],
    ]
