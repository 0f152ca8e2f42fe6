"""Every write to apps and audio files (campaigns and the dialer add theirs here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from call_tracking.selectors import caller_id_refusal, tracking_pools_serving
from campaigns import scenario as scenario_rules
from campaigns.audio import Recording, phone_version, recording_from_upload
from campaigns.contract import BLOCK_KEYS, EDITABLE_BLOCKS, SETTINGS_AS_GIVEN, CampaignInput, edit_refusal
from campaigns.dialer import campaign_jobs_cancel, campaign_snapshot
from campaigns.models import App, AudioFile, Campaign, CampaignStatus

# The status machine is part of the services' interface: re-exported.
from campaigns.transitions import TRANSITIONS as TRANSITIONS
from campaigns.transitions import VERBS as VERBS
from campaigns.transitions import CampaignStateError as CampaignStateError
from campaigns.transitions import campaign_transition as campaign_transition
from campaigns.transitions import transition_refusal as transition_refusal
from distribution_lists.models import Contact, DistributionList

if TYPE_CHECKING:
    from customers.models import Customer, User


def audio_ids_for(*, customer: Customer | None, is_global: bool) -> set[int]:
    """Recordings an app of this owner may play: its own and the global ones."""
    return set(_audio_of(customer=customer, is_global=is_global).values_list("pk", flat=True))


def _audio_of(*, customer: Customer | None, is_global: bool) -> QuerySet[AudioFile]:
    owner = Q(is_global=True) if is_global else Q(customer=customer) | Q(is_global=True)
    return AudioFile.objects.filter(owner)


def unconverted_audio_ids_for(*, customer: Customer | None, is_global: bool) -> set[int]:
    """Those of them without a telephone version (uploaded before uploads were converted): calls cannot play them."""
    return set(_audio_of(customer=customer, is_global=is_global).filter(phone_file="").values_list("pk", flat=True))


@transaction.atomic
def app_save(*, app: App, user: User | None = None) -> App:
    """Validate the scenario as a whole and save the app (new or changed)."""
    scenario_rules.validate_scenario(
        app.scenario,
        audio_ids=audio_ids_for(customer=app.customer, is_global=app.is_global),
        unconverted_ids=unconverted_audio_ids_for(customer=app.customer, is_global=app.is_global),
    )
    app.updated_by = user
    app.full_clean(exclude=["scenario"])
    app.save()
    return app


@transaction.atomic
def audio_file_create(
    *, name: str, uploaded: UploadedFile, customer: Customer | None = None, is_global: bool = False
) -> AudioFile:
    """A recording, with its telephone version made now (refused when it cannot be converted)."""
    audio = AudioFile(name=name, customer=customer, is_global=is_global)
    return audio_file_save(audio=audio, recording=recording_from_upload(uploaded))


@transaction.atomic
def audio_file_save(*, audio: AudioFile, recording: Recording | None) -> AudioFile:
    """Store ``audio`` (new or changed name and owner) with ``recording`` (``recording_from_upload``)
    replacing its file, type, size and telephone version; None keeps the recording it has."""
    if recording is not None:
        audio.file = recording.original
        audio.content_type = recording.content_type
        audio.size = recording.size
        audio.phone_file = recording.phone_file
    elif audio.pk is None:
        raise ValidationError("A new audio file needs a recording.")
    audio.full_clean()
    audio.save()
    return audio


def audio_files_convert_missing() -> tuple[list[AudioFile], list[tuple[AudioFile, str]]]:
    """Make the telephone version of recordings uploaded before uploads made it (so calls can play them).

    Returns (converted, [(refused, why)]); a recording sox cannot convert keeps no telephone version,
    and an app playing it stays refused on save with that reason."""
    converted: list[AudioFile] = []
    refused: list[tuple[AudioFile, str]] = []
    for audio in AudioFile.objects.filter(phone_file="").order_by("pk"):
        try:
            with audio.file.open("rb") as original:
                audio.phone_file = phone_version(original, audio.content_type)
        except (ValidationError, OSError) as exc:
            refused.append((audio, " ".join(getattr(exc, "messages", [str(exc)]))))
            continue
        audio.save(update_fields=["phone_file"])
        converted.append(audio)
    return converted, refused


# --- Campaign status machine (campaigns/transitions.py) ------------------------


class CampaignListRefused(CampaignStateError):
    """A launch refused because of the campaign's list: the wizard shows it beside the list choice."""

    field = "distribution_list"


