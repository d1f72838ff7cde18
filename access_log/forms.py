"""The access log's search: every field optional, a GET form so a search can be bookmarked."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms

from access_log.models import AccessKind
from referrals.forms import GovukFormMixin, date_field


class AccessSearchForm(GovukFormMixin, forms.Form):
    person = forms.CharField(label="Person's email address, or part of it", max_length=254, required=False)
    case = forms.CharField(
        label="Case reference", max_length=20, required=False, help_text="For example, LEW-2026-0042"
    )
    kind = forms.ChoiceField(label="What", choices=[("", "Anything")] + AccessKind.choices, required=False)
    address = forms.CharField(label="From address", max_length=45, required=False)
    date_from = date_field("From", help_text="For example, 1 11 2026")
    date_to = date_field("To", help_text="For example, 30 11 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("person"),
            Field.text("case", field_width=10),
            Field.select("kind"),
            Field.text("address", field_width=20),
            Field("date_from"),
            Field("date_to"),
        )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned
