"""A DID's own history page: read-only, in words, in the customer's time zone.

Reverting is not offered: a DID changes state only through the DID services
(transition rules, audit row), and an old snapshot written back would skip them.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import ForeignKey
from django.http import HttpResponseNotAllowed
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.template_utils import HistoricalRecordContextHelper

from dids.models import DID, DIDStatus

STATUS_FIELDS = ("status", "after_hold_status")


class DIDHistoryHelper(HistoricalRecordContextHelper):
    """Statuses by their labels, empty links as a dash, times to the minute in the active zone."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value in (None, ""):
            return "—"
        if change.field in STATUS_FIELDS:
            return DIDStatus(value).label
        if isinstance(field, ForeignKey):
            return "—" if getattr(value, "pk", None) is None else str(value)
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "j M Y H:i")
        return super().prepare_delta_change_value(change, value)


def _zone(did: DID | None) -> zoneinfo.ZoneInfo:
    name = did.customer.time_zone if did is not None and did.customer is not None else settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


if TYPE_CHECKING:
    # The mixin is typed as the admin it is mixed into (django-simple-history has no types: Any).
    from simple_history.admin import SimpleHistoryAdmin as _HistoryAdminBase
else:
    _HistoryAdminBase = object


class DIDHistoryMixin(_HistoryAdminBase):
    """For DIDAdmin (a SimpleHistoryAdmin), which names the history templates."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return DIDHistoryHelper(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        did = DID.objects.select_related("customer").filter(pk=object_id).first()
        zone = _zone(did)
        with timezone.override(zone):
            response = super().history_view(
                request, object_id, extra_context={**(extra_context or {}), "history_zone": str(zone)}
            )
            if hasattr(response, "render"):
                response.render()
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        did = DID.objects.select_related("customer").filter(pk=object_id).first()
        with timezone.override(_zone(did)):
            response = super().history_form_view(request, object_id, version_id, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response
