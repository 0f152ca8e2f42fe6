"""The real URLs plus one deliberately unscoped view, to prove the walker catches it."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from customers.models import ApiToken
from telephony.urls import urlpatterns as real_urlpatterns


def leaky_token_view(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id)  # forgot scoped(): the bug under test
    return HttpResponse(token.name)


urlpatterns = [
    path("leaky/", include(([path("<int:token_id>/", leaky_token_view, name="leaky_token")], "leaky"))),
    *real_urlpatterns,
]
