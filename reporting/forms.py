"""The choice of panels and dates every report starts from."""

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone

from referrals.forms import GovukDateField, GovukFormMixin

ALL_MY_PANELS = "all"
LONGEST_RANGE_YEARS = 10


def default_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last twelve whole months and this one so far."""
    return today.replace(day=1) - relativedelta(months=12), today


class ReportForm(GovukFormMixin, forms.Form):
    """Which panel (or all the person's panels together) and which referral dates. A GET form: a report's
    address can be bookmarked and shared with someone who may see the same panels."""

    panel = forms.ChoiceField(label="Panel")
    date_from = GovukDateField(label="From", help_text="For example, 1 4 2026", require_all_fields=False)
    date_to = GovukDateField(label="To", help_text="For example, 31 3 2027", require_all_fields=False)
    suppress = forms.BooleanField(
        label="For publication: show counts under 5 as “<5”", required=False, widget=forms.CheckboxInput
    )

    def __init__(self, data=None, *, panels, today: datetime.date | None = None, **kwargs):
        self.panels = list(panels)
        today = today or timezone.localdate()
        date_from, date_to = default_range(today)
        merged = {"date_from_0": date_from.day, "date_from_1": date_from.month, "date_from_2": date_from.year}
        merged |= {"date_to_0": date_to.day, "date_to_1": date_to.month, "date_to_2": date_to.year}
        merged["panel"] = str(self.panels[0].pk) if len(self.panels) == 1 else ALL_MY_PANELS
        chosen = data.dict() if data is not None else {}
        # "All my panels", bookmarked by someone who now reports on one panel, still means their panel.
        if len(self.panels) == 1 and chosen.get("panel") == ALL_MY_PANELS:
            chosen["panel"] = merged["panel"]
        # A report is shown at once with its defaults, and the person's choices replace them.
        super().__init__(merged | chosen, **kwargs)
        choices = [(str(panel.pk), panel.name) for panel in self.panels]
        if len(self.panels) > 1:
            choices = [(ALL_MY_PANELS, "All my panels, side by side")] + choices
        self.fields["panel"].choices = choices
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.select("panel", label_size=Size.SMALL),
            Field("date_from", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field("date_to", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.checkbox("suppress", small=True),
        )

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to:
            if date_from > date_to:
                self.add_error("date_to", "The end date must be the same as or after the start date")
            elif date_to - date_from > datetime.timedelta(days=366 * LONGEST_RANGE_YEARS):
                self.add_error("date_to", f"Choose a range of {LONGEST_RANGE_YEARS} years or less")
        return data

    def chosen_panels(self) -> list:
        """The panels of a valid form: one, or all of the person's."""
        choice = self.cleaned_data["panel"]
        if choice == ALL_MY_PANELS:
            return self.panels
        return [panel for panel in self.panels if str(panel.pk) == choice]