def _rows(n: int) -> str:
    return "its one row was" if n == 1 else f"all {n} rows were"


def list_not_callable(lst: DistributionList) -> str | None:
    """Why a ready list has no contact a campaign could call, or None when it has some.

    From the list's own counters and one probe of its contacts (the rows the launch copies).
    """
    if Contact.objects.filter(distribution_list=lst).exists():
        return None
    if lst.incorrect_count:
        why = f"{_rows(lst.incorrect_count)} incorrect"
        if lst.duplicate_count:
            why += f" (and {lst.duplicate_count} duplicate{'s' if lst.duplicate_count != 1 else ''})"
        how = "fix its incorrect rows on the list's page, or choose another list"
    else:
        why, how = "it has no rows", "choose another list"
    return f"Distribution list “{lst.name}” has no contacts that can be called: {why}. To launch, {how}."


def a_number_launch_refusal(campaign: Campaign) -> str | None:
    """Why ``campaign``'s A-number may not place calls: its DID, or members of its pool, serve a
    call-tracking pool (numbers that track calls for a web site are never an outgoing caller ID)."""
    from callerid_pools.models import NumberPoolMember

    did = campaign.a_number_did
    if did is not None:
        dids = {did.pk: did.number}
    elif campaign.a_number_pool_id is not None:
        dids = dict(
            NumberPoolMember.objects.filter(pool_id=campaign.a_number_pool_id).values_list("did_id", "did__number")
        )
    else:
        return None
    serving = tracking_pools_serving(dids)
    if not serving:
        return None
    if did is not None:
        return caller_id_refusal(did.number, serving[did.pk])
    named = ", ".join(f"{dids[pk]} (“{name}”)" for pk, name in sorted(serving.items(), key=lambda i: dids[i[0]]))
    return (
        f"its caller-ID pool “{campaign.a_number_pool}” holds numbers of call-tracking pools: {named}. "
        "A number that tracks calls for a web site cannot be used as an outgoing caller ID: remove them from "
        "the caller-ID pool."
    )


@transaction.atomic
def campaign_launch(*, campaign: Campaign, user: User | None = None) -> Campaign:
    """Draft → launched (a paused campaign is resumed, not launched); the list becomes call jobs.

    Refused (``CampaignListRefused``) when the list has no contact that can be called: every row
    was incorrect, or every contact is on a do-not-call list — the dialer would finish it at once.
    """
    if campaign.status == CampaignStatus.PAUSED:
        raise CampaignStateError(f"Campaign “{campaign.name}” is paused: cannot launch it again; resume it.")
    lst = campaign.distribution_list
    if lst is None or lst.status != "ready":
        raise CampaignStateError(
            f"Campaign “{campaign.name}” has no ready distribution list (it was deleted or is not imported yet): "
            "edit the campaign and choose one."
        )
    refusal = list_not_callable(lst)
    if refusal:
        raise CampaignListRefused(f"Campaign “{campaign.name}” cannot be launched. {refusal}")
    refusal = a_number_launch_refusal(campaign)
    if refusal:
        raise CampaignStateError(f"Campaign “{campaign.name}” cannot be launched: {refusal}")
    status, launched_at = campaign.status, campaign.launched_at
    try:
        with transaction.atomic():
            campaign = campaign_transition(campaign=campaign, to_status=CampaignStatus.LAUNCHED, user=user)
            created = campaign_snapshot(campaign=campaign, now=campaign.launched_at or timezone.now())
            if created and campaign.stat_suppressed == created:
                # Known only once the do-not-call lists are joined: undone with the savepoint.
                raise CampaignListRefused(
                    f"Campaign “{campaign.name}” cannot be launched. Distribution list “{lst.name}” has no contacts "
                    f"that can be called: {'its one contact is' if created == 1 else f'all {created} contacts are'} "
                    "on a do-not-call list."
                )
    except CampaignListRefused:
        campaign.status, campaign.launched_at = status, launched_at
        campaign.stat_contacts = campaign.stat_suppressed = campaign.stat_done = 0
        campaign.dialer_zones = []
        raise
    return campaign


