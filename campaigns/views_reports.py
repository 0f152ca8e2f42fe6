"""The campaign report page and its CSV / XLSX export."""

from django.views import View
from django.views.generic import TemplateView

from campaigns import exports, reports, selectors
from campaigns.causes import CAUSES
from customers.tenancy import CustomerRequiredMixin


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


class CampaignReportView(CustomerRequiredMixin, TemplateView):
    """Every contact with its attempts, filtered by outcome, a chart, the cause legend."""

    template_name = "campaigns/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = selectors.campaign_for(self.customer, self.kwargs["campaign_id"])
        outcome = self.request.GET.get("outcome", "")
        if outcome not in dict(reports.OUTCOME_FILTERS):
            outcome = ""
        page = reports.report_page(
            campaign,
            outcome=outcome,
            after=_positive_int(self.request.GET.get("after")),
            before=_positive_int(self.request.GET.get("before")),
        )
        chart = reports.outcome_chart(campaign)
        context.update(
            campaign=campaign,
            page=page,
            outcome=outcome,
            outcome_filters=reports.OUTCOME_FILTERS,
            chart=chart,
            svg=reports.chart_svg_data(chart),
            causes=CAUSES.values(),
        )
        return context


class CampaignExportView(CustomerRequiredMixin, View):
    def get(self, request, campaign_id: int, fmt: str):
        campaign = selectors.campaign_for(self.customer, campaign_id)
        return exports.export_response(campaign, fmt)
