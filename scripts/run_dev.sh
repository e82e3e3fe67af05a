#!/usr/bin/env bash
# Serves the app with a Celery worker and beat beside it, until Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var/broker/out var/broker/processed var/broker/control var/mail

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$BIN/celery -A clinic worker --loglevel=INFO --concurrency=2 &
pids+=($!)
$BIN/celery -A clinic beat --loglevel=INFO &
pids+=($!)
$BIN/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}" &
pids+=($!)
wait -n "${pids[@]}"