def campaign_pause(*, campaign: Campaign, user: User | None = None) -> Campaign:
    return campaign_transition(campaign=campaign, to_status=CampaignStatus.PAUSED, user=user)


def campaign_resume(*, campaign: Campaign, user: User | None = None) -> Campaign:
    """Paused → launched."""
    if campaign.status != CampaignStatus.PAUSED:
        raise CampaignStateError(
            f"Campaign “{campaign.name}” is {campaign.get_status_display().lower()}: only a paused one resumes."
        )
    return campaign_transition(campaign=campaign, to_status=CampaignStatus.LAUNCHED, user=user)


@transaction.atomic
def campaign_finish(*, campaign: Campaign, user: User | None = None) -> Campaign:
    """Launched or paused → finished by the user: the calls not made yet are cancelled."""
    campaign = campaign_transition(campaign=campaign, to_status=CampaignStatus.FINISHED, user=user)
    campaign_jobs_cancel(campaign=campaign)
    return campaign


# --- Creating and editing campaigns --------------------------------------------


def _apply(campaign: Campaign, data: CampaignInput, blocks: set[str]) -> None:
    """Copy the given blocks of ``data`` that are in ``blocks`` onto ``campaign`` (not saved)."""
    if data.main is not None and "main" in blocks:
        campaign.name = data.main.name
        campaign.comment = data.main.comment
        campaign.a_number_did_id = data.main.a_number_did_id
        campaign.a_number_pool_id = data.main.a_number_pool_id
    if data.app is not None and "app" in blocks:
        campaign.app = data.app.app
    if data.list is not None and "list" in blocks:
        campaign.distribution_list = data.list.distribution_list
        campaign.variable_mapping = dict(data.list.variable_mapping)
    if data.settings is not None and "settings" in blocks:
        settings = data.settings
        for name in SETTINGS_AS_GIVEN:
            setattr(campaign, name, getattr(settings, name))
        campaign.work_days = sum(1 << day for day in settings.work_days)
        for outcome, rule in settings.repeats.items():
            setattr(campaign, f"repeat_{outcome}", rule.enabled)
            setattr(campaign, f"repeat_{outcome}_count", rule.count)
            setattr(campaign, f"repeat_{outcome}_period", rule.period)


@transaction.atomic
def campaign_create(
    *, customer: Customer, data: CampaignInput, user: User | None = None, launch: bool = False
) -> Campaign:
    """A new draft from checked input (campaigns/contract.py) with all four blocks; launched at once when asked."""
    if None in (data.main, data.app, data.list, data.settings):
        raise ValueError("A new campaign needs all four blocks.")
    campaign = Campaign(customer=customer, created_by=user)
    _apply(campaign, data, set(BLOCK_KEYS))
    campaign.save()
    if launch:
        campaign_launch(campaign=campaign, user=user)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, data: CampaignInput, user: User | None = None) -> Campaign:
    """Apply the blocks the campaign's status lets change, under a row lock so a concurrent launch cannot slip in.

    Blocks of ``data`` its status does not let change are left as they are.
    """
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    refusal = edit_refusal(locked)
    if refusal:
        raise CampaignStateError(refusal)
    _apply(locked, data, EDITABLE_BLOCKS[locked.status])
    locked.save()
    return locked
