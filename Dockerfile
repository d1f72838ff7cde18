# NRM Panel production image: one image for web (gunicorn), Celery worker, Celery beat and
# the one-shot migrate step. docker-compose.yml runs it; README.md and docs/deployment.md say how.

# --- 1. Front-end assets: GOV.UK Frontend and MOJ Frontend from npm, our Sass compiled to CSS.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/src static/src
RUN npm run build


# --- 2. Python packages, in a virtual environment the runtime stage copies whole.
FROM python:3.11-slim-bookworm AS python-packages
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /build
# Only pyproject.toml, so this layer (the slow one) is rebuilt only when the dependencies
# change. With no source beside it, `pip install .` installs the dependencies and an empty
# nrm-panel distribution: the code itself runs from /app (see PYTHONPATH below), where the
# templates and static files are, never from site-packages. No [local,dev] extras: the
# embedded PostgreSQL/Redis and the test tools are for developers' machines only.
COPY pyproject.toml ./
RUN /opt/venv/bin/pip install .


# --- 3. The runtime image.
FROM python:3.11-slim-bookworm

# WeasyPrint (decision letters as PDF) needs Pango; libharfbuzz-subset0 makes it much faster.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The app runs as an unprivileged user that can write only to /app/var.
RUN groupadd --system --gid 10001 nrm \
    && useradd --system --uid 10001 --gid nrm --home-dir /app --no-create-home --shell /usr/sbin/nologin nrm

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=nrm_panel.settings \
    STATIC_ROOT=/app/staticfiles \
    PRIVATE_MEDIA_ROOT=/app/var/uploads

COPY --from=python-packages /opt/venv /opt/venv
WORKDIR /app
COPY . /app
# settings.STATICFILES_DIRS reads these from node_modules/ beside manage.py.
COPY --from=assets /build/static/build /app/static/build
COPY --from=assets /build/node_modules/govuk-frontend/dist /app/node_modules/govuk-frontend/dist
COPY --from=assets /build/node_modules/@ministryofjustice/frontend/moj /app/node_modules/@ministryofjustice/frontend/moj

# Static files are collected into the image (owned by root, read-only to the app) and
# served by WhiteNoise. NRM_ENVIRONMENT is still unset here, so no secret is needed to build.
RUN python manage.py collectstatic --noinput \
    && mkdir -p /app/var/uploads \
    && chown -R nrm:nrm /app/var \
    && chmod 700 /app/var/uploads

# From here on the image starts as production: it refuses to run without a real
# SECRET_KEY, ALLOWED_HOSTS and https SITE_URL, or with DEBUG on.
ENV NRM_ENVIRONMENT=production
# /app/var/uploads holds the evidence uploaded to cases: docker-compose.yml mounts a volume
# there (shared by web and worker), to be backed up with the database.
USER nrm
EXPOSE 8000
# WEB_CONCURRENCY is gunicorn's own variable for the number of worker processes.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "nrm_panel.wsgi", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", "--access-logfile", "-"]
