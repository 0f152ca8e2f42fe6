"""The customer's Numbers pages (read-only): its Assigned and Hold DIDs."""

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from customers.tenancy import CustomerRequiredMixin, get_scoped_or_404
from dids.filters import CustomerDIDFilter
from dids.resources import CustomerDIDResource
from dids.selectors import dids_of_customer
from telephony.exports import FORMATS, resource_export_response

PAGE_SIZE = 100


class NumbersView(CustomerRequiredMixin, TemplateView):
    """List, filters and search; ``?export=csv`` or ``?export=xlsx`` downloads the filtered list."""

    template_name = "dids/numbers.html"

    def get(self, request, *args, **kwargs):
        self.filterset = CustomerDIDFilter(request.GET or None, queryset=dids_of_customer(self.customer))
        export = request.GET.get("export")
        if export in FORMATS:
            return resource_export_response(
                self.filterset.qs, CustomerDIDResource(), fmt=export, basename="numbers", title="DIDs"
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.filterset.qs.order_by("number"), PAGE_SIZE).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        context.update(filter=self.filterset, page=page, query=params.urlencode())
        return context


class NumberDetailView(CustomerRequiredMixin, TemplateView):
    template_name = "dids/number_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        did = get_scoped_or_404(
            dids_of_customer(self.customer).select_related("client_package__package"),
            self.customer,
            pk=kwargs["did_id"],
        )
        context["did"] = did
        return context
