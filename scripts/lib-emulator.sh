# shellcheck shell=bash
# Shared by scripts/test and scripts/demo (source it, do not run it):
#   emu_setup_venv     create/reuse the test virtualenv (emulator + report consumers) -> EMU_PYTHON
#   emu_ensure_chromium find chromium, installing it with apt-get if missing -> EMU_CHROMIUM
#   emu_start_server   start tests/emulator/server.py on a free port -> EMU_URL, EMU_PID, EMU_LOG
#                      (installs an EXIT trap that stops it)
#   emu_fake_aws_env   point the AWS SDKs at dummy credentials, never at a real profile

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EMU_DIR="$REPO/tests/emulator"
CONSUMERS_DIR="$REPO/tests/consumers"
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
    # One virtualenv, one pip run for both files, so pip resolves them together.
    local req="$EMU_DIR/requirements.txt"
    local creq="$CONSUMERS_DIR/requirements.txt"
    local stamp="$VENV/.cis-audit-requirements.sha256"
    local want
    want="$(emu_hash "$req") $(emu_hash "$creq")" # a change to either file reinstalls
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "emulator: installing $req and $creq into $VENV" >&2
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$req" -r "$creq" ||
            emu_die "pip could not install $req and $creq into $VENV (see pip's output above)"
        echo "$want" >"$stamp"
    fi
    EMU_PYTHON="$VENV/bin/python"
}

emu_ensure_chromium() {
    # The HTML report is rendered by headless Chromium (tests/consumers/validate.py html).
    local c="${CIS_AUDIT_TEST_CHROMIUM:-}"
    if [ -n "$c" ]; then
        [ -x "$c" ] || emu_die "CIS_AUDIT_TEST_CHROMIUM=$c is not an executable file"
        EMU_CHROMIUM="$c"
        return 0
    fi
    c="$(command -v chromium 2>/dev/null || true)"
    if [ -z "$c" ]; then
        command -v apt-get >/dev/null 2>&1 ||
            emu_die "chromium not found and there is no apt-get: install Chromium (the HTML report tests render it) or set CIS_AUDIT_TEST_CHROMIUM to its path"
        [ "$(id -u)" = 0 ] ||
            emu_die "chromium not found: install it as root (apt-get install -y chromium) or set CIS_AUDIT_TEST_CHROMIUM to its path"
        local log
        log="$(mktemp "${TMPDIR:-/tmp}/cis-audit-apt.XXXXXX")"
        echo "emulator: installing chromium (apt-get install -y chromium)" >&2
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >"$log" 2>&1; then
            echo "emulator: apt-get install failed; running apt-get update and trying again" >&2
            if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >>"$log" 2>&1; then
                tail -n 20 "$log" | sed 's/^/  | /' >&2
                emu_die "apt-get could not install chromium (full log: $log)"
            fi
        fi
        rm -f "$log"
        c="$(command -v chromium 2>/dev/null || true)"
        [ -n "$c" ] || emu_die "apt-get installed chromium but there is no 'chromium' on PATH"
    fi
    "$c" --version >/dev/null 2>&1 || emu_die "'$c --version' failed: the chromium install is broken"
    EMU_CHROMIUM="$c"
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
