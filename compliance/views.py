"""The caller-ID usage report: the customer's own numbers on the dashboard, every number in the admin."""

from django.views.generic import TemplateView

from compliance.selectors import RECENT_DAYS, caller_id_grid, caller_id_reputation, caller_id_usage
from customers.tenancy import CustomerRequiredMixin


class CallerIdUsageView(CustomerRequiredMixin, TemplateView):
    template_name = "compliance/caller_id_usage.html"

    def get_context_data(self, **kwargs):
        rows = caller_id_usage(customer=self.customer)
        numbers = caller_id_reputation(rows)
        return super().get_context_data(
            rows=rows, numbers=numbers, grid=caller_id_grid(rows, numbers), recent_days=RECENT_DAYS, **kwargs
        )
