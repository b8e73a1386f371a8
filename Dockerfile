# syntax=docker/dockerfile:1
# One image for every process of Lean OKRs: web (gunicorn, the default CMD), the Celery
# worker and Celery beat. docker-compose.yml runs it three times with different commands.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The processes run as an unprivileged user; the code stays owned by root, so a
# compromised process cannot rewrite it.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The lock pins every
# package with its hashes (uv pip compile --generate-hashes).
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY . .

# Static files are collected into the image (STATIC_ROOT defaults to /app/staticfiles)
# and served by whitenoise. Settings refuse to load without a SECRET_KEY when DEBUG is
# off, so collectstatic gets a throwaway one that lives only in this RUN step; the
# real key comes from the environment at run time. /app/var/celery (CELERY_DATA_DIR)
# is the only place the app writes: Celery beat keeps its schedule file there.
RUN DEBUG=false \
    SECRET_KEY=build-only-collectstatic-key-never-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/celery \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

# Health checks live in docker-compose.yml: the same image also runs the worker and
# beat, which do not serve /healthz. gunicorn reads gunicorn.conf.py from /app (the
# working directory): bind 0.0.0.0:8000, workers, threads, timeouts, access log to
# stdout, each changeable from the environment (WEB_CONCURRENCY, GUNICORN_THREADS, ...).
CMD ["gunicorn", "config.wsgi:application"]
