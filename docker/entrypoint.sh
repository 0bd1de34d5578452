#!/bin/sh
# Starts one process of the tracker: web (migrates first), worker, beat, or any command.
set -eu

case "${1:-web}" in
    web)
        python manage.py migrate --noinput
        exec gunicorn tracker.wsgi:application \
            --bind "0.0.0.0:${PORT:-8000}" \
            --workers "${WEB_CONCURRENCY:-3}" \
            --access-logfile -
        ;;
    worker)
        exec celery -A tracker worker -l info
        ;;
    beat)
        exec celery -A tracker beat -l info --schedule /app/var/celerybeat-schedule
        ;;
    *)
        exec "$@"
        ;;
esac
