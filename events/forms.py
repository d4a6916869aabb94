from django import forms


class RSVPForm(forms.Form):
    answer = forms.ChoiceField(choices=[("going", "Going"), ("not_going", "Not going")])
