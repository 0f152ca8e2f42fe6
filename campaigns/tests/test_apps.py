import json
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns import services
from campaigns.audio import phone_audio_path
from campaigns.models import App, AudioFile
from campaigns.tests.factories import AppFactory, GlobalAppFactory
from customers.tests.factories import CustomerFactory

WAV_HEADER = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 28


def test_variables_follow_the_scenario_on_save(customer):
    app = AppFactory(customer=customer)
    assert app.variables == ["name", "code"]
    app.scenario = [{"id": "a", "type": "say", "text": "Hi {first}"}]
    services.app_save(app=app)
    assert App.objects.get(pk=app.pk).variables == ["first"]


def test_app_save_refuses_an_invalid_scenario(customer):
    app = App(customer=customer, name="Broken", scenario=[{"id": "a", "type": "transfer", "number": "0"}])
    with pytest.raises(ValidationError, match="not a valid international number"):
        services.app_save(app=app)
    assert not App.objects.filter(name="Broken").exists()


def test_an_app_cannot_play_another_customers_recording(customer):
    other = AudioFile.objects.create(
        name="theirs", customer=CustomerFactory(), file="audio/x.wav", content_type="audio/wav", size=1
    )
    app = App(customer=customer, name="Steal", scenario=[{"id": "p", "type": "play", "audio": other.pk}])
    with pytest.raises(ValidationError, match="not available to this app"):
        services.app_save(app=app)


def test_database_refuses_an_app_both_global_and_owned(customer):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        App.objects.create(customer=customer, is_global=True, name="Both", scenario=[])


def sound(kind: str, tmp_path) -> bytes:
    """A real half-second recording (sox) as WAV, MP3 or OGG bytes."""
    import shutil
    import subprocess

    if shutil.which("sox") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("sox is not installed (Debian: sox, libsox-fmt-mp3)")
        pytest.skip("sox is not installed (Debian: sox, libsox-fmt-mp3)")
    path = tmp_path / f"tone.{kind}"
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(path), "synth", "0.5", "sine", "440"], check=True)
    return path.read_bytes()


