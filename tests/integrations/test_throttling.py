"""Requests are throttled per API token: 429 with Retry-After once its rate is used up,
configurable globally (API_TOKEN_THROTTLE_RATE) and per token. The history lives in the
cache under each token's own key, so tests never share an allowance."""


def test_the_default_rate_applies_per_token(cast, token_client, settings):
    settings.API_TOKEN_THROTTLE_RATE = "3/min"
    first = token_client(cast.dms)
    second = token_client(cast.dms)
    for _n in range(3):
        assert first.get("/api/v1/stores/").status_code == 200
    refused = first.get("/api/v1/stores/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()
    # Another token of the same client has its own allowance.
    assert second.get("/api/v1/stores/").status_code == 200


def test_a_token_may_carry_its_own_rate(cast, token_client, settings):
    settings.API_TOKEN_THROTTLE_RATE = "1000/min"
    slow = token_client(cast.dms, throttle_rate="2/hour")
    assert slow.get("/api/v1/stores/").status_code == 200
    assert slow.get("/api/v1/issues/").status_code == 200
    refused = slow.get("/api/v1/stores/")
    assert refused.status_code == 429
    assert 60 < int(refused["Retry-After"]) <= 3600


def test_sessions_are_not_throttled_per_token(cast, client, settings):
    settings.API_TOKEN_THROTTLE_RATE = "1/min"
    client.force_login(cast.lead)
    for _n in range(3):
        assert client.get("/api/v1/stores/").status_code == 200
