# Production image: gunicorn with uvicorn workers serves the web app over ASGI
# (pages and chat WebSockets); the same image runs the Celery worker and beat
# (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# collectstatic needs production settings to import; these stand-ins exist
# only for this build step and never reach a running container.
RUN DEBUG=false STATIC_MANIFEST=true ALLOWED_HOSTS=build.invalid \
    SECRET_KEY=build-only-not-a-secret-0000000000000000000000000000000000000000 \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app cohortnet \
    && mkdir -p /app/var \
    && chown -R cohortnet /app/var

USER cohortnet
EXPOSE 8000

CMD ["gunicorn", "cohortnet.asgi:application", "--worker-class", "uvicorn_worker.UvicornWorker", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
