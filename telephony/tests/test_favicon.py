"""`/favicon.ico` answers with the product's icon: browsers ask the site root for it on every admin page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_the_products_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    icon = b"".join(response.streaming_content)
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert int.from_bytes(icon[4:6], "little") == 3  # 16, 32 and 48 px
    assert reverse("favicon") == "/favicon.ico"


def test_favicon_is_read_only(client):
    assert client.post("/favicon.ico").status_code == 405
    assert client.head("/favicon.ico").status_code == 200
