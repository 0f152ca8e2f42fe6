from django.views.generic import DetailView, ListView, TemplateView

from campaigns import scenario as scenario_rules
from campaigns import selectors
from campaigns.causes import CAUSES
from campaigns.forms import PreviewForm
from campaigns.models import AudioFile
from customers.tenancy import CustomerRequiredMixin, get_scoped_or_404


class AppListView(CustomerRequiredMixin, ListView):
    template_name = "campaigns/app_list.html"
    context_object_name = "apps"

    def get_queryset(self):
        return selectors.apps_for(self.customer)


class AppDetailView(CustomerRequiredMixin, DetailView):
    """The app read-only, with its texts rendered for sample values the user types."""

    template_name = "campaigns/app_detail.html"
    context_object_name = "app"

    def get_object(self, queryset=None):
        return get_scoped_or_404(
            selectors.apps_for(self.customer), self.customer, include_global=True, pk=self.kwargs["app_id"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        app = self.object
        form = PreviewForm(app.variables, self.request.GET or None)
        values = {name: field.initial for name, field in form.fields.items()}
        if form.is_bound and form.is_valid():
            values.update({k: v for k, v in form.cleaned_data.items() if v})
        audio_names = dict(AudioFile.objects.filter(pk__in=_audio_ids(app.scenario)).values_list("pk", "name"))
        context.update(
            form=form,
            steps=[
                {**step, "audio_name": audio_names.get(step.get("audio", 0))}
                for step in scenario_rules.render_scenario(app.scenario, values)
            ],
        )
        return context


def _audio_ids(steps) -> list[int]:
    return [step["audio"] for step in steps if step.get("type") == "play"]


class CauseCodesView(CustomerRequiredMixin, TemplateView):
    """The help page that explains every outcome and cause code of the reports."""

    template_name = "campaigns/cause_codes.html"
    extra_context = {"causes": CAUSES.values()}
