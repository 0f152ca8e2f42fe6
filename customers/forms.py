from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="What the token is for, e.g. “CRM integration”. Leave empty for a dated name.",
    )
