"""Dashboard "Call tracking": the customer's pools with their figures, one pool's page with
its chart, calls and the snippet for the customer's site."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.generic import TemplateView

from call_tracking import selectors, services
from call_tracking.forms import TrackingPoolSettingsForm
from customers.tenancy import CustomerRequiredMixin, get_scoped_or_404

CHART_WIDTH, CHART_HEIGHT = 720, 160


class CallTrackingView(CustomerRequiredMixin, TemplateView):
    template_name = "call_tracking/pool_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pools = list(selectors.tracking_pools_for(self.customer))
        context["rows"] = selectors.pools_figures(pools)
        context["group_id"] = self.customer.pk
        return context


def chart(figures: selectors.PoolFigures) -> dict:
    """Bars of the hourly peak of simultaneous sessions, scaled against the pool size (inline SVG)."""
    series = figures.series
    top = max([figures.size, *(value for _, value in series)], default=1) or 1
    width = CHART_WIDTH / max(len(series), 1)
    bars = []
    for index, (hour, value) in enumerate(series):
        height = CHART_HEIGHT * value / top
        bars.append(
            {
                "x": round(index * width + 1, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "width": round(width - 2, 1),
                "height": round(height, 1),
                "value": value,
                "hour": hour,
                "warn": figures.size and value / figures.size > selectors.UTILISATION_WARNING,
            }
        )

    def line_at(fraction: float) -> float:
        return round(CHART_HEIGHT - CHART_HEIGHT * figures.size * fraction / top, 1)

    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "size_y": line_at(1.0),
        "warn_y": line_at(selectors.UTILISATION_WARNING),
        "first": series[0][0] if series else None,
        "last": series[-1][0] if series else None,
    }


class CallTrackingPoolView(CustomerRequiredMixin, TemplateView):
    template_name = "call_tracking/pool_detail.html"

    def get_pool(self):
        return get_scoped_or_404(
            selectors.tracking_pools_for(self.customer), self.customer, pk=self.kwargs["numberpool_id"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pool = kwargs.get("pool") or self.get_pool()
        figures = selectors.pool_figures(pool)
        script_url = self.request.build_absolute_uri(static("js/swap.js"))
        context.update(
            pool=pool,
            figures=figures,
            chart=chart(figures),
            calls=selectors.recent_calls(pool),
            snippet=f'<script src="{script_url}" data-pool="{pool.public_key}" async></script>',
            form=kwargs.get("form")
            or TrackingPoolSettingsForm(
                initial={"site_domains": "\n".join(pool.site_domains), "exhaustion_policy": pool.exhaustion_policy}
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        pool = self.get_pool()
        form = TrackingPoolSettingsForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(pool=pool, form=form))
        try:
            services.tracking_pool_update(pool=pool, **form.cleaned_data)
        except services.TrackingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Settings of {pool.name} saved.")
        return redirect("dashboard:call_tracking_pool", numberpool_id=pool.pk)
