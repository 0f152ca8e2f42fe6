"""Dashboard form of call tracking: where a pool's numbers may be shown, and what happens when it runs out."""

from django import forms

from call_tracking import rules
from call_tracking.models import ExhaustionPolicy


class TrackingPoolSettingsForm(forms.Form):
    site_domains = forms.CharField(
        label="Site domains",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line (or comma separated), e.g. example.com; its subdomains are included. "
        "Only pages of these sites get this pool's numbers.",
    )
    exhaustion_policy = forms.ChoiceField(
        label="When every number is in use", choices=ExhaustionPolicy.choices, widget=forms.RadioSelect
    )

    def clean_site_domains(self) -> list[str]:
        items = [item.strip() for item in self.cleaned_data["site_domains"].replace(",", "\n").splitlines()]
        domains: list[str] = []
        errors = []
        for item in filter(None, items):
            try:
                domain = rules.normalise_domain(item)
            except rules.RuleError as exc:
                errors.append(str(exc))
                continue
            if domain not in domains:
                domains.append(domain)
        if errors:
            raise forms.ValidationError(errors)
        return domains
