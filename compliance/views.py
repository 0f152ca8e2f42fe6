"""The caller-ID usage report: the customer's own numbers on the dashboard, every number in the admin."""

from django.views.generic import TemplateView

from compliance.selectors import caller_id_usage
from customers.tenancy import CustomerRequiredMixin


class CallerIdUsageView(CustomerRequiredMixin, TemplateView):
    template_name = "compliance/caller_id_usage.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=caller_id_usage(customer=self.customer), **kwargs)
