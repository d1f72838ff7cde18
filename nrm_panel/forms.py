from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Size, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from nrm_panel.models import Agency, Role


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK wording."""

    error_messages = {
        "invalid_login": "Enter a correct email address and password. The password is case-sensitive.",
        "inactive": "This account has been disabled. Contact your panel administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "class": "govuk-input", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs["class"] = "govuk-input"
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class MembershipAddForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter their work email address",
            "invalid": "Enter an email address in the correct format, like name@council.gov.uk",
        },
    )
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter their last name"})
    role = forms.ChoiceField(
        label="Role on this panel",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role", "invalid_choice": "Select one of the roles"},
    )
    agency = forms.ModelChoiceField(
        label="Agency they represent",
        queryset=Agency.objects.none(),
        required=False,
        help_text="Required for panel members and designated nurses or doctors",
        error_messages={"invalid_choice": "Select one of this panel's agencies"},
    )

    def __init__(self, *args, panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = panel.agencies.all()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("email", label_size=Size.SMALL, field_width=Fluid.TWO_THIRDS),
            Field.text("first_name", label_size=Size.SMALL, field_width=Fluid.ONE_HALF),
            Field.text("last_name", label_size=Size.SMALL, field_width=Fluid.ONE_HALF),
            Field.radios("role", legend_size=Size.SMALL),
            Field.select("agency"),
            Submit("add", "Add person"),
        )


class SecurityCodeForm(forms.Form):
    """The second step of signing in: a code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label="Security code",
        max_length=20,
        strip=True,
        error_messages={"required": "Enter the security code", "max_length": "The code is at most 20 characters"},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
