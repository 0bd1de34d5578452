# shellcheck shell=bash
# Sourced by the scripts in this folder: creates .venv when absent and keeps it in step
# with the requirements files. Reinstalls only when a requirements file has changed.

venv_ensure() {
    local requirements=$1
    local python=${PYTHON:-python3}

    if ! command -v "$python" >/dev/null 2>&1; then
        echo "error: $python not found; install Python 3.11 or set PYTHON=/path/to/python3.11" >&2
        return 1
    fi
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "error: $("$python" --version 2>&1) is too old; Python 3.11 or newer is required" >&2
        return 1
    fi
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
        echo "==> creating .venv with $("$python" --version 2>&1)"
        "$python" -m venv --clear .venv
    fi

    local stamp=".venv/.installed-${requirements%.txt}"
    local wanted
    wanted=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "==> installing $requirements into .venv"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
        echo "$wanted" >"$stamp"
    fi

    export VIRTUAL_ENV="$PWD/.venv"
    export PATH="$VIRTUAL_ENV/bin:$PATH"
}
