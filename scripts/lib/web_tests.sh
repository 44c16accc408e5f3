# The web platform's tests: component tests (vitest) and the end-to-end
# browser tests (web/e2e, playwright-core driving Debian's chromium) against a
# fresh local network with the demo data. Sourced by scripts/test; needs
# common.sh (say, wait_healthy) and a built ./target/release (tanji-node with
# the platform embedded, tanji).
# shellcheck shell=bash

# Seconds to wait for the devnet (start, demo data, manifest) and for the
# observer to have caught up.
WEB_TESTS_DEVNET_TIMEOUT="${WEB_TESTS_DEVNET_TIMEOUT:-300}"

# Waits until URL answers 200, or fails after $2 seconds.
_web_wait_200() {
  local url="$1" limit="$2" i=0
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -gt $((limit * 5)) ] && return 1
    sleep 0.2
  done
}

# Stops the devnet started by run_web_tests: SIGTERM to the devnet process
# (it stops its nodes), then to any node of its manifest still running; SIGKILL
# after 20 s. Only processes this run started.
_web_stop_devnet() {
  local pid="$1" dir="$2" pids="" p i
  [ -n "$pid" ] || return 0
  if [ -s "$dir/devnet.json" ]; then
    pids="$(json_value "$dir/devnet.json" '" ".join(str(n["pid"]) for n in d["nodes"])' 2>/dev/null || true)"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in $pids; do
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
}

# Runs the component tests and the browser tests; prints one summary line
#   web: N vitest passed, M e2e passed, K failed
# and returns non-zero if anything failed. Artifacts (screenshots, report.json,
# the devnet's logs on failure) go to target/web-e2e. Runs in a subshell so
# its traps and `cd`s stay its own.
run_web_tests() (
  set +e
  local root="$TANJI_ROOT" web="$TANJI_ROOT/web" out="$TANJI_ROOT/target/web-e2e"
  local vitest_passed=0 vitest_failed=0 e2e_passed=0 e2e_failed=0 status=0 note=""
  mkdir -p "$out"
  rm -f "$out/vitest.json" "$out/e2e.log"

  # (1) component tests
  say "web: component tests (vitest)"
  (cd "$web" && npm run --silent gen >/dev/null && npx vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json")
  local vs=$?
  if [ -s "$out/vitest.json" ]; then
    vitest_passed="$(json_value "$out/vitest.json" 'd["numPassedTests"]')"
    vitest_failed="$(json_value "$out/vitest.json" 'd["numFailedTests"]')"
  fi
  if [ "$vs" -ne 0 ]; then
    status=1
    # a run that failed before reporting (a file that does not load) is one failure
    [ "$vitest_failed" -gt 0 ] || vitest_failed=1
  fi

  # (2) a fresh network with the demo data
  local dir pid=""
  dir="$(mktemp -d "${TMPDIR:-/tmp}/tanji-web-e2e.XXXXXX")"
  trap '_web_stop_devnet "$pid" "$dir"; rm -rf "$dir"' EXIT
  trap 'exit 130' INT TERM
  say "web: starting tanji-node devnet (4 validators, 1 observer, demo data) in $dir"
  "$root/target/release/tanji-node" devnet --validators 4 --observers 1 --base-dir "$dir" --demo \
    >"$dir/devnet.out" 2>"$dir/devnet.log" &
  pid=$!
  local up=0 i
  for i in $(seq $((WEB_TESTS_DEVNET_TIMEOUT * 10))); do
    if [ -s "$dir/devnet.json" ] && [ -s "$dir/demo.json" ]; then up=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  local node="" observer="" cert="" laptop=""
  if [ "$up" -eq 1 ]; then
    node="$(json_value "$dir/devnet.json" 'd["nodes"][0]["http"]')"
    observer="$(json_value "$dir/devnet.json" '([n["http"] for n in d["nodes"] if n["role"]=="observer"] or [""])[0]')"
    cert="$(json_value "$dir/demo.json" 'd["laptop"]["certificate"]')"
    laptop="$(json_value "$dir/demo.json" 'd["laptop"]["footprint"]')"
    # every node answers, and the observer has caught up with the demo data
    wait_healthy "$node" 60 || up=0
    if [ -n "$observer" ]; then
      wait_healthy "$observer" 60 || up=0
      _web_wait_200 "$observer/v1/footprints/$laptop" "$WEB_TESTS_DEVNET_TIMEOUT" || up=0
      _web_wait_200 "$observer/v1/certificates/$cert" "$WEB_TESTS_DEVNET_TIMEOUT" || up=0
    fi
  fi

  # (3) the browser tests
  if [ "$up" -eq 1 ]; then
    say "web: browser tests against $node (observer ${observer:-none})"
    (cd "$web" && TANJI_E2E_NODE="$node" TANJI_E2E_OBSERVER="$observer" TANJI_E2E_DEMO="$dir/demo.json" \
      TANJI_E2E_KEYS="$dir/keys" TANJI_E2E_TANJI="$root/target/release/tanji" TANJI_E2E_OUT="$out" \
      TANJI_E2E_DIST="$web/dist" TANJI_CHROMIUM="${TANJI_CHROMIUM:-}" node e2e/run.mjs) 2>&1 | tee "$out/e2e.log"
    local es=${PIPESTATUS[0]}
    if [ -s "$out/report.json" ]; then
      e2e_passed="$(json_value "$out/report.json" 'd["tests"]["passed"]')"
      e2e_failed="$(json_value "$out/report.json" 'd["tests"]["failed"]')"
    fi
    if [ "$es" -ne 0 ]; then
      status=1
      [ "$e2e_failed" -gt 0 ] || e2e_failed=1
    fi
  else
    echo "error: the devnet did not come up within ${WEB_TESTS_DEVNET_TIMEOUT}s; see $out/devnet-logs" >&2
    tail -30 "$dir/devnet.log" >&2
    status=1
    e2e_failed=1
    note=" (the devnet did not start: the browser tests did not run)"
  fi

  # (4) keep the network's logs when something failed
  if [ "$status" -ne 0 ]; then
    rm -rf "$out/devnet-logs"
    mkdir -p "$out/devnet-logs"
    cp "$dir"/devnet.out "$dir"/devnet.log "$out/devnet-logs/" 2>/dev/null
    for n in "$dir"/*/node.log; do
      [ -f "$n" ] && cp "$n" "$out/devnet-logs/$(basename "$(dirname "$n")").log"
    done
  fi

  # (5) one line
  echo "web: $vitest_passed vitest passed, $e2e_passed e2e passed, $((vitest_failed + e2e_failed)) failed$note"
  exit "$status"
)
