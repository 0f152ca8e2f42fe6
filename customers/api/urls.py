from django.urls import path

from customers.api.views import AccountView

urlpatterns = [path("account/", AccountView.as_view(), name="account")]
