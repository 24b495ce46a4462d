#!/usr/bin/env bash
# Sluice build entry point.
#   ./build.sh serve [ARGS…]  run `sluice serve` on the embedded default (SMTP 127.0.0.1:2525, HTTP 127.0.0.1:8025, spool ./data)
#   ./build.sh test           install what the tests need (Debian packages), build, run every test
#   ./build.sh install [PREFIX]  publish `sluice` (one self-contained executable) into PREFIX/bin (default /usr/local),
#                             with a systemd unit, a commented default config and bash completion (docs/install.md)
#   ./build.sh fuzz [SECONDS] fuzz every parser target with afl++ for SECONDS each (default 60; docs/fuzzing.md)
#   ./build.sh bench          run the benchmarks (spool engines; accept rate vs Postfix) into bench/results/ and docs/performance.md
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests and benchmarks start as real peers: swaks (SMTP client), postfix (smtp-source, smtpd),
# dnsmasq (a DNS server with MX records for delivery tests), haproxy (a front door sending PROXY v2 to nodes),
# afl++ (the fuzzer driving the parser targets in fuzz/).
TEST_PACKAGES=(swaks postfix dnsmasq-base haproxy afl++ prometheus rabbitmq-server python3 chromium chromium-driver python3-dkim python3-dnspython python3-nacl opendkim-tools publicsuffix redis-server postgresql)

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    # postfix asks debconf questions; answer them for a local-only install that starts nothing.
    echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

cmd="${1:-test}"
shift || true
case "$cmd" in
  serve)
    # Run from the repository root so the default spool is ./data here (dotnet run would use src/Sluice).
    dotnet build src/Sluice -c Release -nologo -v quiet
    exec dotnet src/Sluice/bin/Release/net10.0/Sluice.dll serve "$@"
    ;;
  test)
    install_packages "${TEST_PACKAGES[@]}"
    dotnet build Sluice.slnx -c Release
    log=$(mktemp)
    set +e
    # A test host that hangs is killed after 10 minutes with the hanging test named, instead of eating CI's budget.
    dotnet test Sluice.slnx -c Release --no-build --blame-hang-timeout 10m "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    # One closing line over all test assemblies.
    awk '/^(Passed|Failed)!/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
         END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
    rm -f "$log"
    # A bounded fuzzing run of every parser target (the committed corpus and regressions ran above as tests).
    fuzz_status=0
    fuzz/run.sh "${FUZZ_SECONDS:-30}" || fuzz_status=$?
    [ "$status" -ne 0 ] && exit "$status"
    exit "$fuzz_status"
    ;;
  fuzz)
    install_packages "${TEST_PACKAGES[@]}"
    exec fuzz/run.sh "$@"
    ;;
  install)
    prefix="${1:-/usr/local}"
    sysconfdir="${SYSCONFDIR:-$prefix/etc}"
    case "$(uname -m)" in
      x86_64) rid=linux-x64 ;;
      aarch64) rid=linux-arm64 ;;
      *) echo "install: no .NET runtime identifier known for $(uname -m)" >&2; exit 2 ;;
    esac
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' EXIT
    # One file with the .NET runtime and SQLite inside: nothing else to install on the machine.
    dotnet publish src/Sluice -c Release -r "$rid" --self-contained true -p:PublishSingleFile=true \
      -p:IncludeNativeLibrariesForSelfExtract=true -nologo -v quiet -o "$stage"
    mkdir -p "$prefix/bin" "$prefix/lib/systemd/system" "$prefix/share/doc/sluice" "$prefix/share/bash-completion/completions" "$sysconfdir/sluice"
    install -m 755 "$stage/Sluice" "$prefix/bin/sluice"
    install -m 644 packaging/sluice.bash-completion "$prefix/share/bash-completion/completions/sluice"
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@SYSCONFDIR@|$sysconfdir|g" packaging/sluice.service >"$prefix/lib/systemd/system/sluice.service"
    chmod 644 "$prefix/lib/systemd/system/sluice.service"
    # An operator's config is never overwritten; the shipped one is kept beside it for comparison.
    if [ -e "$sysconfdir/sluice/sluice.json" ]; then
      install -m 644 packaging/sluice.json "$sysconfdir/sluice/sluice.json.dist"
    else
      install -m 644 packaging/sluice.json "$sysconfdir/sluice/sluice.json"
    fi
    install -m 644 LICENSE README.md docs/install.md "$prefix/share/doc/sluice/"
    echo "installed: $prefix/bin/sluice ($("$prefix/bin/sluice" --version)), $prefix/lib/systemd/system/sluice.service, $sysconfdir/sluice/sluice.json, bash completion in $prefix/share/bash-completion/completions/sluice"
    echo "to run it as a service: useradd --system --home-dir /var/lib/sluice --shell /usr/sbin/nologin sluice && systemctl daemon-reload && systemctl enable --now sluice"
    ;;
  bench)
    install_packages "${TEST_PACKAGES[@]}"
    bench/spool-engines/run.sh
    bench/deep-queue/run.sh
    bench/accept-rate/run.sh "$@"
    bench/relay/run.sh
    bench/relay-deep/run.sh
    bench/mixed-destinations/run.sh
    bench/deep-destinations/run.sh
    bench/balance/run.sh
    bench/api-injection/run.sh
    bench/templates/run.sh
    bench/idle-connections/run.sh
    bench/api-memory/run.sh
    ;;
  *)
    echo "usage: $0 serve|test|install|fuzz|bench" >&2
    exit 64
    ;;
esac
