# closedloop production image: gunicorn serves the app; the same image runs the Celery
# worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=closedloop.settings.production

# WeasyPrint needs Pango and HarfBuzz; PDFs and Excel exports need Chinese fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fontconfig fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system closedloop \
    && useradd --system --gid closedloop --home-dir /app --shell /usr/sbin/nologin closedloop

WORKDIR /app
COPY . /app
# The code runs from /app (PYTHONPATH) so BASE_DIR finds templates/, static/ and locale/.
RUN pip install . "polib>=1.2"

# Build-time only values: the production settings refuse to start without them.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret \
    DATABASE_URL=postgres://build@localhost:5432/build \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && python scripts/compile_messages.py --force \
    && mkdir -p /app/var/media \
    && chown -R closedloop:closedloop /app/var

USER closedloop
EXPOSE 8000
CMD ["gunicorn", "closedloop.wsgi", "--bind=0.0.0.0:8000", "--timeout=120", "--access-logfile=-"]
