from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms

from applications.models import Application, ReviewAssignment
from applications.services import (
    ANSWER_FIELDS,
    ANSWER_MAX_LENGTH,
    EXPRESSION_ANSWERS,
    NUMBER_DECIMAL_PLACES,
    NUMBER_MAX_DIGITS,
    REQUIRED_ANSWERS,
    SUBMISSION_FIELDS,
    stage_questions,
    submission_problems,
)
from cohorts.models import Theme
from toolbox.forms import MoneyField, SiteForm, SiteModelForm, money


class StartApplicationForm(SiteForm):
    organisation = forms.ModelChoiceField(queryset=None, empty_label=None, label="Apply on behalf of")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.helper = FormHelper()
        self.helper.form_tag = False


def _question_field(question) -> forms.Field:
    kind = question.Kind
    common = {
        "label": question.label,
        "required": False,  # drafts may be incomplete; submitting checks required questions
        "help_text": question.help_text,
    }
    # The limits are the service's (clean_extra_answers checks them again on every save).
    max_length = ANSWER_MAX_LENGTH.get(question.kind)
    if question.kind == kind.LONG_TEXT:
        return forms.CharField(max_length=max_length, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if question.kind == kind.SHORT_TEXT:
        # A sentence or two: counted like the text areas.
        return forms.CharField(
            max_length=max_length, widget=forms.TextInput(attrs={"data-character-count": True}), **common
        )
    if question.kind == kind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[(c, c) for c in question.choice_list], widget=forms.RadioSelect, **common)
    if question.kind == kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choice_list], widget=forms.CheckboxSelectMultiple, **common
        )
    if question.kind == kind.YES_NO:
        return forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, **common)
    if question.kind == kind.URL:
        return forms.URLField(max_length=max_length, assume_scheme="https", **common)
    if question.kind == kind.NUMBER:
        return forms.DecimalField(max_digits=NUMBER_MAX_DIGITS, decimal_places=NUMBER_DECIMAL_PLACES, **common)
    return forms.CharField(max_length=max_length, **common)


class _ReadOnceChoices(forms.models.ModelChoiceIterator):
    """The choices from one plain read of the queryset, kept for the form's life.

    Django's own iterator reads them with ``QuerySet.iterator()``: on PostgreSQL a server-side cursor
    (DECLARE … WITH HOLD, FETCH, CLOSE: three round trips for a dozen themes; issue #20, the form's page).
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _ThemesField(forms.ModelMultipleChoiceField):
    iterator = _ReadOnceChoices


class ApplicationForm(SiteModelForm):
    """The applicant's answers. Every field may be blank in a draft; submitting checks them.

    Only the answer fields are bound: a posted ``status``, ``organisation`` or
    score is not a field here and so changes nothing.
    """

    themes = _ThemesField(
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Which themes do you want to work on?",
    )

    class Meta:
        model = Application
        # "themes" is the form's own field above, not the model's: a posted form (the autosave, every few
        # seconds) then does not read the saved themes only to set an initial value it never shows.
        fields = [*ANSWER_FIELDS]
        widgets = {
            "data_stewarded": forms.Textarea(attrs={"rows": 4}),
            "sustainability": forms.Textarea(attrs={"rows": 4}),
            "contribution": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "licence": "For example: CC BY 4.0, ODbL 1.0.",
            "time_commitment": "For example: two days a month.",
        }

    def __init__(self, *args, questions=None, **kwargs):
        """``questions`` are the call's questions for this stage when the page has them (``DraftEdit.questions``)."""
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk and "themes" not in self.initial:
            self.initial["themes"] = list(self.instance.themes.all())
        call = self.instance.call
        self.fields["funding_requested"] = MoneyField(
            label="Funding requested (GBP)",
            required=False,
            max_amount=call.funding_cap,
            help_text=f"In pounds, up to {money(call.funding_cap)}. For example, 12500 or 12500.50.",
        )
        # Blank is fine in a draft, but these are needed to submit: not marked "(optional)", and aria-required.
        for name in (*REQUIRED_ANSWERS, "themes", "consent_to_publish"):
            self.fields[name].needed_to_submit = True
        self.questions = list(stage_questions(call, self.instance.stage) if questions is None else questions)
        for question in self.questions:
            self.fields[question.field_name] = _question_field(question)
            self.fields[question.field_name].needed_to_submit = question.required
            if not self.is_bound:
                self.initial[question.field_name] = self.instance.extra_answers.get(str(question.pk))
        layout = [
            Fieldset("Your open data", "data_stewarded", "licence"),
            Fieldset("Your organisation", "sustainability", "contribution", "time_commitment"),
            Fieldset("The programme", "themes", "funding_requested", "consent_to_publish"),
        ]
        if self.instance.is_expression:
            # The short form: what the expression of interest asks, and nothing a posted field could add.
            for name in set(ANSWER_FIELDS) - set(EXPRESSION_ANSWERS):
                del self.fields[name]
            layout = [Fieldset("Your expression of interest", *EXPRESSION_ANSWERS, "themes")]
        if self.questions:
            layout.append(Fieldset("Questions for this call", *[q.field_name for q in self.questions]))
        # The fields in the page's order, so the error summary lists them as the page shows them.
        self.order_fields([name for fieldset in layout for name in fieldset.fields])
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's form has its own token
        self.helper.layout = Layout(*layout)

    def add_submission_problems(self) -> None:
        """After a refused submit, also name the answers still missing (GOV.UK: every problem at once).

        Fields that already have an error keep only it; the rules are the service's own.
        """
        problems = submission_problems(
            self.instance.call,
            values={name: self.cleaned_data.get(name) for name in SUBMISSION_FIELDS},
            themes_chosen=bool(self.cleaned_data.get("themes")),
            extra_answers=self.extra_answers(),
            stage=self.instance.stage,
        )
        for field, messages in problems.items():
            if field in self.fields and field not in self.errors:
                for message in messages:
                    self.add_error(field, message)

    def extra_answers(self) -> dict:
        """The cleaned answers to the call's questions, keyed by question id, as JSON-safe values."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.field_name)
            if value is not None and not isinstance(value, (str, list)):
                value = str(value)
            answers[str(question.pk)] = value
        return answers


def _note(label: str, *, rows: int) -> forms.CharField:
    """An optional note of up to 1,000 characters that goes with a change of status."""
    return forms.CharField(label=label, required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": rows}))


class WithdrawForm(SiteForm):
    note = _note("Why are you withdrawing?", rows=3)


class ConflictForm(SiteForm):
    note = _note("What is the conflict?", rows=2)


class ReviewForm(SiteForm):
    """One 1–5 score and a comment per criterion, plus a recommendation."""

    recommendation = forms.ChoiceField(choices=ReviewAssignment.Recommendation.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Overall comment", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} (weight {criterion.weight.normalize():f})",
                help_text=criterion.description,
                choices=[(str(n), str(n)) for n in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"score_{criterion.pk}"].inline = True
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on {criterion.name.lower()}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }
