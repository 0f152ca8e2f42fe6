import pytest
from django.urls import reverse

from campaigns.blocks import bind_blocks, block_report
from campaigns.models import Campaign, CampaignStatus
from campaigns.tests.factories import (
    AppFactory,
    GlobalAppFactory,
    campaign_world,
    make_campaign,
    ready_list,
    wizard_data,
)
from customers.tests.factories import CustomerFactory


@pytest.fixture
def world(customer):
    return campaign_world(customer)


def errors_of(customer, data, campaign=None) -> dict:
    blocks = bind_blocks(customer=customer, data=_query(data), campaign=campaign)
    return {key: report["errors"] for key, report in block_report(blocks).items()}


def _query(data):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


def test_valid_data_makes_every_block_valid(customer, world):
    assert errors_of(customer, wizard_data(world)) == {"main": {}, "app": {}, "list": {}, "settings": {}}


@pytest.mark.parametrize(
    ("field", "value", "block", "message"),
    [
        ("main-name", "", "main", "Missing"),
        ("main-name", "Sale!", "main", "Invalid: use letters, digits, spaces, -, ( and ) only."),
        ("main-name", "Sale_2026", "main", "Invalid"),
        ("main-a_number", "", "main", "Missing"),
        ("main-a_number", "did:999999", "main", "Invalid: not one of the choices"),
        ("app-app", "", "app", "Missing"),
        ("list-distribution_list", "", "list", "Missing"),
        ("list-var_code", "", "list", "Missing"),
        ("settings-lines", "0", "settings", "Out of the permitted range: at least 1."),
        ("settings-lines", "51", "settings", "Out of the permitted range: at most 50."),
        ("settings-lines", "", "settings", "Missing"),
        ("settings-repeat_total_cap", "0", "settings", "at least 1"),
    ],
)
def test_each_block_names_what_is_wrong(customer, world, field, value, block, message):
    errors = errors_of(customer, wizard_data(world, **{field: value}))
    flat = [text for messages in errors[block].values() for text in messages]
    assert any(message in text for text in flat), errors
    # Without an app there is nothing to map, so the list block waits for it too.
    others = {key for key, errs in errors.items() if errs and key != block}
    assert others == ({"list"} if field == "app-app" else set())


@pytest.mark.parametrize("outcome", ["answered", "no_answer", "busy", "failed", "short"])
@pytest.mark.parametrize(
    ("suffix", "bad", "good"), [("count", ["0", "200"], ["1", "199"]), ("period", ["0", "1441"], ["1", "1440"])]
)
def test_every_repeat_field_has_its_bounds(customer, world, outcome, suffix, bad, good):
    field = f"settings-repeat_{outcome}_{suffix}"
    for value in bad:
        errors = errors_of(customer, wizard_data(world, **{field: value}))["settings"]
        assert "Out of the permitted range" in errors[f"repeat_{outcome}_{suffix}"][0]
    for value in good:
        assert errors_of(customer, wizard_data(world, **{field: value}))["settings"] == {}


def test_names_in_any_alphabet_with_dashes_and_brackets_are_fine(customer, world):
    for name in ["Весенняя распродажа (2026)", "Promo - 春", "Καμπάνια 1"]:
        assert errors_of(customer, wizard_data(world, **{"main-name": name}))["main"] == {}


def test_name_is_unique_per_customer_only(customer, world):
    make_campaign(customer, name="Spring sale")
    assert "already have a campaign" in errors_of(customer, wizard_data(world))["main"]["name"][0]
    other = CustomerFactory()
    assert errors_of(other, wizard_data(campaign_world(other)))["main"] == {}


def test_work_period_needs_hours_and_days_unless_all_day(customer, world):
    data = wizard_data(world, **{"settings-all_day": None, "settings-work_days": []})
    errors = errors_of(customer, data)["settings"]
    assert errors["work_start"][0].startswith("Missing") and errors["work_days"][0].startswith("Missing")
    crossing = wizard_data(
        world, **{"settings-all_day": None, "settings-work_start": "22:00", "settings-work_end": "02:00"}
    )
    assert errors_of(customer, crossing)["settings"] == {}


def test_choices_are_limited_to_what_the_customer_may_use(customer, world):
    other = CustomerFactory()
    theirs = campaign_world(other)
    errors = errors_of(
        customer,
        wizard_data(
            world,
            **{
                "main-a_number": f"did:{theirs['did'].pk}",
                "app-app": str(theirs["app"].pk),
            },
        ),
    )
    assert errors["main"]["a_number"] and errors["app"]["app"]
    shared = GlobalAppFactory(scenario=[{"id": "a", "type": "say", "text": "Hi {name}"}])
    data = wizard_data(world, **{"app-app": str(shared.pk), "list-var_code": None})
    assert errors_of(customer, data) == {"main": {}, "app": {}, "list": {}, "settings": {}}


