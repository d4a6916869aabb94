"""What every long admin changelist in CohortNet shares.

Measured with ``make bench`` at scale L (10,000 applications, 10,000
instalments): Django renders the action checkbox of every row through the
form widget templates, which cost more than any other column of the
application changelist. The checkbox here is the same markup, written
directly. ``show_full_result_count`` is off so a filtered list runs one
COUNT instead of two; the admin then offers "Show all" instead of the
unfiltered total.
"""

from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.translation import gettext as _


class LongChangelistMixin:
    show_full_result_count = False

    def action_checkbox(self, obj):
        # The markup Django's CheckboxInput renders for this column (admin/js/actions.js looks for
        # the "action-select" class and the "_selected_action" name).
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )
