#!/bin/sh
# Starts one process of the tracker: web (migrates first), worker, beat (sets up the
# periodic schedule first), or any command.
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
        # The schedule lives in the database (django-celery-beat); bring its rows up to
        # date with this release before beat reads them. The web container has migrated.
        python manage.py setup_schedule
        exec celery -A tracker beat -l info
        ;;
    *)
        exec "$@"
        ;;
esac
