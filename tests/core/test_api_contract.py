"""Property-based contract test of the whole ``/api/v1/`` surface (schemathesis).

Every operation in the OpenAPI document the product serves is called with generated
input, in-process through the WSGI app, as the quality lead and as the ``dms`` API
client (token auth). Each reply must not be a 5xx (API.md "Errors": never a 500 for bad
input), must use a status code and content type the document declares for that
operation, and must match the declared body schema.

- Quality lead: schemathesis' coverage phase (boundary and constraint-violating values
  for every documented field, deterministic) plus fuzzing.
- ``dms`` client: fuzzing only (its own scopes and permissions; keeps the module fast).

Fuzzing sends schema-valid input, in which the hooks below now and then put a real
business key (so lookups by number or code hit seeded rows and the happy paths run) or
a nasty value (NUL, lone surrogate, out-of-range integer) where the schema allows any
string or integer.

Determinism: a fixed seed, derandomised generation, no example database, and every
generated request runs in a savepoint of the test's transaction that is rolled back
afterwards, so each example sees exactly the seeded rows.

Deselect with ``-m "not contract"``.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from closedloop.notifications.models import Notification
from integrations.models import WebhookDelivery
from integrations.services import metrics as metric_services
from integrations.services import tokens as token_services
from integrations.services import webhooks as webhook_services
from issues import services
from tests.factories import new_issue, png, to_in_progress, to_resolved, to_triaged

pytestmark = [pytest.mark.contract, pytest.mark.django_db]

MAX_EXAMPLES = 25
SEED = 20251121

# Values that have broken Django/PostgreSQL apps before: NUL (PostgreSQL refuses it in
# text), a lone surrogate (not encodable as UTF-8), integers past the 32- and 64-bit
# column limits. Schemathesis mixes them into query parameters and headers now and then;
# the hooks below do the same for path parameters and body fields.
NASTY_STRINGS = ["\x00", "HZ001\x00", "../", " "]
# Only a JSON body can carry a lone surrogate (and schemathesis' own validator cannot).
NASTY_BODY_STRINGS = [*NASTY_STRINGS, "\ud800"]
NASTY_INTEGERS = [2**31 - 1, 2**31, 2**63, -(2**31) - 1, 10**30]
# Path parameters reach the hooks percent-encoded, and schemathesis strips encoded
# control characters from them, so these are added in encoded form.
NASTY_PATH = ["%00", "HZ001%00", "%ED%A0%80"]


def _config(*, coverage: bool) -> schemathesis.config.SchemathesisConfig:
    return schemathesis.config.SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "dictionaries": {
                    "string": {"dictionary": "nasty-strings", "probability": 0.1},
                    "integer": {"dictionary": "nasty-integers", "probability": 0.1},
                },
            },
            "phases": {
                "coverage": {"enabled": coverage},
                # Invalid input is the coverage phase's job; fuzzing keeps the input valid
                # so that it gets past the serializers and the nasty values reach the
                # services and the database.
                "fuzzing": {"generation": {"mode": "positive"}},
            },
            "dictionaries": {
                "nasty-strings": {"values": NASTY_STRINGS},
                "nasty-integers": {"values": NASTY_INTEGERS},
            },
        }
    )


# ``closedloop.wsgi`` would select the production settings; pytest-django has already
# configured Django with the test settings, so build the handler directly.
APP = WSGIHandler()
lead_schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", APP, config=_config(coverage=True))
dms_schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", APP, config=_config(coverage=False))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# --- generation hooks --------------------------------------------------------------------

# Real keys by kind, filled by the ``world`` fixture before any example is drawn.
KNOWN: dict[str, list] = {}

# Body fields that name other rows, and the kind of key each takes.
BODY_KEYS = {
    "store": "store",
    "department": "department",
    "region": "region",
    "assignee": "username",
    "head": "username",
    "duplicate_of": "number",
    "metric": "metric",
}


def _or_known(kind: str, value):
    """A real key of that kind or, as often, the generated value."""
    known = KNOWN.get(kind)
    return st.one_of(st.sampled_from(known), st.just(value)) if known else st.just(value)


def _now_and_then(value, nasty: list, every: int = 5):
    """The generated value, or one time in ``every`` a nasty one."""
    return st.integers(1, every).flatmap(
        lambda n: st.sampled_from(nasty) if n == every else st.just(value)
    )


def flatmap_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict) or not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: _or_known(name, value).flatmap(lambda v: _now_and_then(v, NASTY_PATH))
            for name, value in path_parameters.items()
        }
    )


def _body_field(key, value):
    if key in BODY_KEYS:
        return _or_known(BODY_KEYS[key], value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _now_and_then(value, NASTY_INTEGERS, every=2)
    return st.just(value)


def _spoil_one_string(body: dict):
    """The body, or as often the body with one string field made nasty: one at a time, so
    that the rest of the body can still be valid and the nasty value get far."""
    keys = [k for k, v in body.items() if k not in BODY_KEYS and isinstance(v, str)]
    if not keys:
        return st.just(body)
    spoiled = st.tuples(st.sampled_from(keys), st.sampled_from(NASTY_BODY_STRINGS)).map(
        lambda kv: {**body, kv[0]: kv[1]}
    )
    return st.one_of(st.just(body), spoiled)


def _dict_body(body: dict):
    fields = st.fixed_dictionaries({key: _body_field(key, value) for key, value in body.items()})
    return fields.flatmap(_spoil_one_string)


def flatmap_body(context, body):
    if isinstance(body, list) and body and all(isinstance(item, dict) for item in body):
        # A batch (POST /metrics/): each item like a body of its own.
        return st.tuples(*(_dict_body(item) for item in body)).map(list)
    if not isinstance(body, dict) or not body:
        return st.just(body)
    return _dict_body(body)


for _schema in (lead_schema, dms_schema):
    _schema.hook(flatmap_path_parameters)
    _schema.hook(flatmap_body)


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def _in_process_requests():
    """The Django test client disconnects ``close_old_connections`` around a request; a
    raw WSGIHandler does not, and would close the connection inside the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast, settings, tmp_path, _in_process_requests):
    """Issues in several states at every store, an attachment, a notification each for
    the lead and the ``dms`` client, an API token, a webhook subscription with a delivery
    and store metric readings; their keys go to ``KNOWN`` for the hooks."""
    settings.MEDIA_ROOT = tmp_path
    org = cast.org
    submitted = new_issue(cast)
    triaged = to_triaged(cast, new_issue(cast, title="配件到货慢"))
    in_progress = to_in_progress(cast, new_issue(cast, title="系统登录失败"))
    resolved = to_resolved(cast, new_issue(cast, title="工单打印乱码"))
    ningbo = new_issue(cast, who=cast.neighbour, store=org.ningbo, category="supply_chain")
    guangzhou = new_issue(cast, who=cast.far_manager, store=org.guangzhou, category="people")
    (attachment,) = services.add_attachments(issue=in_progress, actor=cast.manager, files=[png()])
    notes = [
        Notification.objects.create(
            recipient=user,
            kind="issue_submitted",
            title="新问题",
            object_type="issue",
            object_ref=submitted.number,
            url=f"/issues/{submitted.number}/",
            created_at=timezone.now(),
        )
        for user in (cast.lead, cast.dms)
    ]
    cast.dms.api_scopes = [*cast.dms.api_scopes, "webhooks:write", "issues:read"]
    cast.dms.save(update_fields=["api_scopes"])
    token, _key = token_services.issue_token(user=cast.dms, scopes=["issues:read"], name="报表")
    subscription = webhook_services.create_subscription(
        actor=cast.dms, url="http://127.0.0.1:9/hook", events=["issue.created"]
    )
    (delivery_pk,) = webhook_services.emit(
        "issue.created", {"issue": {"number": submitted.number}}, store=org.hangzhou
    )
    delivery = WebhookDelivery.objects.get(pk=delivery_pk)
    today = timezone.localdate()
    metric_services.record_readings(
        actor=cast.lead,
        rows=[
            {"store": code, "metric": "waiting_minutes", "date": today.isoformat(), "value": 30}
            for code in ("HZ001", "GZ001")
        ],
    )
    KNOWN.clear()
    KNOWN.update(
        number=[i.number for i in (submitted, triaged, in_progress, resolved, ningbo, guangzhou)],
        code=["HZ001", "NB001", "GZ001", "EAST", "SOUTH", "IT", "SCM", "waiting_minutes", "nps"],
        metric=["waiting_minutes", "nps", "satisfaction", "complaints"],
        delivery_id=[str(delivery.delivery_id)],
        store=["HZ001", "NB001", "GZ001"],
        region=["EAST", "SOUTH"],
        department=["IT", "SCM"],
        username=["manager", "ops", "head", "member", "lead", "dms", "director"],
        attachment_id=[attachment.pk],
        id=[*(note.pk for note in notes), token.pk, subscription.pk],
    )
    yield cast
    KNOWN.clear()


