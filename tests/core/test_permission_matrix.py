"""The URL permission matrix (``permission_matrix.py``): every URL of the URL conf has an
entry — a new page, export, download or API endpoint without one fails here — and every
role of the cast, plus an outsider and an anonymous visitor, gets exactly the entry's
status for an object inside and one outside their scope."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from closedloop.core.navigation import all_items
from tests.core.permission_matrix import ROLES, SCOPES, URLS, build_world, objects

#: Navigation entries that disagree with their page's entry today, as (URL name, role):
#: shown to a person the page refuses, or hidden from one it opens for. A ratchet — a new
#: disagreement fails the navigation test, and so does one that was fixed and is still
#: listed here (remove it then).
NAV_DRIFT: set[tuple[str, str]] = set()

#: Names of the admin site: its own permission system, covered by one entry.
ADMIN = "admin"
ADMIN_ENTRY = "admin:index"


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    """Every URL of the URL conf by its full name (``namespace:name``); an unnamed one
    by its route. The admin site counts as its index."""
    resolver = resolver or get_resolver()
    found = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            if inner.split(":")[0] == ADMIN:
                found.add(ADMIN_ENTRY)
                continue
            found |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            found.add(f"{namespace}:{name}" if namespace else name)
    return found


def unlisted_urls() -> list[str]:
    """The URLs of the current URL conf that the matrix has no entry for."""
    return sorted(url_names() - set(URLS))


# --------------------------------------------------------------------------- coverage


def test_every_url_has_an_entry():
    missing = unlisted_urls()
    assert not missing, (
        "URLs without an entry in tests/core/permission_matrix.py (add one per URL name: "
        "who gets which status, inside and outside their scope): " + ", ".join(missing)
    )


def test_no_entry_names_a_url_that_is_gone():
    assert not sorted(set(URLS) - url_names()), "entries for URLs the URL conf no longer has"


def test_a_deliberately_unlisted_url_is_reported():
    """The check above really fails: a URL conf with one more page, no entry for it."""
    with override_settings(ROOT_URLCONF="tests.core.urls_with_an_unlisted_page"):
        assert unlisted_urls() == ["unlisted_for_the_matrix"]
    assert unlisted_urls() == []


def test_every_kind_has_a_scope_for_every_role():
    for kind, scope in SCOPES.items():
        assert set(scope) == set(ROLES), kind
    for name, entry in URLS.items():
        assert set(entry.expect) == set(ROLES), name
        assert (entry.of is None) == (entry.kwargs is None), name
        assert entry.of is None or entry.of in SCOPES, name


# --------------------------------------------------------------------------- the matrix


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One cast and one set of objects for every URL of the module (rolled back at the
    end), and a signed-in client per role."""
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        world = build_world()
        world.clients = {}
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(getattr(world.cast, role))
            world.clients[role] = client
        yield world
        transaction.set_rollback(True)


def _status(client, method, url, query):
    if method == "get":
        response = client.get(url, query)
    else:  # an empty write: nothing to change, only whether the object is reached
        response = getattr(client, method)(url, {} if method == "post" else b"")
    if response.streaming:
        # Read a download to its end: the test client then closes it (and its file)
        # without the request_finished signal closing the database connection.
        b"".join(response.streaming_content)
    return response.status_code, response.get("Location", "")


@pytest.mark.parametrize("name", sorted(URLS))
def test_who_gets_what(name, world, db):
    entry = URLS[name]
    failures = []
    for role in ROLES:
        client = world.clients[role]
        expected = entry.expect[role]
        if entry.of is None:
            cases = [("", None, expected)]
        else:
            inside, outside = objects(world, entry.of, role)
            cases = [
                (where, obj, status)
                for where, obj, status in zip(
                    ("inside", "outside"), (inside, outside), expected, strict=True
                )
                if obj is not None
            ]
        for where, obj, want in cases:
            url = reverse(name, kwargs=entry.kwargs(obj) if obj is not None else None)
            got, location = _status(client, "get", url, entry.query)
            if got != want:
                failures.append(f"{role} {where} GET {url}: expected {want}, got {got}")
            elif got == 302 and role == "anonymous" and "login" not in location:
                failures.append(f"anonymous GET {url}: redirected to {location}, not a login")
            if entry.post_only and where == "outside" and role != "anonymous":
                got, _location = _status(client, entry.method, url, {})
                want = entry.post_outside.get(role, 404)
                if got != want:
                    failures.append(
                        f"{role} outside {entry.method.upper()} {url}: expected {want}, got {got}"
                    )
    assert not failures, f"{name}:\n  " + "\n  ".join(failures)


def test_a_link_is_shown_exactly_when_its_page_opens(world, db):
    """Every app's navigation entry (``<app>/navigation.py``) is visible to exactly the
    people its page answers 200 in the matrix."""
    drift = set()
    for item in all_items():
        expected = URLS[item.url_name].expect
        for role in ROLES[:-1]:
            shown = bool(item.visible(getattr(world.cast, role)))
            if shown != (expected[role] == 200):
                drift.add((item.url_name, role))
    assert drift - NAV_DRIFT == set(), "links that disagree with their page"
    assert NAV_DRIFT - drift == set(), "fixed: remove them from NAV_DRIFT"
