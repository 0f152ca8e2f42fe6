"""The campaigns app in the admin: recordings played from the audio file's page, every customer's campaigns
paused and resumed through the services, call attempts searched by number, call jobs' next attempt."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.admin import number_prefix_range
from campaigns.models import AudioFile, CallAttempt, CallJob, Campaign, CampaignTransition
from campaigns.tests.factories import make_campaign
from campaigns.tests.report_data import add_contacts
from campaigns.tests.test_apps import sound
from customers.tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Recordings ----------------------------------------------------------------


@pytest.fixture
def recording(customer, settings, tmp_path) -> AudioFile:
    settings.MEDIA_ROOT = tmp_path / "media"
    content = sound("ogg", tmp_path)
    return services.audio_file_create(
        name="Hello greeting", uploaded=SimpleUploadedFile("hello.ogg", content), customer=customer
    )


def recording_url(audio: AudioFile, which: str) -> str:
    return reverse("admin:campaigns_audiofile_recording", args=[audio.pk, which])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_audio_files_page_plays_the_upload_and_its_telephone_version_through_the_admin(
    client, admin_user, recording
):
    client.force_login(admin_user)
    page = client.get(reverse("admin:campaigns_audiofile_change", args=[recording.pk])).content.decode()
    original, phone = recording_url(recording, "original"), recording_url(recording, "phone")
    assert f'<source src="{original}" type="audio/ogg">' in page
    assert f'<source src="{phone}" type="audio/wav">' in page
    assert page.count("<audio controls") == 2
    # "Currently:" opens the recording through the admin, never MEDIA_URL (nothing serves it).
    assert f'Currently: <a href="{original}">audio/customer-{recording.customer_id}/hello.ogg</a>' in page
    assert "/media/" not in page
    assert 'name="file-clear"' not in page  # an audio file cannot lose its recording


def test_the_recordings_stream_with_their_content_type(client, admin_user, recording):
    client.force_login(admin_user)
    response = client.get(recording_url(recording, "original"))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/ogg"
    assert response["Content-Disposition"] == 'inline; filename="hello.ogg"'
    with recording.file.open("rb") as stored:
        assert body(response) == stored.read()

    response = client.get(recording_url(recording, "phone"))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert body(response)[:4] == b"RIFF"


def test_a_recording_that_is_not_there_is_a_404(client, admin_user, recording):
    client.force_login(admin_user)
    assert client.get(recording_url(recording, "cover-art")).status_code == 404
    assert (
        client.get(reverse("admin:campaigns_audiofile_recording", args=[recording.pk + 1, "original"])).status_code
        == 404
    )
    AudioFile.objects.filter(pk=recording.pk).update(phone_file="")
    assert client.get(recording_url(recording, "phone")).status_code == 404
    recording.file.storage.delete(recording.file.name)
    assert client.get(recording_url(recording, "original")).status_code == 404


def test_recordings_are_for_staff_who_may_see_audio_files(client, recording):
    url = recording_url(recording, "original")
    assert client.get(url).status_code == 302  # to the admin's login

    client.force_login(UserFactory(customer=recording.customer))  # the customer's own user: not staff
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))

    staff = UserFactory(customer=None, is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:campaigns_audiofile_change", args=[recording.pk])).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_audiofile"))
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_a_new_audio_file_says_it_plays_once_saved(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:campaigns_audiofile_add")).content.decode()
    assert "The recording can be played here once it is saved." in page
    assert "<audio" not in page


# --- Campaigns -------------------------------------------------------------------


@pytest.fixture
def campaigns(db):
    acme, globex = CustomerFactory(name="Acme Ltd"), CustomerFactory(name="Globex")
    return {
        "running": make_campaign(acme, name="Spring sale", status="launched", lines=3, stat_contacts=40, stat_done=10),
        "paused": make_campaign(globex, name="Renewals", status="paused", stat_called=7, stat_answered=5),
        "draft": make_campaign(globex, name="Spring draft"),
    }


def changelist(client, **query) -> str:
    return client.get(reverse("admin:campaigns_campaign_changelist"), query).content.decode()


def names_listed(page: str) -> set[str]:
    return set(re.findall(r'<th class="field-name"><a href="[^"]+">([^<]+)</a>', page))


def test_the_admin_lists_every_customers_campaigns_with_their_counts(client, admin_user, campaigns):
    client.force_login(admin_user)
    page = changelist(client)
    assert names_listed(page) == {"Spring sale", "Renewals", "Spring draft"}
    assert '<td class="field-progress">10 / 40 done (25%)</td>' in page
    assert '<td class="field-line_limit">3</td>' in page
    assert '<td class="field-called">7</td><td class="field-answered">5</td>' in page
    assert ">Campaigns</a>" in client.get(reverse("admin:index")).content.decode()


def test_campaigns_filter_by_status_and_customer_and_search_by_name(client, admin_user, campaigns):
    client.force_login(admin_user)
    assert names_listed(changelist(client, status__exact="paused")) == {"Renewals"}
    globex = campaigns["paused"].customer_id
    assert names_listed(changelist(client, customer__id__exact=globex)) == {"Renewals", "Spring draft"}
    assert names_listed(changelist(client, q="spring")) == {"Spring sale", "Spring draft"}


def run_action(client, action: str, *campaigns_: Campaign):
    return client.post(
        reverse("admin:campaigns_campaign_changelist"),
        {"action": action, "_selected_action": [campaign.pk for campaign in campaigns_]},
        follow=True,
    )


def test_pause_and_resume_go_through_the_services_and_are_recorded(client, admin_user, campaigns):
    client.force_login(admin_user)
    running, paused = campaigns["running"], campaigns["paused"]
    response = run_action(client, "pause_selected", running)
    assert "Paused: “Spring sale” (Acme Ltd)." in response.content.decode()
    running.refresh_from_db()
    assert running.status == "paused"
    move = CampaignTransition.objects.get(campaign=running)
    assert (move.from_status, move.to_status, move.by) == ("launched", "paused", admin_user)

    response = run_action(client, "resume_selected", running, paused)
    assert "Resumed: “Spring sale” (Acme Ltd), “Renewals” (Globex)." in response.content.decode()
    assert set(Campaign.objects.filter(status="launched").values_list("name", flat=True)) == {"Spring sale", "Renewals"}


def test_a_move_the_status_machine_refuses_is_reported_and_changes_nothing(client, admin_user, campaigns):
    client.force_login(admin_user)
    response = run_action(client, "pause_selected", campaigns["draft"])
    page = response.content.decode()
    assert "Campaign “Spring draft” is draft: cannot pause it (not allowed)." in page
    assert "Paused:" not in page
    response = run_action(client, "resume_selected", campaigns["running"])
    assert "only a paused one resumes" in response.content.decode()
    assert dict(Campaign.objects.values_list("name", "status")) == {
        "Spring sale": "launched",
        "Renewals": "paused",
        "Spring draft": "draft",
    }
    assert not CampaignTransition.objects.exists()


def test_a_campaigns_page_is_read_only_and_none_is_added_or_deleted_in_the_admin(client, admin_user, campaigns):
    client.force_login(admin_user)
    campaign = campaigns["running"]
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "View campaign" in page and "10 / 40 done (25%)" in page
    assert 'name="status"' not in page and 'name="_save"' not in page
    assert client.post(url, {"status": "finished", "name": "Renamed"}).status_code == 403
    assert client.get(reverse("admin:campaigns_campaign_add")).status_code == 403
    assert client.get(reverse("admin:campaigns_campaign_delete", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert (campaign.status, campaign.name) == ("launched", "Spring sale")
    actions = re.findall(r'<option value="(\w+)"', changelist(client))
    assert actions == ["pause_selected", "resume_selected"]


def test_staff_who_may_only_view_campaigns_get_no_status_actions(client, campaigns):
    staff = UserFactory(customer=None, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_campaign"))
    client.force_login(staff)
    page = changelist(client)
    assert "Spring sale" in page and "pause_selected" not in page
    response = run_action(client, "pause_selected", campaigns["running"])
    assert response.status_code == 200
    assert Campaign.objects.get(pk=campaigns["running"].pk).status == "launched"


# --- Call attempts: search by number ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+4420", ("+4420", "+4421")),
        ("0044 20", ("+4420", "+4421")),
        ("44 (20) 7946-0018", ("+442079460018", "+442079460019")),
        ("+4429", ("+4429", "+443")),
        ("+99", ("+99", None)),
        ("  +1 ", ("+1", "+2")),
        ("Smith", None),
        ("+44x", None),
        ("", None),
        ("+" + "1" * 16, None),
        ("٤٤", None),  # Arabic-Indic digits are digits to Python, not to the stored numbers
    ],
)
def test_a_typed_number_becomes_a_range_of_stored_numbers(typed, expected):
    assert number_prefix_range(typed) == expected


@pytest.fixture
def attempts(customer):
    campaign = make_campaign(customer, name="Search", status="launched")
    add_contacts(campaign, [["busy"], ["answered"], ["no_answer"]])
    return list(CallAttempt.objects.order_by("b_number"))


def attempts_found(client, q: str) -> list[str]:
    page = client.get(reverse("admin:campaigns_callattempt_changelist"), {"q": q}).content.decode()
    return re.findall(r'<th class="field-b_number"><a href="[^"]+">([^<]+)</a>', page)


def test_call_attempts_are_found_by_b_number_or_its_beginning_and_by_a_number(client, admin_user, attempts):
    client.force_login(admin_user)
    numbers = [attempt.b_number for attempt in attempts]
    assert len(set(numbers)) == 3
    one = numbers[0]
    assert attempts_found(client, one) == [one]
    assert attempts_found(client, f"00{one[1:4]} {one[4:]}") == [one]
    assert sorted(attempts_found(client, one[:3])) == sorted(n for n in numbers if n.startswith(one[:3]))
    assert sorted(attempts_found(client, "+44 117 409 0000")) == sorted(numbers)  # the A-number of them all
    assert attempts_found(client, "+999") == []


def test_an_attempts_row_reads_its_outcome_and_a_call_still_dialling_says_so(client, admin_user, attempts):
    CallAttempt.objects.filter(pk=attempts[0].pk).update(status="dialing", outcome="", cause="")
    client.force_login(admin_user)
    page = client.get(reverse("admin:campaigns_callattempt_changelist")).content.decode()
    outcomes = re.findall(r'<td class="field-call_outcome">([^<]*)</td>', page)
    assert len(outcomes) == 3 and "Dialing…" in outcomes
    assert set(outcomes) < {"Dialing…", "Answered", "Busy", "No answer"}  # labels, not "no_answer"
    assert re.findall(r'<td class="field-attempt">([^<]*)</td>', page) == ["#1"] * len(outcomes)


def test_a_search_for_something_that_is_not_a_number_says_so(client, admin_user, attempts):
    client.force_login(admin_user)
    response = client.get(reverse("admin:campaigns_callattempt_changelist"), {"q": "Smith"})
    page = response.content.decode()
    assert "“Smith” is not a number." in page
    assert 'class="field-b_number"' not in page
    assert "A B-number or A-number, whole or its beginning" in page  # the search box explains itself


# --- Call jobs: the next attempt -------------------------------------------------------------


def test_a_waiting_jobs_next_attempt_in_the_past_reads_due_now(client, admin_user, customer):
    campaign = make_campaign(customer, name="Jobs", status="launched")
    now = timezone.now()
    CallJob.objects.create(
        campaign=campaign, phone="+441174090001", time_zone="Europe/London", next_attempt_at=now - dt.timedelta(hours=3)
    )
    CallJob.objects.create(
        campaign=campaign,
        phone="+441174090002",
        time_zone="America/Adak,America/Anchorage",
        next_attempt_at=timezone.make_aware(dt.datetime(2099, 1, 2, 9, 30)),
    )
    CallJob.objects.create(
        campaign=campaign,
        phone="+441174090003",
        time_zone="Europe/London",
        status="done",
        next_attempt_at=now - dt.timedelta(hours=3),
    )
    client.force_login(admin_user)
    page = client.get(reverse("admin:campaigns_calljob_changelist")).content.decode()
    cells = re.findall(r'<td class="field-next_attempt">(.*?)</td>', page)
    assert len(cells) == 3
    # Newest first: the done job, the future one, the one due.
    assert cells[0] == "-"
    assert cells[1] == "2 Jan 2099, 9:30 a.m."
    assert re.fullmatch(r'<span class="due-now" title="Due since [^"]+">Due now</span>', cells[2])
    # Several candidate zones are spaced, so the column can wrap.
    assert '<td class="field-zones">America/Adak, America/Anchorage</td>' in page


# --- Every admin page ------------------------------------------------------------------------


def test_admin_pages_carry_the_products_icon_and_the_admin_stylesheet(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:campaigns_calljob_changelist")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="stylesheet" href="/static/css/admin.css">' in page
    assert client.get("/static/css/admin.css").status_code == 200
    client.logout()
    login_page = client.get(reverse("admin:login")).content.decode()
    assert "/static/favicon.svg" in login_page and "/static/css/admin.css" in login_page
