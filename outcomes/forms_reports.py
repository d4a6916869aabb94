"""The report form: one field per question of the round, built from the questions (the service stores them)."""

from django import forms

from outcomes.models import ReportQuestion
from toolbox.forms import SiteForm

#: Limits of an answer, per kind; long answers are a page or two.
TEXT_MAX_LENGTH = {ReportQuestion.Kind.SHORT_TEXT: 300, ReportQuestion.Kind.LONG_TEXT: 20000}
NUMBER_MAX_DIGITS, NUMBER_DECIMAL_PLACES = 12, 2


def field_name(question: ReportQuestion) -> str:
    return f"q{question.pk}"


def _question_field(question: ReportQuestion) -> forms.Field:
    kind = ReportQuestion.Kind
    common = {
        "label": question.text,
        # A draft may leave anything empty; submitting checks the required questions (services_reports).
        "required": False,
        "help_text": question.help_text + (" (Required to submit.)" if question.required else ""),
    }
    if question.kind == kind.LONG_TEXT:
        return forms.CharField(
            max_length=TEXT_MAX_LENGTH[kind.LONG_TEXT], widget=forms.Textarea(attrs={"rows": 6}), **common
        )
    if question.kind == kind.NUMBER:
        return forms.DecimalField(
            max_digits=NUMBER_MAX_DIGITS,
            decimal_places=NUMBER_DECIMAL_PLACES,
            error_messages={"invalid": "Enter a number, like 12 or 3.5"},
            **common,
        )
    if question.kind == kind.YES_NO:
        return forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, **common)
    if question.kind == kind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[(o, o) for o in question.options], widget=forms.RadioSelect, **common)
    return forms.CharField(max_length=TEXT_MAX_LENGTH[kind.SHORT_TEXT], **common)


class ReportForm(SiteForm):
    """The organisation's answers, and the version of the report the page was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[field_name(question)] = _question_field(question)
            # Blank is fine in a draft, but a required one is needed to submit: not marked "(optional)".
            self.fields[field_name(question)].needed_to_submit = question.required

    def answers(self) -> dict:
        """``{question id: answer}`` from the cleaned data, as the service stores them (numbers as text)."""
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            result[str(question.pk)] = "" if value is None else value
        return result


def initial_for(report) -> dict:
    initial = {"version": report.version}
    for question in report.round.questions.all():
        initial[field_name(question)] = report.answers.get(str(question.pk), "")
    return initial
