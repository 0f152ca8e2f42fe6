"""The customer's "Number pools" page: its caller-ID pools and the global ones, read-only."""

from django.views.generic import TemplateView

from callerid_pools.models import NumberPool
from callerid_pools.selectors import member_state, pool_members, pools_visible_to
from compliance.selectors import pool_presence
from customers.tenancy import CustomerRequiredMixin, get_scoped_or_404


class NumberPoolListView(CustomerRequiredMixin, TemplateView):
    template_name = "callerid_pools/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pools"] = list(pools_visible_to(self.customer))
        return context


class NumberPoolDetailView(CustomerRequiredMixin, TemplateView):
    template_name = "callerid_pools/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pool = get_scoped_or_404(
            NumberPool.objects.select_related("customer"), self.customer, include_global=True, pk=self.kwargs["pool_id"]
        )
        members = [(member, member_state(pool, member.did)) for member in pool_members(pool)]
        context.update(
            pool=pool,
            members=members,
            usable=sum(1 for _member, state in members if state == "usable"),
            presence=pool_presence(pool),
        )
        return context
