"""API tokens: issued with scopes, store/region bounds and an expiry (command, page);
listed and revoked by the quality lead (page and API); a revoked or expired token is
refused (401); only the key's hash is stored; last use is recorded."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from closedloop.org.choices import ApiScope
from integrations.models import ApiToken
from integrations.services import tokens


def _command(*args):
    out = io.StringIO()
    call_command("issue_api_token", *args, stdout=out)
    return out.getvalue().strip()


def _client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_command_issues_a_token_with_scopes_stores_and_expiry(cast):
    key = _command(
        "dms", "--scopes", "issues:read,metrics:write", "--stores", "HZ001,NB001", "--days", "30"
    )
    row = ApiToken.objects.get(user=cast.dms)
    assert row.scopes == ["issues:read", "metrics:write"]
    assert sorted(s.code for s in row.stores.all()) == ["HZ001", "NB001"]
    assert row.expires_at - timezone.now() > dt.timedelta(days=29, hours=23)
    # Only the hash is stored: the key appears nowhere in the database rows.
    knox = AuthToken.objects.get(user=cast.dms)
    assert key not in (knox.digest, knox.token_key) and row.prefix == key[: len(row.prefix)]
    assert _client(key).get("/api/v1/issues/").status_code == 200


def test_command_without_scopes_gives_the_clients_own(cast):
    _command("dms")
    assert ApiToken.objects.get(user=cast.dms).scopes == list(cast.dms.api_scopes)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scopes", "issues:delete"), "未知的接口权限"),
        (("--scopes", "reports:read"), "客户端本身没有这些权限"),
        (("--scopes", "org:write", "--stores", "HZ001"), "org:write"),
        (("--stores", "XX999"), "门店不存在"),
        (("--regions", "NOWHERE", "--scopes", "issues:read"), "区域不存在"),
        (("--days", "0"), "有效天数"),
        (("--rate", "fast"), "限流格式"),
    ],
)
def test_command_refuses_what_it_cannot_grant(cast, args, message):
    with pytest.raises(CommandError, match=message):
        _command("dms", *args)
    assert not ApiToken.objects.exists() and not AuthToken.objects.exists()


def test_several_tokens_per_client_each_revocable(cast, token_client):
    first = token_client(cast.dms, name="生产")
    second = token_client(cast.dms, name="测试")
    tokens.revoke_token(token=first.token, actor=cast.lead)

    response = first.get("/api/v1/stores/")
    assert response.status_code == 401
    assert second.get("/api/v1/stores/").status_code == 200
    first.token.refresh_from_db()
    assert first.token.state == "revoked" and first.token.revoked_by == cast.lead
    # The key's hash is gone; the row stays for the record.
    assert not AuthToken.objects.filter(token_key=first.token.prefix).exists()


def test_an_expired_token_is_refused(cast, token_client):
    client = token_client(cast.dms, days=1)
    AuthToken.objects.filter(user=cast.dms).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/stores/").status_code == 401
    client.token.refresh_from_db()
    assert client.token.state == "expired"


def test_last_use_is_recorded_at_most_once_a_minute(cast, token_client):
    client = token_client(cast.dms)
    assert client.token.last_used_at is None
    client.get("/api/v1/stores/")
    client.token.refresh_from_db()
    first = client.token.last_used_at
    assert first is not None
    client.get("/api/v1/stores/")
    client.token.refresh_from_db()
    assert client.token.last_used_at == first


def test_a_token_from_before_scopes_keeps_its_users_rights(cast):
    """A knox token without an ApiToken row (made before this app) still works."""
    _instance, key = AuthToken.objects.create(user=cast.dms)
    client = _client(key)
    assert client.get("/api/v1/issues/").status_code == 200
    assert client.post("/api/v1/metrics/", [], format="json").status_code == 400  # scope ok


# --- the quality lead's API --------------------------------------------------------------


def test_lead_lists_tokens_with_prefix_client_scopes_stores_use_and_expiry(cast, token_client):
    bound = token_client(cast.dms, scopes=["issues:read"], stores=["HZ001"], days=10, name="杭州")
    lead = token_client(cast.lead)
    bound.get("/api/v1/stores/")

    response = lead.get("/api/v1/tokens/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    row = rows[bound.token.pk]
    assert row["prefix"] == bound.token.prefix and row["client"] == "dms"
    assert row["scopes"] == ["issues:read"] and row["stores"] == ["HZ001"]
    assert row["last_used_at"] and row["expires_at"] and row["state"] == "active"
    assert row["name"] == "杭州"


def test_lead_revokes_by_api_and_the_token_answers_401(cast, token_client):
    victim = token_client(cast.dms)
    lead = token_client(cast.lead)
    assert lead.delete(f"/api/v1/tokens/{victim.token.pk}/").status_code == 204
    assert victim.get("/api/v1/issues/").status_code == 401
    # Still listed, as revoked.
    listed = lead.get("/api/v1/tokens/?state=revoked").json()["results"]
    assert [r["id"] for r in listed] == [victim.token.pk]
    assert lead.delete(f"/api/v1/tokens/{victim.token.pk}/").status_code == 204  # idempotent


@pytest.mark.parametrize("who", ["dms", "ops", "executive", "manager"])
def test_only_the_quality_lead_manages_tokens(cast, token_client, who):
    target = token_client(cast.dms)
    client = token_client(getattr(cast, who))
    assert client.get("/api/v1/tokens/").status_code == 403
    assert client.delete(f"/api/v1/tokens/{target.token.pk}/").status_code == 403
    assert target.get("/api/v1/stores/").status_code == 200


def test_lead_token_without_org_write_cannot_manage_tokens(cast, token_client):
    narrow = token_client(cast.lead, scopes=["issues:read"])
    assert narrow.get("/api/v1/tokens/").status_code == 403


def test_token_list_query_count_is_pinned(cast, token_client, django_assert_max_num_queries):
    for n in range(8):
        tokens.issue_token(user=cast.dms, stores=["HZ001"], scopes=["issues:read"], name=f"t{n}")
    client = APIClient()
    client.force_authenticate(cast.lead)
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/tokens/")
    assert response.json()["count"] == 8


def test_the_scopes_of_the_contract_exist():
    assert {
        "issues:read",
        "issues:write",
        "org:write",
        "metrics:write",
        "rectifications:read",
        "rectifications:write",
        "reports:read",
    } <= set(ApiScope.values)
