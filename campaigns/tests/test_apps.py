import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns import services
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


@pytest.mark.parametrize(
    ("content", "expected"),
    [(WAV_HEADER, "audio/wav"), (b"ID3\x04" + b"\x00" * 20, "audio/mpeg"), (b"OggS" + b"\x00" * 20, "audio/ogg")],
)
def test_audio_type_is_decided_by_content(customer, settings, tmp_path, content, expected):
    settings.MEDIA_ROOT = tmp_path
    audio = services.audio_file_create(name="jingle", uploaded=SimpleUploadedFile("x.bin", content), customer=customer)
    assert audio.content_type == expected


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
