"""Posting an admin change form as staff would: what it shows, with a few fields changed."""

from django import forms


def admin_form_data(response) -> dict:
    """What the admin's change form would post back unchanged: the main form and every inline's forms."""
    data = {}
    every_form = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        every_form += formset.forms
    for form in every_form:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            widget = field.field.widget
            if isinstance(widget, forms.MultiWidget):  # a date and a time, posted as name_0 and name_1
                parts = value if isinstance(value, list | tuple) else widget.decompress(value)
                for index, (part, subwidget) in enumerate(zip(parts, widget.widgets, strict=True)):
                    data[f"{field.html_name}_{index}"] = subwidget.format_value(part)
                continue
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return data


def admin_save(client, url, **changes):
    response = client.get(url)
    assert response.status_code == 200
    data = {**admin_form_data(response), **changes}
    data = {k: v for k, v in data.items() if v is not None}
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    return saved
