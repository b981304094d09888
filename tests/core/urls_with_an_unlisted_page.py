"""The product's URL conf plus one page nobody listed in the permission matrix: the
matrix test's own proof that an unlisted URL is reported (``test_permission_matrix``)."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("", include("closedloop.urls")),
    path("unlisted/", lambda request: HttpResponse("unlisted"), name="unlisted_for_the_matrix"),
]
