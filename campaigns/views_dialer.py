"""The dialer's live progress for the campaign cards and the campaign page (polled JSON)."""

from django.http import JsonResponse
from django.views import View

from campaigns.dialer.progress import campaigns_progress
from customers.tenancy import CustomerRequiredMixin


class CampaignProgressView(CustomerRequiredMixin, View):
    """``GET ?ids=1,2,3`` → ``{"campaigns": {"1": {...}, ...}}``; ids that are not numbers are a 400."""

    def get(self, request):
        raw = [part for part in request.GET.get("ids", "").split(",") if part.strip()]
        try:
            ids = [int(part) for part in raw]
        except ValueError:
            return JsonResponse({"error": "ids must be campaign numbers separated by commas, e.g. ids=1,2"}, status=400)
        return JsonResponse({"campaigns": campaigns_progress(self.customer, ids)})