def test_only_ready_lists_are_offered(customer, world):
    processing = ready_list(customer, name="Still importing")
    processing.status = "processing"
    processing.save()
    errors = errors_of(customer, wizard_data(world, **{"list-distribution_list": str(processing.pk)}))
    assert errors["list"]["distribution_list"]


def test_wizard_saves_a_draft_and_lands_on_the_list(customer_client, customer, world):
    response = customer_client.post(reverse("dashboard:campaign_create"), wizard_data(world, action="draft"))
    assert response.status_code == 302 and response.url == reverse("dashboard:campaigns")
    campaign = Campaign.objects.get(customer=customer)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.variable_mapping == {"name": "name", "code": "code"}
    assert campaign.a_number_did == world["did"] and campaign.lines == 5


def test_wizard_launches_at_once(customer_client, customer, world):
    customer_client.post(reverse("dashboard:campaign_create"), wizard_data(world, action="launch"))
    campaign = Campaign.objects.get(customer=customer)
    assert campaign.status == CampaignStatus.LAUNCHED
    assert campaign.transitions.get().to_status == CampaignStatus.LAUNCHED


def test_wizard_with_mistakes_saves_nothing_and_marks_blocks(customer_client, world):
    response = customer_client.post(
        reverse("dashboard:campaign_create"), wizard_data(world, **{"settings-lines": "99", "main-name": ""})
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-block="main" data-state="invalid"' in html
    assert 'data-block="app" data-state="valid"' in html
    assert 'class="invalid"' in html
    assert not Campaign.objects.exists()


def test_validate_action_answers_json_per_block(customer_client, world):
    response = customer_client.post(
        reverse("dashboard:campaign_create"), wizard_data(world, action="validate", **{"settings-lines": "51"})
    )
    blocks = response.json()["blocks"]
    assert blocks["main"]["valid"] and not blocks["settings"]["valid"]
    assert "at most 50" in blocks["settings"]["errors"]["lines"][0]
    assert 'name="list-var_name"' in response.json()["mapping_html"]


def test_edit_paused_campaign_changes_main_and_settings_only(customer_client, customer, world):
    campaign = make_campaign(customer, status=CampaignStatus.PAUSED, name="Old name")
    other_app = AppFactory(customer=customer)
    data = wizard_data(world, action="save", **{"main-name": "New name", "app-app": str(other_app.pk)})
    data["main-a_number"] = f"did:{campaign.a_number_did_id}"
    response = customer_client.post(reverse("dashboard:campaign_edit", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "New name" and campaign.lines == 5
    assert campaign.app != other_app  # the app is fixed once the campaign has run


def test_launched_campaign_cannot_be_edited(customer_client, customer):
    campaign = make_campaign(customer, status=CampaignStatus.LAUNCHED)
    response = customer_client.get(reverse("dashboard:campaign_edit", args=[campaign.pk]), follow=True)
    assert "pause it first" in response.content.decode()


def test_choosing_a_list_preselects_the_column_named_as_the_variable(customer_client, customer, world):
    """QA pass 3, item 4: {name} takes the column "NAME" (case aside); {code} has no such column."""
    from campaigns.tests.factories import ready_list

    lst = ready_list(customer, name="Upper", columns=("phone", "NAME", "amount"), contacts=2)
    data = wizard_data(world, action="validate", **{"list-distribution_list": str(lst.pk), "list-var_name": None})
    data["list-var_code"] = ""
    answer = customer_client.post(reverse("dashboard:campaign_create"), data).json()
    assert '<option value="NAME" selected>' in answer["mapping_html"]
    assert "var_name" not in answer["blocks"]["list"]["errors"]
    assert answer["blocks"]["list"]["errors"]["var_code"] == ["Missing: this field is required."]
    # A column the user chose stays chosen.
    data["list-var_name"] = "amount"
    answer = customer_client.post(reverse("dashboard:campaign_create"), data).json()
    assert '<option value="amount" selected>' in answer["mapping_html"]
    # Saving takes what the page showed: nothing is chosen for the user there.
    data.update({"action": "draft", "list-var_name": "", "list-var_code": "amount"})
    assert customer_client.post(reverse("dashboard:campaign_create"), data).status_code == 400
