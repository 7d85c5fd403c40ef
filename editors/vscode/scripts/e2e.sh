#!/usr/bin/env bash
# End-to-end test of the bytelens VS Code extension in a real VS Code: code-server from the npm
# registry with the packaged .vsix installed, driven by headless Chromium (playwright-core).
#
# Idempotent: it installs what is missing (Debian packages as root, code-server and playwright-core
# into e2e/node_modules, the extension's own npm packages), packages the .vsix, starts code-server
# on 127.0.0.1 with fresh user data, runs e2e/drive.mjs and stops code-server again.
#
# Environment:
#   BYTELENS_PYTHON   the interpreter with bytelens installed (default: the repository's .venv)
#   E2E_SCREENSHOTS   where the screenshots go (default: a scratch folder under .e2e/; the docs'
#                     pictures are made with E2E_SCREENSHOTS=docs/images)
#   CHROMIUM          the browser (default: /usr/bin/chromium, installed with apt-get when missing)
#   E2E_ONLY          broken-buffers: only the broken-buffer checks (tests/test_vscode_broken_buffers.py)
#                     cache: only the cache checks (tests/test_vscode_cache.py)
#                     script: only the whole-file trace of script.py (tests/test_vscode_script.py)
set -euo pipefail

EXTENSION="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$EXTENSION/../.." && pwd)"
STATE="$EXTENSION/.e2e"
TOOLS="$EXTENSION/e2e"
PYTHON="${BYTELENS_PYTHON:-$REPO/.venv/bin/python}"
SCREENSHOTS="${E2E_SCREENSHOTS:-$STATE/screenshots}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

# code-server 4.100.3 (pinned in e2e/package.json) builds VS Code's @vscode/ripgrep 1.15.11, whose
# postinstall downloads ripgrep release v13.0.0-10 from GitHub. Only package registries are
# reachable, so its download cache is seeded with the rg binary of the npm package below.
RIPGREP_PACKAGE_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10
RIPGREP_BINARY_PACKAGE=@vscode/ripgrep-linux-x64@1.18.0

START=$SECONDS
say() { echo "e2e [$((SECONDS - START))s] $*"; }
fail() { echo "e2e: $*" >&2; exit 1; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "runs on Linux x86_64 only (the ripgrep seed is that build)"
command -v node >/dev/null && command -v npm >/dev/null || fail "needs Node.js 20 and npm"
[ "$(node -p 'process.versions.node.split(".")[0]')" = 20 ] || fail "code-server 4.100.3 needs Node.js 20, found $(node --version)"
[ -x "$PYTHON" ] || fail "no Python at $PYTHON: create the repository's .venv (pip install -e '.[test]') or set BYTELENS_PYTHON"
"$PYTHON" -c 'import bytelens.server' 2>/dev/null || fail "bytelens is not installed in $PYTHON"

# --- Debian packages: the browser, and what code-server's native modules build with ------------
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v g++ >/dev/null && command -v make >/dev/null || missing+=(build-essential)
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || fail "install these Debian packages first (as root): ${missing[*]}"
    say "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- code-server and playwright-core, from e2e/package-lock.json --------------------------------
stamp="$TOOLS/node_modules/.bytelens-e2e-lock"
if [ ! -x "$TOOLS/node_modules/.bin/code-server" ] || ! cmp -s "$TOOLS/package-lock.json" "$stamp"; then
    say "installing code-server and playwright-core (npm ci)"
    seed="$STATE/tmp/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
    mkdir -p "$seed"
    asset="$seed/ripgrep-$RIPGREP_RELEASE-x86_64-unknown-linux-musl.tar.gz"
    if [ ! -s "$asset" ]; then
        unpack="$(mktemp -d)"
        (cd "$unpack" && npm pack --silent "$RIPGREP_BINARY_PACKAGE" >/dev/null && tar xzf ./*.tgz)
        tar czf "$asset" -C "$unpack/package/bin" rg
        rm -rf "$unpack"
    fi
    # As root, code-server's postinstall wants unsafe-perm; node-pty's build runs `npx node-gyp`;
    # npm 11 runs dependencies' install scripts only when allowed.
    (cd "$TOOLS" && TMPDIR="$STATE/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
        npm_config_dangerously_allow_all_scripts=true npm ci --no-audit --no-fund --loglevel=error)
    cp "$TOOLS/package-lock.json" "$stamp"
fi

# --- the extension, packaged as users get it ---------------------------------------------------
if ! (cd "$EXTENSION" && npm ls --all >/dev/null 2>&1); then
    say "npm ci (the extension)"
    (cd "$EXTENSION" && npm ci --no-audit --no-fund --loglevel=error)
fi
say "packaging the extension"
(cd "$EXTENSION" && npm run --silent package >/dev/null)

# --- a fresh VS Code profile and workspace -----------------------------------------------------
rm -rf "$STATE/user-data" "$STATE/extensions" "$STATE/workspace"
mkdir -p "$STATE/user-data/User" "$STATE/workspace/.vscode" "$SCREENSHOTS"
cp "$TOOLS/workspace/"*.py "$STATE/workspace/"
cat > "$STATE/user-data/User/settings.json" <<'JSON'
{
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "security.workspace.trust.startupPrompt": "always",
    "editor.hover.delay": 200,
    "editor.stickyScroll.enabled": false,
    "window.commandCenter": false
}
JSON
# The interpreter is a workspace setting, as a user would set it; VS Code applies it only once
# the workspace is trusted (package.json's restrictedConfigurations), so the trust step matters.
printf '{\n    "bytelens.interpreter": ["%s"]\n}\n' "$PYTHON" > "$STATE/workspace/.vscode/settings.json"

code_server=("$TOOLS/node_modules/.bin/code-server" --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions")
say "installing bytelens.vsix into code-server"
"${code_server[@]}" --install-extension "$EXTENSION/bytelens.vsix" --force >"$STATE/install-extension.log" 2>&1 \
    || { cat "$STATE/install-extension.log" >&2; fail "installing the .vsix failed"; }

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
say "starting code-server on 127.0.0.1:$port"
# Its own session (setsid), so stopping it stops VS Code's server, extension host and the
# language server with it, and nothing else.
setsid "${code_server[@]}" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
    --disable-getting-started-override --ignore-last-opened "$STATE/workspace" >"$STATE/code-server.log" 2>&1 &
server_pid=$!
stop() { kill -- "-$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
trap stop EXIT

# In Restricted Mode the server starts with python3 from PATH: the drive checks the message that
# says how to install bytelens there, when it is indeed missing.
lacks=0
(cd / && python3 -c 'import bytelens' 2>/dev/null) || lacks=1

say "driving VS Code in headless Chromium"
E2E_PATH_PYTHON_LACKS_BYTELENS=$lacks E2E_URL="http://127.0.0.1:$port/?folder=$STATE/workspace" E2E_SCREENSHOTS="$SCREENSHOTS" \
    E2E_WORKSPACE="$STATE/workspace" E2E_LOGS="$STATE" CHROMIUM="$CHROMIUM" \
    node "$TOOLS/drive.mjs"
say "passed"
