from django import forms

from chat.models import BODY_MAX_LENGTH


class ComposerForm(forms.Form):
    """The composer: a plain form, so posting works without JavaScript; chat.js sends it over the socket instead."""

    body = forms.CharField(
        label="Message",
        max_length=BODY_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "chat-input"}),
        help_text="Enter sends, Shift+Enter starts a new line. Mention someone with @ and their full name.",
    )


class EditForm(forms.Form):
    body = forms.CharField(
        label="Message", max_length=BODY_MAX_LENGTH, strip=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class MentionEmailsForm(forms.Form):
    wanted = forms.BooleanField(label="Email me when someone mentions me in a chat room", required=False)
