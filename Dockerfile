FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Exactly the versions and hashes of requirements.lock (`make lock`), nothing resolved here.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
# A throw-away key for these build steps only: it is not kept in the image, whose settings
# refuse to start without a SECRET_KEY from the environment (DEBUG is off below).
RUN DJANGO_DEBUG=0 SECRET_KEY=build-only-not-in-the-image python manage.py collectstatic --noinput \
    && DJANGO_DEBUG=0 SECRET_KEY=build-only-not-in-the-image python manage.py compilemessages -v 0 \
    && useradd --create-home app && chown -R app /app
ENV DJANGO_DEBUG=0
USER app
EXPOSE 8000
CMD ["sh", "scripts/serve-web.sh"]
