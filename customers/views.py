from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from customers import selectors, services
from customers.forms import ApiTokenForm
from customers.overview import home_overview
from customers.tenancy import CustomerRequiredMixin, get_scoped_or_404


class HomeView(CustomerRequiredMixin, TemplateView):
    """The overview: calls today and this week with a chart, running campaigns, lists, numbers, tracking."""

    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        overview = home_overview(self.customer)
        context.update(
            customer=self.customer,
            overview=overview,
            chart=overview.chart_payload,
            api_base=self.request.build_absolute_uri(f"/v3/api/groups/{self.customer.pk}/numberpools"),
        )
        return context


class ApiTokenListView(CustomerRequiredMixin, View):
    template_name = "customers/api_tokens.html"

    def get(self, request, form=None, issued=None):
        context = {
            "tokens": selectors.api_tokens_of(self.customer),
            "form": form or ApiTokenForm(),
            "issued": issued,
        }
        return render(request, self.template_name, context)

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        try:
            issued = services.api_token_issue(
                customer=self.customer, name=form.cleaned_data["name"], created_by=request.user
            )
        except services.CustomerError as exc:
            form.add_error("name", str(exc))
            return self.get(request, form=form)
        messages.success(request, f"Token “{issued.token.name}” issued. Copy it now: it is not shown again.")
        # Rendered, not redirected: the raw token must never sit in a URL or a session.
        return self.get(request, form=ApiTokenForm(), issued=issued)


class ApiTokenRevokeView(CustomerRequiredMixin, View):
    def post(self, request, token_id: int):
        token = get_scoped_or_404(selectors.api_tokens_of(self.customer), self.customer, pk=token_id)
        services.api_token_revoke(token=token)
        messages.success(request, f"Token “{token.name}” revoked.")
        return redirect("dashboard:api_tokens")
