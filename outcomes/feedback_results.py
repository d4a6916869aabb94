"""Reading a form's results: counts per question, a bar chart per question, and the CSV rows."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from outcomes.models import FeedbackAnswer, FeedbackForm, FeedbackQuestion, FeedbackResponse


@dataclass
class QuestionResult:
    question: FeedbackQuestion
    answered: int = 0
    #: (option, count) in the options' order, for questions with options (choices, yes/no, scale).
    bars: list[tuple[str, int]] = field(default_factory=list)
    mean: Decimal | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def chart(self) -> str:
        return bars_svg(self.bars, title=f"Answers to “{self.question.label}”", key=f"q{self.question.pk}")


def options(question: FeedbackQuestion) -> list[str]:
    kind = FeedbackQuestion.Kind
    if question.kind == kind.SCALE:
        return ["1", "2", "3", "4", "5"]
    if question.kind == kind.YES_NO:
        return ["yes", "no"]
    if question.is_choice:
        return question.choice_list
    return []


def mean(numbers) -> Decimal | None:
    numbers = list(numbers)
    if not numbers:
        return None
    return (sum(numbers, Decimal(0)) / len(numbers)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def form_results(form: FeedbackForm) -> tuple[int, list[QuestionResult]]:
    """(number of responses, one result per question). Three queries, whatever the number of answers."""
    total = FeedbackResponse.objects.filter(form=form).count()
    questions = list(form.questions.all())
    answers: dict[int, list[FeedbackAnswer]] = {q.pk: [] for q in questions}
    for answer in FeedbackAnswer.objects.filter(response__form=form).order_by("response_id"):
        answers[answer.question_id].append(answer)
    results = []
    for question in questions:
        given = answers[question.pk]
        result = QuestionResult(question, answered=len(given))
        opts = options(question)
        if opts:
            counts = dict.fromkeys(opts, 0)
            for answer in given:
                picked = [f"{answer.number:.0f}"] if answer.number is not None else answer.text.splitlines()
                for option in picked:
                    if option in counts:
                        counts[option] += 1
            result.bars = [(option, counts[option]) for option in opts]
        if question.kind in (FeedbackQuestion.Kind.SCALE, FeedbackQuestion.Kind.NUMBER):
            result.mean = mean(a.number for a in given if a.number is not None)
        if question.kind in (FeedbackQuestion.Kind.SHORT_TEXT, FeedbackQuestion.Kind.LONG_TEXT):
            result.texts = [a.text for a in given if a.text]
            if form.anonymous:
                # In alphabetical order, not the order given, which could be matched to who answered when.
                result.texts.sort(key=lambda text: (text.casefold(), text))
        results.append(result)
    return total, results


def bars_svg(bars: list[tuple[str, int]], *, title: str, key: str, width: int = 480, bar_height: int = 20) -> str:
    """Horizontal bars, one per option, each labelled with its option and count (a table beside it says the same)."""
    if not bars:
        return ""
    label_width = 150
    usable = width - label_width - 50
    top = max([1] + [count for _, count in bars])
    height = len(bars) * (bar_height + 8) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{key}-title" class="w-100 feedback-chart">',
        f'<title id="chart-{key}-title">{escape(title)}</title>',
    ]
    for index, (option, count) in enumerate(bars):
        y = 4 + index * (bar_height + 8)
        bar = int(usable * count / top)
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="13">{escape(option[:24])}</text>'
            f'<rect data-option="{escape(option)}" x="{label_width}" y="{y}" width="{bar}" height="{bar_height}" '
            f'fill="#1f6f8b"/>'
            f'<text x="{label_width + bar + 6}" y="{y + 15}" font-size="13">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def csv_rows(form: FeedbackForm) -> tuple[list[str], list[list]]:
    """The header and one row per response: number, day, person (named forms only), then each question's answer.

    A named form's rows come in the order given. An anonymous form's rows are sorted by their answers (then
    the day), and numbered after sorting, so neither the order nor the number follows the order the answers
    were given in (which could be matched to who answered when).
    """
    questions = list(form.questions.all())
    header = ["response", "submitted_on"]
    if not form.anonymous:
        header += ["name", "email"]
    header += [q.label for q in questions]
    responses = FeedbackResponse.objects.filter(form=form).select_related("user").prefetch_related("answers")
    rows = []
    for response in responses.order_by("pk"):
        # A number goes as a number (Decimal), so the CSV's formula guard leaves "-12.5" alone.
        by_question = {
            a.question_id: Decimal(a.display) if a.number is not None else a.text.replace("\n", "; ")
            for a in response.answers.all()
        }
        row = [response.submitted_on.isoformat()]
        if not form.anonymous:
            user = response.user
            row += [user.name if user else "", user.email if user else ""]
        row += [by_question.get(q.pk, "") for q in questions]
        rows.append(row)
    if form.anonymous:
        rows.sort(key=lambda row: ([str(cell).casefold() for cell in row[1:]], row[0]))
    return header, [[number, *row] for number, row in enumerate(rows, start=1)]
