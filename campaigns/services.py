"""Every write to apps and audio files (campaigns and the dialer add theirs here)."""

from django.db import transaction
from django.db.models import Q

from campaigns import scenario as scenario_rules
from campaigns.audio import sniff_audio
from campaigns.models import App, AudioFile


def audio_ids_for(*, customer, is_global: bool) -> set[int]:
    """Recordings an app of this owner may play: its own and the global ones."""
    owner = Q(is_global=True) if is_global else Q(customer=customer) | Q(is_global=True)
    return set(AudioFile.objects.filter(owner).values_list("pk", flat=True))


@transaction.atomic
def app_save(*, app: App, user=None) -> App:
    """Validate the scenario as a whole and save the app (new or changed)."""
    scenario_rules.validate_scenario(
        app.scenario, audio_ids=audio_ids_for(customer=app.customer, is_global=app.is_global)
    )
    app.updated_by = user
    app.full_clean(exclude=["scenario"])
    app.save()
    return app


@transaction.atomic
def audio_file_create(*, name: str, uploaded, customer=None, is_global: bool = False) -> AudioFile:
    content_type = sniff_audio(uploaded)
    audio = AudioFile(
        name=name, file=uploaded, customer=customer, is_global=is_global, content_type=content_type, size=uploaded.size
    )
    audio.full_clean()
    audio.save()
    return audio