@pytest.mark.parametrize(("kind", "expected"), [("wav", "audio/wav"), ("mp3", "audio/mpeg"), ("ogg", "audio/ogg")])
def test_audio_type_is_decided_by_content_and_a_telephone_version_is_made_beside_it(
    customer, settings, tmp_path, kind, expected
):
    import wave

    settings.MEDIA_ROOT = tmp_path / "media"
    content = sound(kind, tmp_path)
    audio = services.audio_file_create(name="jingle", uploaded=SimpleUploadedFile("x.bin", content), customer=customer)
    assert audio.content_type == expected
    assert audio.phone_file.name == f"audio/customer-{customer.pk}/x.phone.wav"  # beside the original
    with wave.open(phone_audio_path(audio.pk)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
        assert 3900 <= wav.getnframes() <= 4700  # half a second


def test_audio_that_cannot_be_converted_is_refused_at_upload(customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match=r"“x\.wav” cannot be converted for calls"):
        services.audio_file_create(name="x", uploaded=SimpleUploadedFile("x.wav", WAV_HEADER), customer=customer)
    settings.AUDIO_MAX_SECONDS = 1
    long = tmp_path / "long.wav"
    import subprocess

    sound("wav", tmp_path)  # skips without sox
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", str(long), "synth", "3", "sine", "440"], check=True)
    with pytest.raises(ValidationError, match="longer than"):
        services.audio_file_create(
            name="x", uploaded=SimpleUploadedFile("long.wav", long.read_bytes()), customer=customer
        )
    assert not AudioFile.objects.exists()


def test_admin_refuses_an_upload_it_cannot_convert_and_keeps_one_it_can(
    client, admin_user, customer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    url = reverse("admin:campaigns_audiofile_add")
    broken = SimpleUploadedFile("broken.wav", WAV_HEADER + b"\x01" * 64)
    response = client.post(url, {"name": "Broken", "customer": customer.pk, "file": broken})
    assert response.status_code == 200
    assert "“broken.wav” cannot be converted for calls" in response.content.decode()
    assert not AudioFile.objects.exists()
    good = SimpleUploadedFile("hello.ogg", sound("ogg", tmp_path))
    assert client.post(url, {"name": "Hello", "customer": customer.pk, "file": good}).status_code == 302
    audio = AudioFile.objects.get(name="Hello")
    assert audio.content_type == "audio/ogg" and audio.phone_file.name.endswith("hello.phone.wav")
    assert (tmp_path / audio.phone_file.name).exists()


@pytest.mark.parametrize("is_global", [False, True])
def test_a_recording_without_its_owner_in_the_admin_says_what_to_choose_not_the_constraint(
    client, admin_user, customer, settings, tmp_path, is_global
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    not_audio = SimpleUploadedFile("notes.wav", b"not a recording")
    data = {"name": "Hello", "file": not_audio}
    if is_global:
        data |= {"is_global": "on", "customer": customer.pk}
    response = client.post(reverse("admin:campaigns_audiofile_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    expected = (
        "A global recording belongs to no customer: clear the customer or untick Global."
        if is_global
        else "Choose the customer this recording belongs to, or tick Global."
    )
    assert errors["customer"] == [expected]
    assert "__all__" not in errors and "violated" not in response.content.decode()
    assert not AudioFile.objects.exists()


def test_an_mp3_uploaded_in_the_admin_is_stored_as_the_service_stores_it(
    client, admin_user, customer, settings, tmp_path
):
    import wave

    settings.MEDIA_ROOT = tmp_path / "media"
    content = sound("mp3", tmp_path)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:campaigns_audiofile_add"),
        {"name": "Jingle", "customer": customer.pk, "file": SimpleUploadedFile("jingle.mp3", content)},
    )
    assert response.status_code == 302
    through_admin = AudioFile.objects.get(name="Jingle")
    through_service = services.audio_file_create(
        name="Jingle 2", uploaded=SimpleUploadedFile("jingle2.mp3", content), customer=customer
    )
    assert (through_admin.content_type, through_admin.size) == ("audio/mpeg", len(content))
    assert through_admin.phone_file.name == f"audio/customer-{customer.pk}/jingle.phone.wav"
    assert through_admin.file.read() == content
    # One conversion, whichever way the recording came in (sox dithers, so the samples differ slightly).
    with wave.open(phone_audio_path(through_admin.pk)) as ours, wave.open(phone_audio_path(through_service.pk)) as svc:
        assert (ours.getframerate(), ours.getnchannels(), ours.getsampwidth()) == (8000, 1, 2)
        assert ours.getparams() == svc.getparams()


def test_a_broken_mp3_in_the_admin_is_a_form_error_naming_the_file_and_nothing_is_stored(
    client, admin_user, customer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    sound("mp3", tmp_path)  # skips without sox
    client.force_login(admin_user)
    broken = SimpleUploadedFile("broken.mp3", b"ID3" + b"\x00" * 512)
    response = client.post(
        reverse("admin:campaigns_audiofile_add"), {"name": "Broken", "customer": customer.pk, "file": broken}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["file"]
    assert errors["file"][0].startswith("“broken.mp3” cannot be converted for calls: ")
    assert errors["file"][0].endswith("Upload a WAV, MP3 or OGG recording that plays.")
    assert not AudioFile.objects.exists()
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.*"))


def test_editing_a_recording_in_the_admin_keeps_or_replaces_it_through_the_service(
    client, admin_user, customer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    audio = services.audio_file_create(
        name="Hello", uploaded=SimpleUploadedFile("hello.wav", sound("wav", tmp_path)), customer=customer
    )
    client.force_login(admin_user)
    url = reverse("admin:campaigns_audiofile_change", args=[audio.pk])
    assert client.post(url, {"name": "Hello again", "customer": customer.pk}).status_code == 302
    kept = AudioFile.objects.get(pk=audio.pk)
    assert (kept.name, kept.content_type, kept.phone_file.name) == ("Hello again", "audio/wav", audio.phone_file.name)
    replacement = SimpleUploadedFile("bye.ogg", sound("ogg", tmp_path))
    assert client.post(url, {"name": "Bye", "customer": customer.pk, "file": replacement}).status_code == 302
    replaced = AudioFile.objects.get(pk=audio.pk)
    assert replaced.content_type == "audio/ogg" and replaced.phone_file.name.endswith("bye.phone.wav")
    refused = client.post(
        url, {"name": "Bye", "customer": customer.pk, "file": SimpleUploadedFile("x.wav", WAV_HEADER)}
    )
    assert refused.status_code == 200 and "“x.wav” cannot be converted for calls" in refused.content.decode()
    assert AudioFile.objects.get(pk=audio.pk).content_type == "audio/ogg"


def test_a_play_step_of_a_recording_without_telephone_version_is_refused(customer):
    old = AudioFile.objects.create(
        name="old", customer=customer, file="audio/old.wav", content_type="audio/wav", size=1
    )
    app = App(customer=customer, name="Old", scenario=[{"id": "p", "type": "play", "audio": old.pk}])
    with pytest.raises(ValidationError, match="no telephone version"):
        services.app_save(app=app)
    with pytest.raises(LookupError, match="no telephone version"):
        phone_audio_path(old.pk)


def test_convert_recordings_makes_the_telephone_version_of_old_uploads_and_names_those_it_cannot(
    customer, settings, tmp_path
):
    import wave
    from io import StringIO

    from django.core.files.base import ContentFile
    from django.core.management import CommandError, call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    old, broken = (
        AudioFile(name=name, customer=customer, content_type="audio/mpeg", size=len(content))
        for name, content in (("old", sound("mp3", tmp_path)), ("broken", b"ID3" + b"\x00" * 64))
    )
    old.file.save("old.mp3", ContentFile(sound("mp3", tmp_path)))  # as uploads were stored before (no phone_file)
    broken.file.save("broken.mp3", ContentFile(b"ID3" + b"\x00" * 64))
    app = App(customer=customer, name="Old", scenario=[{"id": "p", "type": "play", "audio": old.pk}])
    with pytest.raises(ValidationError, match="no telephone version"):
        services.app_save(app=app)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="cannot be converted"):
        call_command("convert_recordings", stdout=out, stderr=err)
    assert f"converted: old (#{old.pk})" in out.getvalue()
    assert f"not converted: broken (#{broken.pk}): “" in err.getvalue()
    assert "1 converted, 1 could not be converted" in out.getvalue()
    with wave.open(phone_audio_path(old.pk)) as wav:
        assert (wav.getframerate(), wav.getnchannels()) == (8000, 1)
    services.app_save(app=app)  # plays now
    broken.refresh_from_db()
    assert not broken.phone_file


def test_the_apps_voice_is_chosen_among_the_engines_voices_and_reaches_every_call(client, admin_user, customer):
    from campaigns.dialer import dialer_tick
    from campaigns.models import CallAttempt
    from campaigns.tests.dialer.helpers import dialer_campaign

    class Voices:
        name = "fake"

        def voices(self):
            return {"en": "English", "fr": "French"}

    client.force_login(admin_user)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("telephony.sip.tts.tts_engine", lambda: Voices())
        page = client.get(reverse("admin:campaigns_app_add")).content.decode()
        assert "Platform default (en)" in page and "French (fr)" in page
        scenario = json.dumps(
            [
                {"id": "a", "type": "say", "text": "Bonjour {name}"},
                {"id": "m", "type": "gather", "digits": 1, "timeout": 3},
            ]
        )
        data = {"name": "X", "is_global": "on", "tts_voice": "xx", "scenario": scenario}
        refused = client.post(reverse("admin:campaigns_app_add"), data)
        assert refused.status_code == 200 and not App.objects.filter(name="X").exists()
        data = {"name": "Bonjour", "customer": customer.pk, "tts_voice": "fr", "scenario": scenario}
        assert client.post(reverse("admin:campaigns_app_add"), data).status_code == 302
    app = App.objects.get(name="Bonjour")
    assert app.tts_voice == "fr"
    campaign = dialer_campaign(customer, contacts=1, lines=1, app=app, all_day=True)
    dialer_tick()
    steps = CallAttempt.objects.get(campaign=campaign).scenario
    assert [step.get("voice") for step in steps] == ["fr", "fr"]
    with pytest.raises(ValidationError, match="A voice is a code"):
        App(customer=customer, name="Bad", tts_voice="-w /tmp/x", scenario=[]).full_clean(exclude=["scenario"])


def test_audio_that_is_not_audio_or_too_big_is_refused(customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match="not a WAV, MP3 or OGG"):
        services.audio_file_create(name="x", uploaded=SimpleUploadedFile("x.wav", b"%PDF-1.4" * 4), customer=customer)
    settings.AUDIO_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="at most"):
        services.audio_file_create(name="x", uploaded=SimpleUploadedFile("x.wav", WAV_HEADER), customer=customer)


def test_admin_shows_scenario_errors(client, admin_user, customer):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:campaigns_app_add"),
        {
            "name": "Menu",
            "customer": customer.pk,
            "scenario": '[{"id": "m", "type": "gather", "digits": 1, "timeout": 99, "branches": {"1": "x"}}]',
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "out of the permitted range 1–60" in html
    assert "points at &#x27;x&#x27;" in html
    assert not App.objects.exists()


def test_admin_creates_a_valid_app(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:campaigns_app_add"),
        {"name": "Hello", "is_global": "on", "scenario": '[{"id": "a", "type": "say", "text": "Hi {name}"}]'},
    )
    assert response.status_code == 302
    app = App.objects.get(name="Hello")
    assert app.is_global and app.variables == ["name"] and app.updated_by == admin_user


def test_dashboard_lists_own_and_global_apps_only(customer_client, customer):
    own = AppFactory(customer=customer, name="Mine")
    shared = GlobalAppFactory(name="Shared")
    AppFactory(name="Someone else's")
    html = customer_client.get(reverse("dashboard:apps")).content.decode()
    assert own.name in html and shared.name in html
    assert "Someone else" not in html


def test_app_page_previews_texts_for_sample_values(customer_client, customer):
    app = AppFactory(customer=customer)
    html = customer_client.get(reverse("dashboard:app_detail", args=[app.pk]), {"name": "Ada", "code": "X1"})
    assert "Hello Ada, your code is X1." in html.content.decode()
    default = customer_client.get(reverse("dashboard:app_detail", args=[app.pk])).content.decode()
    assert "Hello [name], your code is [code]." in default


def test_global_app_page_is_visible_to_every_customer(customer_client):
    app = GlobalAppFactory()
    assert customer_client.get(reverse("dashboard:app_detail", args=[app.pk])).status_code == 200


def test_app_pages_run_a_fixed_number_of_queries(customer_client, customer, django_assert_max_num_queries):
    for _ in range(30):
        AppFactory(customer=customer)
    with django_assert_max_num_queries(8):
        customer_client.get(reverse("dashboard:apps"))


def test_cause_code_help_page_lists_every_code(customer_client):
    from campaigns.causes import CAUSES

    html = customer_client.get(reverse("dashboard:cause_codes")).content.decode()
    for code, cause in CAUSES.items():
        assert f'id="cause-{code}"' in html and cause.title in html


@pytest.mark.parametrize("url", ["/admin/campaigns/audiofile/", "/admin/campaigns/app/"])
def test_the_customer_filter_names_global_rather_than_a_dash(admin_client, customer, url):
    response = admin_client.get(url)
    [customer_filter] = [spec for spec in response.context["cl"].filter_specs if spec.title == "customer"]
    choices = [choice["display"] for choice in customer_filter.choices(response.context["cl"])]
    assert choices[-1] == "Global (every customer)" and "-" not in choices