def _token(user) -> dict[str, str]:
    """A token as the product issues them (the user's own scopes, no store bounds)."""
    _row, key = token_services.issue_token(user=user)
    return {"Authorization": f"Token {key}"}


@pytest.fixture
def lead_auth(world):
    return _token(world.lead)


@pytest.fixture
def dms_auth(world):
    return _token(world.dms)


# --- the contract ------------------------------------------------------------------------


def _sendable(case):
    """Only JSON can carry a lone surrogate (as an escape); a form or multipart body is
    UTF-8 bytes and cannot. There it becomes what a lossy encoder would send."""
    if isinstance(case.body, dict) and "json" not in (case.media_type or ""):
        case.body = {
            key: value.replace("\ud800", "\ufffd") if isinstance(value, str) else value
            for key, value in case.body.items()
        }


def _call_and_validate(case, headers):
    _sendable(case)
    # A savepoint per example: whatever the request wrote is gone before the next one.
    with transaction.atomic():
        case.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)


HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # ``world`` is the same for every example
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@lead_schema.parametrize()
@HYPOTHESIS
def test_contract_as_quality_lead(case, lead_auth):
    _call_and_validate(case, lead_auth)


@dms_schema.parametrize()
@HYPOTHESIS
def test_contract_as_dms_client(case, dms_auth):
    _call_and_validate(case, dms_auth)


