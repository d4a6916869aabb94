"""The answer form, built from a feedback form's questions."""

from crispy_forms.helper import FormHelper
from django import forms

from outcomes.models import FeedbackQuestion
from toolbox.forms import SiteForm

#: The longest text answer kept (a long text is a few paragraphs).
TEXT_MAX_LENGTH = {FeedbackQuestion.Kind.SHORT_TEXT: 300, FeedbackQuestion.Kind.LONG_TEXT: 5000}
SCALE_CHOICES = [("1", "1 (poor)"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 (excellent)")]


def question_field(question: FeedbackQuestion) -> forms.Field:
    kind = FeedbackQuestion.Kind
    common = {"label": question.label, "required": question.required, "help_text": question.help_text}
    if question.kind == kind.LONG_TEXT:
        return forms.CharField(
            max_length=TEXT_MAX_LENGTH[kind.LONG_TEXT], widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if question.kind == kind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[(c, c) for c in question.choice_list], widget=forms.RadioSelect, **common)
    if question.kind == kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choice_list], widget=forms.CheckboxSelectMultiple, **common
        )
    if question.kind == kind.YES_NO:
        return forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, **common)
    if question.kind == kind.SCALE:
        return forms.ChoiceField(choices=SCALE_CHOICES, widget=forms.RadioSelect, **common)
    if question.kind == kind.NUMBER:
        return forms.DecimalField(max_digits=12, decimal_places=2, **common)
    return forms.CharField(max_length=TEXT_MAX_LENGTH[kind.SHORT_TEXT], **common)


class FeedbackAnswerForm(SiteForm):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[question.field_name] = question_field(question)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def answers(self) -> dict[int, object]:
        """Question pk → cleaned value, for ``feedback_respond``."""
        return {q.pk: self.cleaned_data.get(q.field_name) for q in self.questions}
