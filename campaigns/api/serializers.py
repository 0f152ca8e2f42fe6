"""What the campaigns API returns and takes.

A campaign's fields are read by ``CampaignWriteSerializer``
(``campaigns/api/campaign_input.py``), with the contract the wizard's forms
use too; a campaign is returned with the same field names.
"""

from rest_framework import serializers

from campaigns.api.campaign_input import CampaignWriteSerializer
from campaigns.models import App, Campaign, RepeatOutcome


class AppSerializer(serializers.ModelSerializer):
    is_global = serializers.BooleanField()
    variables = serializers.ListField(child=serializers.CharField(), help_text="Placeholders of the scenario.")
    scenario = serializers.JSONField(help_text="The ordered steps (say, play, gather, transfer, hangup).")

    class Meta:
        model = App
        fields = ["id", "name", "description", "is_global", "tts_voice", "variables", "scenario", "updated_at"]


class StatisticsSerializer(serializers.Serializer):
    contacts = serializers.IntegerField(source="stat_contacts")
    called = serializers.IntegerField(source="stat_called")
    answered = serializers.IntegerField(source="stat_answered")
    no_answer = serializers.IntegerField(source="stat_no_answer")
    busy = serializers.IntegerField(source="stat_busy")
    failed = serializers.IntegerField(source="stat_failed")
    done = serializers.IntegerField(source="stat_done", help_text="Contacts with no call left.")
    suppressed = serializers.IntegerField(source="stat_suppressed", help_text="Contacts on a do-not-call list.")
    remaining = serializers.IntegerField()
    progress_percent = serializers.IntegerField()


class CampaignStatisticsSerializer(StatisticsSerializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    attempts_by_outcome = serializers.DictField(
        child=serializers.IntegerField(), help_text="Ended attempts per outcome (answered, no_answer, busy, failed)."
    )
    attempts_by_cause = serializers.DictField(child=serializers.IntegerField(), help_text="Ended attempts per cause.")


class CampaignSerializer(CampaignWriteSerializer):
    """A campaign as the API returns it: the fields a client sets, and what the platform adds."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    a_number_display = serializers.CharField()
    created_at = serializers.DateTimeField()
    launched_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    statistics = StatisticsSerializer(source="*")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = True  # every field is in every answer
        return fields

    def to_representation(self, campaign: Campaign) -> dict:
        data = {
            "id": campaign.pk,
            "status": campaign.status,
            "name": campaign.name,
            "comment": campaign.comment,
            "a_number": f"did:{campaign.a_number_did_id}"
            if campaign.a_number_did_id
            else f"pool:{campaign.a_number_pool_id}",
            "a_number_display": campaign.a_number_did.number
            if campaign.a_number_did_id
            else str(campaign.a_number_pool),
            "app": campaign.app_id,
            "distribution_list": campaign.distribution_list_id,
            "variable_mapping": campaign.variable_mapping,
            "all_day": campaign.all_day,
            "work_start": campaign.work_start.strftime("%H:%M") if campaign.work_start else None,
            "work_end": campaign.work_end.strftime("%H:%M") if campaign.work_end else None,
            "work_days": campaign.weekdays,
            "lines": campaign.lines,
            "short_call_seconds": campaign.short_call_seconds,
            "repeat_total_cap": campaign.repeat_total_cap,
            "scheduled_at": serializers.DateTimeField().to_representation(campaign.scheduled_at)
            if campaign.scheduled_at
            else None,
            "subscriber_time_zone": campaign.subscriber_time_zone,
            "time_zone": campaign.time_zone,
        }
        for outcome in RepeatOutcome.values:
            enabled, count, period = campaign.repeat_rule(outcome)
            data.update(
                {f"repeat_{outcome}": enabled, f"repeat_{outcome}_count": count, f"repeat_{outcome}_period": period}
            )
        stamp = serializers.DateTimeField()
        data.update(
            created_at=stamp.to_representation(campaign.created_at),
            launched_at=stamp.to_representation(campaign.launched_at) if campaign.launched_at else None,
            finished_at=stamp.to_representation(campaign.finished_at) if campaign.finished_at else None,
            statistics=StatisticsSerializer(campaign).data,
        )
        return data


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
