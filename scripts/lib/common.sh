# Shared by the scripts: find the repository, install what the build needs.
# shellcheck shell=bash

TANJI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export TANJI_ROOT

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

# shellcheck source=web.sh
source "$TANJI_ROOT/scripts/lib/web.sh"

# RocksDB's Rust bindings are generated with bindgen, which needs libclang;
# its C++ needs a compiler. Install them with apt-get when missing.
ensure_build_deps() {
  local missing=()
  if ! ldconfig -p 2>/dev/null | grep -q 'libclang\(-[0-9.]*\)\?\.so'; then
    missing+=(libclang-dev)
  fi
  command -v c++ >/dev/null 2>&1 || missing+=(g++)
  command -v make >/dev/null 2>&1 || missing+=(make)
  if ((${#missing[@]})); then
    say "installing build dependencies: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
      export PATH="$HOME/.cargo/bin:$PATH"
    else
      echo "error: cargo is not installed; install Rust (https://rustup.rs) and run again" >&2
      exit 1
    fi
  fi
}

# iproute2 (`ip`, `tc`) for the fault tests' network namespaces
# (docs/fault-tests.md), when running as root without it. Best effort: without
# it the fault tests run on the loopback and say so.
ensure_netns_tools() {
  if [ "$(id -u)" -eq 0 ] && ! command -v ip >/dev/null 2>&1; then
    say "installing iproute2 for the fault tests' network namespaces"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null ||
      say "warning: iproute2 not installed; the fault tests will run on the loopback"
  fi
}

# Schemathesis (PyPI), pinned, in a venv of its own under target/, for the
# API contract test (tests/tests/contract.rs). Exports TANJI_SCHEMATHESIS.
SCHEMATHESIS_VERSION="4.32.5"
# CPython 3.11 before 3.11.9 (gh-106905) can raise SystemError "AST
# constructor recursion depth mismatch" from ast.parse after an earlier
# failed parse. Hypothesis parses source only to describe lambdas and expects
# SyntaxError there, so schemathesis reported a tool error, not an API one.
# A .pth hook in the venv turns that SystemError into a SyntaxError.
ensure_ast_workaround() {
  local venv="$1" site
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  cat >"$site/tanji_ast_workaround.py" <<'PY'
"""Works around CPython gh-106905 for Hypothesis (installed by Tanji's scripts/lib/common.sh)."""
import ast

_parse = ast.parse


def _parse_or_syntax_error(*args, **kwargs):
    try:
        return _parse(*args, **kwargs)
    except SystemError as e:
        if "recursion depth mismatch" in str(e):
            raise SyntaxError(str(e)) from e
        raise


ast.parse = _parse_or_syntax_error
PY
  echo "import tanji_ast_workaround" >"$site/tanji_ast_workaround.pth"
}

ensure_schemathesis() {
  local venv="${TANJI_SCHEMATHESIS_VENV:-$TANJI_ROOT/target/schemathesis-venv}"
  if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
      local sudo=()
      [ "$(id -u)" -eq 0 ] || sudo=(sudo)
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq python3-venv >/dev/null
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  ensure_ast_workaround "$venv"
  export TANJI_SCHEMATHESIS="$venv/bin/st"
}

# Everything (tests, demo, benches) builds with --release so RocksDB's C++ is
# compiled once per machine; see docs/adr/0003-one-build-profile.md.
# The web platform is built first: the node embeds web/dist.
#
# With --tests (as scripts/test passes), the binaries and the tests build in
# one invocation, so the dev-dependencies' features are unified once and the
# binaries are the very ones `cargo test` then finds fresh. Built apart, the
# binaries' features differ from the tests' and some 70 crates (libp2p,
# Malachite, the Tanji crates) compile twice on a fresh clone.
build_release_bins() {
  build_web
  say "building (release; the first build compiles RocksDB and takes a while)"
  (cd "$TANJI_ROOT" && cargo build --release --locked --workspace --bins "$@")
}

# Prints one value of a JSON file: a Python expression over `d`, e.g.
#   json_value devnet.json 'd["nodes"][0]["http"]'
json_value() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# Waits until URL/health answers 200, or fails after $2 seconds.
wait_healthy() {
  local url="$1" limit="${2:-60}" i=0
  until curl -fsS "$url/health" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt $((limit * 10)) ]; then
      echo "error: $url did not become healthy within ${limit}s" >&2
      return 1
    fi
    sleep 0.1
  done
}

# Reads the HTTP URL a node wrote to DIR/node.json.
node_url() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$1/node.json" 2>/dev/null ||
    sed -n 's/.*"http": *"\([^"]*\)".*/\1/p' "$1/node.json"
}
