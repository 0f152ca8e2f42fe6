"""The campaign report page and its CSV / XLSX export."""

from django.http import JsonResponse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from campaigns import charts, reports, selectors
from campaigns.causes import CAUSES
from customers.tenancy import CustomerRequiredMixin
from telephony import exports


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
        context.update(
            campaign=campaign,
            page=page,
            outcome=outcome,
            outcome_filters=reports.OUTCOME_FILTERS,
            causes=CAUSES.values(),
            suppressed_by=reports.suppressed_by_entry(campaign),
        )
        return context


class CampaignChartView(CustomerRequiredMixin, View):
    """The outcomes chart's data as JSON, drawn by static/js/outcome_chart.js.

    It is its own request because it is the one read that aggregates every
    attempt of the campaign: the contacts and their attempts show at once
    while the chart is computed.
    """

    def get(self, request, campaign_id: int):
        campaign = selectors.campaign_for(self.customer, campaign_id)
        response = JsonResponse(charts.series(reports.outcome_chart(campaign)))
        response["Cache-Control"] = "private, max-age=30"
        return response


class CampaignExportView(CustomerRequiredMixin, View):
    def get(self, request, campaign_id: int, fmt: str):
        campaign = selectors.campaign_for(self.customer, campaign_id)
        # The customer's zone now: a streamed body is read after the middleware has reset it.
        zone = timezone.get_current_timezone()
        return exports.export_response(
            fmt,
            reports.export_rows(campaign, zone=zone),
            basename=f"{slugify(campaign.name) or f'campaign-{campaign.pk}'}-report-{timezone.localtime():%Y%m%d-%H%M}",
            title=campaign.name or "Report",
            row_count=lambda: reports.export_row_count(campaign),
            integer_columns=reports.EXPORT_INTEGER_COLUMNS,
        )
