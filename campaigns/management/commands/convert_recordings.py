"""`manage.py convert_recordings`: make the telephone version of recordings uploaded before uploads made it.

Uploads are converted with sox when they arrive (campaigns/audio.py); a recording uploaded
before that has no telephone version, so the SIP engine cannot play it and an app playing it is
refused on save. Run once after upgrading (and again whenever it reports a recording sox could
not read, after installing what it names). Recordings already converted are left alone.
"""

from django.core.management.base import BaseCommand, CommandError

from campaigns.services import audio_files_convert_missing


class Command(BaseCommand):
    help = "Make the telephone version (8 kHz mono WAV) of recordings uploaded without one."

    def handle(self, *args, **options):
        converted, refused = audio_files_convert_missing()
        for audio in converted:
            self.stdout.write(f"converted: {audio.name} (#{audio.pk})")
        for audio, why in refused:
            self.stderr.write(f"not converted: {audio.name} (#{audio.pk}): {why}")
        self.stdout.write(f"{len(converted)} converted, {len(refused)} could not be converted")
        if refused:
            raise CommandError("some recordings cannot be converted; upload them again in a format that plays")
