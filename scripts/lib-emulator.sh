# shellcheck shell=bash
# Shared by scripts/test and scripts/demo (source it, do not run it):
#   emu_setup_venv     create/reuse the emulator virtualenv  -> EMU_PYTHON
#   emu_start_server   start tests/emulator/server.py on a free port -> EMU_URL, EMU_PID, EMU_LOG
#                      (installs an EXIT trap that stops it)
#   emu_fake_aws_env   point the AWS SDKs at dummy credentials, never at a real profile

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EMU_DIR="$REPO/tests/emulator"
VENV="${CIS_AUDIT_VENV:-$REPO/.venv-emulator}"
EMU_PID=""
EMU_LOG=""
EMU_URL=""

emu_die() {
    echo "error: $*" >&2
    exit 1
}

emu_hash() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

emu_setup_venv() {
    command -v python3 >/dev/null 2>&1 ||
        emu_die "python3 not found: the test emulator needs Python 3.9+ (Debian/Ubuntu: apt-get install python3 python3-venv)"
    if [ -e "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        if [ -f "$VENV/pyvenv.cfg" ]; then
            echo "emulator: virtualenv $VENV is broken; recreating it" >&2
            rm -rf "$VENV"
        else
            emu_die "$VENV exists but is not a virtualenv; remove it or set CIS_AUDIT_VENV"
        fi
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        echo "emulator: creating virtualenv $VENV" >&2
        python3 -m venv "$VENV" ||
            emu_die "'python3 -m venv $VENV' failed (Debian/Ubuntu: apt-get install python3-venv)"
    fi
    local req="$EMU_DIR/requirements.txt"
    local stamp="$VENV/.cis-audit-requirements.sha256"
    local want
    want="$(emu_hash "$req")"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "emulator: installing $req into $VENV" >&2
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$req" ||
            emu_die "pip could not install $req into $VENV (see pip's output above)"
        echo "$want" >"$stamp"
    fi
    EMU_PYTHON="$VENV/bin/python"
}

emu_stop_server() {
    local rc=$?
    if [ -n "$EMU_PID" ] && kill -0 "$EMU_PID" 2>/dev/null; then
        kill "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
    fi
    EMU_PID=""
    if [ -n "$EMU_LOG" ] && [ -f "$EMU_LOG" ]; then
        if [ "$rc" -ne 0 ] && [ "${EMU_KEEP_LOG:-1}" = 1 ]; then
            echo "emulator: log kept at $EMU_LOG" >&2
        else
            rm -f "$EMU_LOG"
        fi
    fi
    return "$rc"
}

emu_start_server() {
    [ -n "${EMU_PYTHON:-}" ] || emu_setup_venv
    EMU_LOG="$(mktemp "${TMPDIR:-/tmp}/cis-audit-emulator.XXXXXX")"
    "$EMU_PYTHON" "$EMU_DIR/server.py" --host 127.0.0.1 --port 0 >"$EMU_LOG" 2>&1 &
    EMU_PID=$!
    trap emu_stop_server EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    local i
    for i in $(seq 1 300); do # up to ~30 s
        EMU_URL="$(sed -n 's/^listening on \(http:[^ ]*\).*$/\1/p' "$EMU_LOG" | head -n 1)"
        [ -n "$EMU_URL" ] && break
        kill -0 "$EMU_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$EMU_URL" ]; then
        echo "error: the emulator (tests/emulator/server.py) did not start. Its output:" >&2
        sed 's/^/  | /' "$EMU_LOG" >&2
        exit 1
    fi
    for i in $(seq 1 100); do # up to ~20 s
        if "$EMU_PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_harness/health", timeout=2)' \
            "$EMU_URL" >/dev/null 2>&1; then
            echo "emulator: listening on $EMU_URL (pid $EMU_PID)" >&2
            return 0
        fi
        kill -0 "$EMU_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "error: the emulator at $EMU_URL did not answer /_harness/health. Its output:" >&2
    sed 's/^/  | /' "$EMU_LOG" >&2
    exit 1
}

emu_fake_aws_env() {
    # Dummy credentials for the emulator; never sign with (or look up) a real profile.
    export AWS_ACCESS_KEY_ID=testing
    export AWS_SECRET_ACCESS_KEY=testing
    unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
    export AWS_CONFIG_FILE=/dev/null
    export AWS_SHARED_CREDENTIALS_FILE=/dev/null
    export AWS_EC2_METADATA_DISABLED=true
    export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
    export AWS_REGION="${AWS_REGION:-$AWS_DEFAULT_REGION}"
}