# --- what fuzzing turned up, pinned ------------------------------------------------------
# Each of these was a 500: the NUL keys and the lone surrogate were found by the tests
# above; the column-length and integer-range ones by probing the same kinds of input
# while fixing them. Generation is random and bounded, so the exact inputs are kept.


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        # NUL in the business key of an upsert: the lookup raised ValueError.
        (
            "/api/v1/stores/HZ001%00/",
            {"name": "x", "city": "y", "region": "EAST", "tier": "A"},
            "code",
        ),
        ("/api/v1/regions/%00/", {"name": "x"}, "code"),
        ("/api/v1/departments/HZ001%00/", {"name": "x"}, "code"),
        # Past the PositiveIntegerField: DataError.
        (
            "/api/v1/stores/NEW1/",
            {"name": "x", "city": "y", "region": "EAST", "tier": "A", "monthly_throughput": 2**31},
            "monthly_throughput",
        ),
        # Longer than the varchar columns: DataError.
        (
            "/api/v1/users/lead/",
            {"role": "quality_lead", "email": "a" * 250 + "@example.com"},
            "email",
        ),
        (
            "/api/v1/users/" + "u" * 151 + "/",
            {"role": "executive", "password": "Xk9!pq7#Lm2$"},
            "username",
        ),
    ],
    ids=[
        "store-key-nul",
        "region-key-nul",
        "department-key-nul",
        "throughput-int32",
        "email-255",
        "username-151",
    ],
)
def test_input_that_was_a_500_is_a_400(cast, client, path, body, field):
    response = client.put(
        path,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=_token(cast.lead)["Authorization"],
    )
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_lone_surrogate_in_json_is_a_400(cast, client):
    """JSON may spell ``"\\ud800"``; it cannot be encoded as UTF-8, and echoing it in the
    error reply (``impact_scope`` is not a valid choice) was a 500."""
    raw = (
        '{"store": "HZ001", "category": "system", "title": "t", "description": "d",'
        ' "impact_scope": "\\ud800"}'
    )
    response = client.post(
        "/api/v1/issues/",
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=_token(cast.lead)["Authorization"],
    )
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
