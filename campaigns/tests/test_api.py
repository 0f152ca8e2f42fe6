import pytest
from django.http import QueryDict
from rest_framework.test import APIClient

from campaigns.blocks import bind_blocks, block_report
from campaigns.models import Campaign, CampaignStatus, CampaignTransition
from campaigns.tests.factories import GlobalAppFactory, campaign_world, make_campaign, ready_list, wizard_data
from campaigns.tests.report_data import add_contacts
from customers import services as customer_services
from customers.tests.factories import CustomerFactory


def fields_of(response) -> dict:
    """An error body's field errors: the envelope (telephony.api_errors) less its ``detail``."""
    assert isinstance(response.json()["detail"], str)
    return {key: value for key, value in response.json().items() if key != "detail"}


@pytest.fixture
def api(customer):
    client = APIClient()
    token = customer_services.api_token_issue(customer=customer, name="t").raw
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def world(customer):
    return campaign_world(customer)


def payload(world, **overrides) -> dict:
    body = {
        "name": "Spring sale",
        "a_number": f"did:{world['did'].pk}",
        "app": world["app"].pk,
        "distribution_list": world["list"].pk,
        "variable_mapping": {"name": "name", "code": "code"},
        "lines": 5,
        "time_zone": "Europe/London",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def test_create_a_draft_with_defaults_then_read_it(api, customer, world):
    response = api.post("/api/campaigns/", payload(world, comment="From the CRM"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    campaign = Campaign.objects.get(pk=body["id"])
    assert campaign.customer == customer and campaign.status == "draft" and campaign.created_by is None
    assert body["name"] == "Spring sale" and body["a_number"] == f"did:{world['did'].pk}"
    assert body["all_day"] is True and body["work_days"] == [0, 1, 2, 3, 4, 5, 6]  # the wizard's defaults
    assert body["repeat_busy"] is False and body["repeat_busy_count"] == 1 and body["repeat_busy_period"] == 60
    assert body["variable_mapping"] == {"name": "name", "code": "code"}
    assert body["statistics"]["contacts"] == 0
    assert api.get(f"/api/campaigns/{campaign.pk}/").json() == body
    assert [c["id"] for c in api.get("/api/campaigns/").json()["results"]] == [campaign.pk]


def test_create_with_every_setting(api, world):
    body = payload(
        world,
        all_day=False,
        work_start="22:00",
        work_end="06:00",
        work_days=[0, 2, 4],
        repeat_busy=True,
        repeat_busy_count=3,
        repeat_busy_period=15,
        repeat_total_cap=10,
        short_call_seconds=20,
        scheduled_at="2030-01-02T09:30:00Z",
        subscriber_time_zone=True,
    )
    response = api.post("/api/campaigns/", body, format="json")
    assert response.status_code == 201, response.json()
    campaign = Campaign.objects.get(pk=response.json()["id"])
    assert (campaign.all_day, campaign.weekdays, campaign.repeat_rule("busy")) == (False, [0, 2, 4], (True, 3, 15))
    assert str(campaign.work_start) == "22:00:00" and campaign.repeat_total_cap == 10
    assert campaign.scheduled_at.isoformat() == "2030-01-02T09:30:00+00:00" and campaign.subscriber_time_zone


def test_launch_at_creation(api, world):
    response = api.post("/api/campaigns/?launch=true", payload(world), format="json")
    assert response.status_code == 201 and response.json()["status"] == "launched"


# The same mistakes as the wizard's tests, through the API: the same messages.
MISTAKES = [
    ("name", "", "main-name", ""),
    ("name", "Sale!", "main-name", "Sale!"),
    ("a_number", "did:999999", "main-a_number", "did:999999"),
    ("a_number", "", "main-a_number", ""),
    ("app", 999999, "app-app", "999999"),
    ("distribution_list", "", "list-distribution_list", ""),
    ("lines", 0, "settings-lines", "0"),
    ("lines", 51, "settings-lines", "51"),
    ("lines", "many", "settings-lines", "many"),
    ("repeat_total_cap", 0, "settings-repeat_total_cap", "0"),
    ("repeat_busy_count", 200, "settings-repeat_busy_count", "200"),
    ("repeat_short_period", 1441, "settings-repeat_short_period", "1441"),
    ("short_call_seconds", 0, "settings-short_call_seconds", "0"),
    ("time_zone", "Mars/Olympus", "settings-time_zone", "Mars/Olympus"),
]


def wizard_messages(customer, data) -> dict[str, list[str]]:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value) if isinstance(value, list) else query.__setitem__(key, value)
    report = block_report(bind_blocks(customer=customer, data=query))
    # The API names a block's general message and a variable's mapping its own way; the texts are the same.
    rename = lambda name: "non_field_errors" if name == "__all__" else name.replace("var_", "variable_mapping.")  # noqa: E731
    messages: dict[str, list[str]] = {}
    for block in report.values():
        for name, texts in block["errors"].items():
            messages.setdefault(rename(name), []).extend(texts)
    return messages


@pytest.mark.parametrize(("field", "value", "wizard_field", "wizard_value"), MISTAKES)
def test_api_and_wizard_give_the_same_messages(api, customer, world, field, value, wizard_field, wizard_value):
    response = api.post("/api/campaigns/", payload(world, **{field: value}), format="json")
    assert response.status_code == 400
    expected = wizard_messages(customer, wizard_data(world, **{wizard_field: wizard_value}))
    assert expected, "the wizard must refuse this too"
    assert fields_of(response) == expected
    assert not Campaign.objects.exists()


def test_missing_mapping_and_work_hours_use_the_wizards_messages(api, customer, world):
    response = api.post(
        "/api/campaigns/", payload(world, variable_mapping={"name": "name"}, all_day=False), format="json"
    )
    assert response.status_code == 400
    expected = wizard_messages(customer, wizard_data(world, **{"list-var_code": None, "settings-all_day": None}))
    assert fields_of(response) == {
        "variable_mapping.code": expected["variable_mapping.code"],
        "work_start": expected["work_start"],
        "work_end": expected["work_end"],
    }


def test_a_name_taken_is_refused_like_in_the_wizard(api, customer, world):
    make_campaign(customer, name="Spring sale")
    response = api.post("/api/campaigns/", payload(world), format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"name": ["Invalid: you already have a campaign named “Spring sale”."]}


def test_unknown_fields_and_bad_bodies_are_400(api, world):
    response = api.post("/api/campaigns/", payload(world, colour="red"), format="json")
    assert response.status_code == 400 and fields_of(response) == {"colour": ["Unknown field."]}
    response = api.post("/api/campaigns/", [1, 2], format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    response = api.post("/api/campaigns/", payload(world, variable_mapping="name"), format="json")
    assert response.status_code == 400 and "variable_mapping" in response.json()


def test_another_customers_list_app_and_number_are_refused(api, customer, world):
    other = campaign_world(CustomerFactory())
    response = api.post(
        "/api/campaigns/",
        payload(world, a_number=f"did:{other['did'].pk}", app=other["app"].pk, distribution_list=other["list"].pk),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"a_number", "app", "distribution_list"}


def test_a_global_app_may_be_used(api, world):
    app = GlobalAppFactory(scenario=[{"id": "s", "type": "say", "text": "Hi {name}"}, {"id": "e", "type": "hangup"}])
    response = api.post("/api/campaigns/", payload(world, app=app.pk, variable_mapping={"name": "name"}), format="json")
    assert response.status_code == 201, response.json()


def test_update_follows_the_edit_rules(api, customer, world):
    campaign = make_campaign(customer, name="Draft one")
    other_list = ready_list(customer, contacts=1)
    response = api.patch(
        f"/api/campaigns/{campaign.pk}/", {"lines": 7, "distribution_list": other_list.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    campaign.refresh_from_db()
    assert campaign.lines == 7 and campaign.distribution_list == other_list and campaign.name == "Draft one"

    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.PAUSED)
    response = api.patch(f"/api/campaigns/{campaign.pk}/", {"name": "Renamed", "lines": 9}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    response = api.patch(f"/api/campaigns/{campaign.pk}/", {"app": world["app"].pk}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"app": ["Cannot change in a paused campaign."]}
    response = api.patch(f"/api/campaigns/{campaign.pk}/", {"lines": 0}, format="json")
    assert response.status_code == 400 and "lines" in response.json()

    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.LAUNCHED)
    response = api.patch(f"/api/campaigns/{campaign.pk}/", {"lines": 3}, format="json")
    assert response.status_code == 409 and "pause it first" in response.json()["detail"]
    campaign.refresh_from_db()
    assert campaign.lines == 9


def test_status_changes_through_the_services(api, customer):
    campaign = make_campaign(customer)
    url = f"/api/campaigns/{campaign.pk}"
    assert api.post(f"{url}/resume/").status_code == 409
    assert api.post(f"{url}/launch/").json()["status"] == "launched"
    assert api.post(f"{url}/pause/").json()["status"] == "paused"
    assert api.post(f"{url}/launch/").status_code == 409
    assert api.post(f"{url}/resume/").json()["status"] == "launched"
    assert api.post(f"{url}/finish/").json()["status"] == "finished"
    refused = api.post(f"{url}/pause/")
    assert refused.status_code == 409 and "finished campaign is final" in refused.json()["detail"]
    moves = list(CampaignTransition.objects.filter(campaign=campaign).values_list("from_status", "to_status"))
    assert moves == [("draft", "launched"), ("launched", "paused"), ("paused", "launched"), ("launched", "finished")]


def test_statistics(api, customer):
    campaign = make_campaign(customer, status="launched", stat_contacts=3, stat_called=2, stat_answered=1, stat_done=1)
    add_contacts(campaign, [["busy", "answered"], ["no_answer"]])
    body = api.get(f"/api/campaigns/{campaign.pk}/statistics/").json()
    assert body["contacts"] == 3 and body["remaining"] == 2 and body["progress_percent"] == 33
    assert body["attempts_by_outcome"] == {"busy": 1, "answered": 1, "no_answer": 1}
    assert body["attempts_by_cause"] == {"486": 1, "200": 1, "480": 1}


def test_apps_read(api, customer, world):
    global_app = GlobalAppFactory(name="Everyone's")
    AppFactoryOther = campaign_world(CustomerFactory())["app"]
    names = {app["name"] for app in api.get("/api/apps/").json()["results"]}
    assert names == {world["app"].name, global_app.name}
    body = api.get(f"/api/apps/{world['app'].pk}/").json()
    assert body["variables"] == ["name", "code"] and body["scenario"][0]["type"] == "say"
    assert api.get(f"/api/apps/{AppFactoryOther.pk}/").status_code == 404


def test_another_customers_campaign_is_404(api):
    alien = make_campaign(CustomerFactory())
    for method, suffix in [("get", ""), ("patch", ""), ("post", "launch/"), ("get", "statistics/")]:
        assert getattr(api, method)(f"/api/campaigns/{alien.pk}/{suffix}", {}, format="json").status_code == 404
    assert Campaign.objects.get(pk=alien.pk).status == "draft"


def test_schema_describes_the_campaigns_api(api):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {"/api/campaigns/", "/api/campaigns/{campaign_id}/launch/", "/api/distribution-lists/", "/api/apps/"} <= set(
        paths
    )
    create = paths["/api/campaigns/"]["post"]
    assert "400" in create["responses"] and "201" in create["responses"]
    fields = schema["components"]["schemas"]["CampaignWrite"]["properties"]
    assert fields["lines"]["maximum"] == 50 and "repeat_busy_count" in fields


def test_the_schema_states_the_contracts_checks(api):
    schemas = APIClient().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    create, patch = schemas["CampaignWrite"], schemas["PatchedCampaignWrite"]
    assert set(create["required"]) == {"name", "a_number", "app", "distribution_list", "variable_mapping"}
    assert "required" not in patch
    for body in (create, patch):
        assert body["additionalProperties"] is False and len(body["anyOf"]) == 3
        assert body["properties"]["a_number"]["pattern"] == "^(did|pool):([1-9][0-9]{0,17})$"
        assert body["properties"]["work_start"]["pattern"].startswith("^([01][0-9]|2[0-3])")
    assert "Europe/London" in schemas["TimeZoneEnum"]["enum"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("work_start", "25:00"), ("work_start", "10:00:00Z"), ("all_day", "maybe"), ("work_days", [7]), ("time_zone", 5)],
)
def test_what_the_schema_refuses_the_api_refuses(api, world, field, value):
    body = payload(world, all_day=False, work_start="09:00", work_end="17:00", work_days=[0])
    response = api.post("/api/campaigns/", {**body, field: value}, format="json")
    assert response.status_code == 400
    assert list(fields_of(response)) == [field]


def test_a_paused_campaigns_fixed_blocks_are_not_checked_again(api, customer, world):
    campaign = make_campaign(customer, status=CampaignStatus.PAUSED)
    campaign.distribution_list.status = "processing"  # no longer offered to a new campaign
    campaign.distribution_list.save()
    response = api.patch(f"/api/campaigns/{campaign.pk}/", {"lines": 4}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["lines"] == 4


def test_services_take_plain_typed_input(customer, world):
    from campaigns import contract, services

    values = {**contract.defaults(), "lines": 3, "time_zone": "Europe/London"}
    data = contract.CampaignInput(
        main=contract.MainInput(name="Typed", comment="", a_number_did_id=world["did"].pk, a_number_pool_id=None),
        app=contract.AppInput(app=world["app"]),
        list=contract.ListInput(distribution_list=world["list"], variable_mapping={"name": "name", "code": "code"}),
        settings=contract.settings_input(values),
    )
    campaign = services.campaign_create(customer=customer, data=data)
    assert (campaign.name, campaign.lines, campaign.weekdays) == ("Typed", 3, [0, 1, 2, 3, 4, 5, 6])
    with pytest.raises(ValueError):
        services.campaign_create(customer=customer, data=contract.CampaignInput(main=data.main))
