#!/bin/sh
# The web container (docker compose's `web`, the image's default command). The deploy check
# comes first: with a missing or weak SECRET_KEY, DEBUG on or an unsafe security setting the
# container stops here with Django's message, before it migrates or serves anything.
set -e
python manage.py check --deploy --fail-level WARNING
python manage.py migrate --noinput
exec gunicorn clinic.wsgi:application --bind 0.0.0.0:8000 --workers "${GUNICORN_WORKERS:-3}" --timeout 30
