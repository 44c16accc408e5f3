# The web platform's toolchain: Node.js/npm, the built bundle, Debian's
# chromium for the browser tests. Sourced by common.sh.
# shellcheck shell=bash

apt_install() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}

# Vite needs Node.js 20.19 or later.
node_is_recent() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}

ensure_node() {
  if ! node_is_recent; then
    say "installing Node.js and npm (apt-get)"
    apt_install nodejs
    command -v npm >/dev/null 2>&1 || apt_install npm
    node_is_recent || {
      echo "error: Node.js $(node --version 2>/dev/null || echo missing) is too old for the web build; 20.19 or later is needed" >&2
      exit 1
    }
  fi
}

# Debian's chromium, driven headless by playwright-core (never a downloaded build).
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    say "installing chromium (apt-get) for the browser tests"
    apt_install chromium
  fi
  export TANJI_CHROMIUM="${TANJI_CHROMIUM:-$(command -v chromium)}"
}

# A digest of everything the bundle is built from, to skip a build that
# would change nothing.
web_inputs_digest() {
  (
    cd "$TANJI_ROOT/web" || exit 1
    local inputs=() p
    # only what exists (public/ is optional): a missing path must not fail the digest
    for p in src public index.html package.json package-lock.json openapi.json vite.config.ts tsconfig.json; do
      [ -e "$p" ] && inputs+=("$p")
    done
    find "${inputs[@]}" -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
  )
}

# Builds web/dist (npm ci, type check, vite build) unless it is up to date;
# the node embeds it when it is compiled (api/build.rs).
build_web() {
  ensure_node
  local web="$TANJI_ROOT/web" digest
  digest="$(web_inputs_digest)"
  if [ -f "$web/dist/.inputs" ] && [ "$(cat "$web/dist/.inputs")" = "$digest" ] && [ -d "$web/node_modules" ]; then
    return 0
  fi
  say "building the web platform (npm ci, type check, vite build)"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
  echo "$digest" >"$web/dist/.inputs"
}
