"""The deployment files keep their shape: docker-compose.yml, Dockerfile, Procfile.dev,
and the production settings pass ``check --deploy`` and refuse to start without a secret."""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "closedloop.settings.production",
    "DATABASE_URL": "postgres://closedloop:secret@db.invalid:5432/closedloop",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "DJANGO_ALLOWED_HOSTS": "closedloop.example.com",
}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_tokens(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(t) for t in command]


def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile.dev").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = shlex.split(command)
    return processes


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run Python in a clean environment: only what a deployment would set."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_compose_has_the_five_services_on_the_pinned_images(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"


def test_compose_runs_exactly_one_beat_and_no_embedded_beat(compose):
    services = compose["services"]
    beats = [name for name, svc in services.items() if "beat" in command_tokens(svc)]
    assert beats == ["beat"]
    beat = command_tokens(services["beat"])
    assert beat[:4] == ["celery", "-A", "closedloop", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    worker = command_tokens(services["worker"])
    assert worker[:4] == ["celery", "-A", "closedloop", "worker"]
    for name, svc in services.items():
        tokens = command_tokens(svc)
        assert "-B" not in tokens and "--beat" not in tokens, name


def test_compose_app_services_use_the_production_settings(compose):
    services = compose["services"]
    for name in (*APP_SERVICES, "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "closedloop.settings.production", name
        for key in ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS"):
            assert env.get(key), (name, key)
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        # The secret is required: compose refuses to start when it is unset.
        assert ":?" in env["DJANGO_SECRET_KEY"]
    assert command_tokens(services["web"])[:2] == ["gunicorn", "closedloop.wsgi"]
    assert command_tokens(services["migrate"])[-2:] == ["migrate", "--noinput"]


def test_compose_healthchecks_and_startup_order(compose):
    services = compose["services"]
    checks = {
        name: " ".join(services[name]["healthcheck"]["test"])
        for name in ("postgres", "redis", "web")
    }
    assert "pg_isready" in checks["postgres"]
    assert "redis-cli ping" in checks["redis"]
    assert "/healthz" in checks["web"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"


def test_compose_keeps_data_in_named_volumes(compose):
    services = compose["services"]
    assert {"postgres-data", "redis-data", "media"} <= set(compose["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redis-data:/data" in services["redis"]["volumes"]
    for name in ("web", "worker"):
        assert "media:/app/var/media" in services[name]["volumes"], name


def test_dockerfile_shape():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-cjk"):
        assert package in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "scripts/compile_messages.py" in dockerfile
    assert "\nUSER closedloop\n" in dockerfile
    assert 'CMD ["gunicorn", "closedloop.wsgi"' in dockerfile


def test_procfile_runs_web_worker_and_exactly_one_beat():
    processes = procfile()
    assert set(processes) == {"web", "worker", "beat"}
    for name, tokens in processes.items():
        assert "DJANGO_SETTINGS_MODULE=closedloop.settings.local" in tokens, name
        assert "-B" not in tokens and "--beat" not in tokens, name
    assert "gunicorn" in processes["web"] and "closedloop.wsgi" in processes["web"]
    assert "worker" in processes["worker"] and "beat" not in processes["worker"]
    beats = [name for name, tokens in processes.items() if "beat" in tokens]
    assert beats == ["beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in processes["beat"]


def test_check_deploy_is_silent_with_production_settings():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
    assert "WARNINGS:" not in output and "ERRORS:" not in output, output


def test_production_settings_refuse_to_start_without_a_secret_key():
    dotenv = ROOT / ".env"
    if dotenv.exists() and "DJANGO_SECRET_KEY" in dotenv.read_text():
        pytest.skip(".env provides DJANGO_SECRET_KEY; the settings read it")
    result = run_python(["manage.py", "check"], PRODUCTION_ENV)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_collectstatic_succeeds(tmp_path):
    """The Docker image runs collectstatic with the manifest storage: every file that
    a CSS or JS file references (fonts, source maps...) must exist. Django's manifest
    storage makes that check; WhiteNoise's compression on top is left out (slow)."""
    script = (
        "import django; from django.conf import settings; django.setup();"
        "from django.core.management import call_command;"
        "from django.test.utils import override_settings;"
        "assert 'Manifest' in settings.STORAGES['staticfiles']['BACKEND'];"
        "storages = {**settings.STORAGES, 'staticfiles': {'BACKEND':"
        " 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}};"
        f"override_settings(STATIC_ROOT={str(tmp_path)!r}, STORAGES=storages).enable();"
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    result = run_python(["-c", script], env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "staticfiles.json").exists()
