"""Dashboard pages of campaigns: the list with folders and cards, the campaign page, the wizard."""

from django.contrib import messages
from django.db import IntegrityError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from campaigns import selectors, services
from campaigns.blocks import ListBlock, bind_blocks, block_report, blocks_input, blocks_valid
from campaigns.contract import edit_refusal
from campaigns.dialer import lines_in_use
from campaigns.filters import CampaignFilter
from campaigns.models import CampaignStatus
from customers.tenancy import CustomerRequiredMixin

FOLDERS = [("all", "All"), *CampaignStatus.choices]
PAGE_SIZE = 24


class CampaignListView(CustomerRequiredMixin, TemplateView):
    template_name = "campaigns/campaign_list.html"

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context_data(**kwargs)
        data = self.request.GET.copy()
        data.setdefault("sort", "newest")
        campaign_filter = CampaignFilter(data, queryset=selectors.campaign_cards(self.customer), customer=self.customer)
        page = Paginator(campaign_filter.qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        counts = selectors.folder_counts(self.customer)
        current = self.request.GET.get("status") or "all"
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("status", None)
        context.update(
            filter=campaign_filter,
            page=page,
            campaigns=page.object_list,
            folders=[
                {"key": key, "label": label, "count": counts.get(key, 0), "active": key == current}
                for key, label in FOLDERS
            ],
            query=query.urlencode(),
        )
        return context


# The legal-hours warning where it can still matter: a finished campaign calls nobody again.
LEGAL_WARNING_STATUSES = {CampaignStatus.DRAFT, CampaignStatus.LAUNCHED, CampaignStatus.PAUSED}


class CampaignDetailView(CustomerRequiredMixin, TemplateView):
    template_name = "campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = selectors.campaign_for(self.customer, self.kwargs["campaign_id"])
        actions = [
            (action, label) for action, (label, from_statuses, _) in ACTIONS.items() if campaign.status in from_statuses
        ]
        context.update(
            campaign=campaign,
            actions=actions,
            edit_refusal=edit_refusal(campaign),
            transitions=campaign.transitions.select_related("by"),
            lines_in_use=lines_in_use(campaign.pk),
            legal_conflict=(
                selectors.legal_hours_conflict(campaign) if campaign.status in LEGAL_WARNING_STATUSES else None
            ),
            not_calling=selectors.not_calling_now(campaign),
        )
        return context


# action → (button label, statuses that show the button, the service)
ACTIONS = {
    "launch": ("Launch", {CampaignStatus.DRAFT}, services.campaign_launch),
    "pause": ("Pause", {CampaignStatus.LAUNCHED}, services.campaign_pause),
    "resume": ("Resume", {CampaignStatus.PAUSED}, services.campaign_resume),
    "finish": ("Finish", {CampaignStatus.LAUNCHED, CampaignStatus.PAUSED}, services.campaign_finish),
}


class CampaignActionView(CustomerRequiredMixin, View):
    """The status buttons: POST only, each through the one status machine."""

    def post(self, request, campaign_id: int, action: str):
        campaign = selectors.campaign_for(self.customer, campaign_id)
        if action not in ACTIONS:
            messages.error(request, f"Unknown action “{action}”.")
            return redirect("dashboard:campaign_detail", campaign_id=campaign.pk)
        try:
            ACTIONS[action][2](campaign=campaign, user=request.user)
        except services.CampaignStateError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}.")
        return redirect("dashboard:campaign_detail", campaign_id=campaign.pk)


class CampaignWizardView(CustomerRequiredMixin, View):
    """ "+ New campaign" and "Edit": the four numbered blocks (SPEC §5).

    The page posts ``action=validate`` as the user types and gets each block's
    state and messages back; the server's validation is the authority.
    """

    template_name = "campaigns/wizard.html"

    def _campaign(self):
        campaign_id = self.kwargs.get("campaign_id")
        return selectors.campaign_for(self.customer, campaign_id) if campaign_id else None

    def get(self, request, campaign_id: int | None = None):
        campaign = self._campaign()
        refusal = edit_refusal(campaign) if campaign is not None else None
        if campaign is not None and refusal:
            messages.error(request, refusal)
            return redirect("dashboard:campaign_detail", campaign_id=campaign.pk)
        blocks = bind_blocks(customer=self.customer, campaign=campaign)
        return self._render(campaign, blocks, report=None)

    def post(self, request, campaign_id: int | None = None):
        campaign = self._campaign()
        refusal = edit_refusal(campaign) if campaign is not None else None
        if campaign is not None and refusal:
            messages.error(request, refusal)
            return redirect("dashboard:campaign_detail", campaign_id=campaign.pk)
        action = request.POST.get("action", "draft")
        # Only while the user goes through the wizard: a save takes what the page showed.
        blocks = bind_blocks(customer=self.customer, data=request.POST, campaign=campaign, suggest=action == "validate")
        if action == "validate":
            return JsonResponse(
                {
                    "blocks": block_report(blocks),
                    "mapping_html": render_to_string(
                        "campaigns/_mapping.html", {"block": blocks["list"]}, request=request
                    ),
                }
            )
        if not blocks_valid(blocks):
            messages.error(request, "Some blocks are not filled in correctly: see the marked fields.")
            return self._render(campaign, blocks, report=block_report(blocks), status=400)
        try:
            if campaign is None:
                campaign = services.campaign_create(
                    customer=self.customer,
                    data=blocks_input(blocks),
                    user=request.user,
                    launch=action == "launch",
                )
                verb = "launched" if action == "launch" else "saved as a draft"
            else:
                campaign = services.campaign_update(campaign=campaign, data=blocks_input(blocks), user=request.user)
                verb = "saved"
        except services.CampaignStateError as exc:
            messages.error(request, str(exc))
            list_block = blocks["list"]
            if isinstance(exc, services.CampaignListRefused) and isinstance(list_block, ListBlock):
                list_block.launch_refusal = str(exc)  # beside the list choice too
            return self._render(campaign, blocks, report=block_report(blocks), status=409)
        except IntegrityError:
            messages.error(request, "Another campaign with this name was saved meanwhile: choose another name.")
            return self._render(campaign, blocks, report=block_report(blocks), status=409)
        messages.success(request, f"Campaign “{campaign.name}” {verb}.")
        return redirect("dashboard:campaigns")

    def _render(self, campaign, blocks, *, report, status=200):
        sections = []
        for block in blocks.values():
            state = "pending"
            if report:
                state = "valid" if report[block.key]["valid"] else "invalid"
                for name in block.errors:
                    if name in block.fields:
                        block.fields[name].widget.attrs.update({"class": "invalid", "aria-invalid": "true"})
            sections.append({"block": block, "state": state})
        context = {
            "campaign": campaign,
            "sections": sections,
            "validate_url": request_path(self.request),
            "list_columns": blocks["list"].columns_by_list,
        }
        return render(self.request, self.template_name, context, status=status)


def request_path(request) -> str:
    return request.path or reverse("dashboard:campaign_create")
