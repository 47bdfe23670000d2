#!/usr/bin/env bash
# The Debian package, end to end (ctest "package: deb", label package), on this machine:
#   1. cpack builds the .deb from the build folder; its control fields declare the Debian
#      dependencies (libcurl, OpenSSL, hiredis, a Java 17 runtime) and it holds the layout;
#   2. dpkg -i installs it (the postinst makes the service user);
#   3. the installed binaries: --version on stdout (all three), check-config on the installed sample
#      (with the workerId warning on KCL 3.x, none with --kcl 2.7.2), the launcher's --dry-run
#      (workerId = host name), and the installed serve, behind a token, answers 401 without it and
#      its dashboard page with it;
#   4. systemd-analyze verify on both units (required: Debian's systemd package, which scripts/setup installs);
#   5. dpkg --purge removes it again (and the user, when this test made it).
# Needs root, dpkg-dev, cmake and systemd-analyze (exit 77 = skipped otherwise; .ci/run fails on that skip),
# and no active-users package installed before.
#   tests/package/package.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: package.sh BUILD_DIR}
[ "$(id -u)" = 0 ] || { echo "SKIP: installing a package needs root"; exit 77; }
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps systemd-analyze; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing (apt-get install dpkg-dev cmake systemd)"; exit 77; }
done
if dpkg-query -W -f='${Status}' active-users 2>/dev/null | grep -q "ok installed"; then
  echo "SKIP: an active-users package is installed already; not touching it"; exit 77
fi

work="$(mktemp -d)"
installed=0 made_user=0 serve_pid=""
getent passwd active-users >/dev/null || made_user=1
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  if [ "$installed" = 1 ]; then dpkg_locked --purge active-users >/dev/null || true; fi
  if [ "$made_user" = 1 ] && getent passwd active-users >/dev/null; then
    userdel active-users 2>/dev/null || true
    getent group active-users >/dev/null && groupdel active-users 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# dpkg with a wait for its lock (another install may be running on a shared machine).
dpkg_locked() {
  local i out
  for ((i = 0; i < 60; i++)); do
    if out="$(dpkg "$@" 2>&1)"; then echo "$out"; return 0; fi
    case "$out" in *"lock"*) sleep 2 ;; *) echo "$out" >&2; return 1 ;; esac
  done
  echo "$out" >&2; return 1
}
start=$(date +%s)

# 1. Build the package.
(cd "$build" && cpack -G DEB -B "$work" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls "$work"/active-users_*.deb)"
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $(($(date +%s) - start)) s"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for dep in libcurl4 libssl3 libhiredis0.14 java17-runtime-headless adduser; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep"
done
contents="$(dpkg-deb -c "$deb" | awk '{print $6}')"
for f in ./usr/bin/active-users ./usr/bin/active-users-serve ./usr/bin/active-users-run \
         ./usr/share/active-users/aws.properties ./usr/share/active-users/pom.xml \
         ./usr/lib/systemd/system/active-users@.service ./usr/lib/systemd/system/active-users-serve@.service \
         ./usr/share/doc/active-users/README.md; do
  grep -qx "$f" <<<"$contents" || fail "the package lacks $f"
done

# 2. Install it.
dpkg_locked -i "$deb" || fail "dpkg -i"
installed=1
getent passwd active-users >/dev/null || fail "postinst made no active-users user"
[ -d /etc/active-users ] || fail "no /etc/active-users"

# 3. The installed programs.
pkg_version="$(dpkg-deb -f "$deb" Version)"
for prog in active-users active-users-serve active-users-run; do
  version="$(/usr/bin/$prog --version 2>/dev/null)"
  [ "$version" = "$prog $pkg_version" ] || fail "$prog --version says '$version' on stdout"
done
echo "--version on stdout: active-users, active-users-serve, active-users-run $pkg_version"
sample=/usr/share/active-users/aws.properties
/usr/bin/active-users check-config --properties "$sample" >"$work/check.out" 2>"$work/check.err" \
  || { cat "$work/check.out" "$work/check.err"; fail "check-config on the installed sample"; }
grep -q "$sample: OK" "$work/check.out" || fail "check-config did not say OK"
grep -q "warning: no workerId" "$work/check.err" || fail "check-config did not warn about workerId (KCL 3.x)"
/usr/bin/active-users check-config --properties "$sample" --kcl 2.7.2 >/dev/null 2>"$work/check2.err"
! grep -q "workerId" "$work/check2.err" || fail "check-config warned about workerId on KCL 2.x"
echo "check-config: OK, warns about the missing workerId on KCL 3.x only"

RUNTIME_DIRECTORY="$work" CACHE_DIRECTORY="$work/cache" /usr/bin/active-users-run --properties "$sample" --dry-run \
  >"$work/run.out" 2>"$work/run.err" || { cat "$work/run.err"; fail "active-users-run --dry-run"; }
derived="$work/active-users-run.0.aws.properties"
grep -qx "workerId = $(hostname -f 2>/dev/null || hostname)" "$derived" || fail "no workerId = host name in $derived"
grep -q "MultiLangDaemon --properties-file $derived" "$work/run.out" || fail "launcher command: $(cat "$work/run.out")"
grep -q "mvn .*-f $work/cache/pom.xml dependency:copy-dependencies" "$work/run.err" || fail "no jar fetch planned: $(cat "$work/run.err")"
echo "active-users-run --dry-run: workerId = host name, jars fetched with Maven into the cache"

mkdir -p "$work/state"
(umask 077; openssl rand -hex 32 >"$work/serve.token")
token="$(cat "$work/serve.token")"
/usr/bin/active-users serve --state-dir "$work/state" --listen 127.0.0.1:0 --auth-token-file "$work/serve.token" \
  2>"$work/serve.log" &
serve_pid=$!
port=""
for ((i = 0; i < 100; i++)); do
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)"
  [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/serve.log"; fail "the installed serve did not start"; }
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/active-users/count")"
[ "$code" = 401 ] || fail "the installed serve answered $code without the token"
auth=(-H "Authorization: Bearer $token")
curl -sf "${auth[@]}" "http://127.0.0.1:$port/" | grep -q "active users now" || fail "the installed serve has no dashboard"
js_bytes=$(curl -sf "${auth[@]}" "http://127.0.0.1:$port/assets/uPlot.iife.min.js" | wc -c)
[ "$js_bytes" -gt 10000 ] || fail "the installed serve has no chart library ($js_bytes bytes)"
kill "$serve_pid"; wait "$serve_pid" || fail "serve did not stop cleanly on SIGTERM"
serve_pid=""
! grep -q "$token" "$work/serve.log" || fail "the token is in serve's log"
echo "installed serve: 401 without the token; with it, the dashboard with its chart library ($js_bytes bytes)"

# 4. The unit.
unit=/usr/lib/systemd/system/active-users@.service
grep -q '^KillMode=mixed' "$unit" && grep -q '^Restart=on-failure' "$unit" || fail "unit settings"
serve_unit=/usr/lib/systemd/system/active-users-serve@.service
grep -q -- '--auth-token-file %d/token' "$serve_unit" && grep -q '^LoadCredential=token:/etc/active-users/%i.token' "$serve_unit" \
  || fail "the serve unit does not run serve behind the token"
cp "$sample" /etc/active-users/pkgtest.properties
(umask 077; openssl rand -hex 32 >/etc/active-users/pkgtest.token)
if ! out="$(systemd-analyze verify "$unit" /usr/lib/systemd/system/active-users@pkgtest.service \
              "$serve_unit" /usr/lib/systemd/system/active-users-serve@pkgtest.service 2>&1)"; then
  rm -f /etc/active-users/pkgtest.properties /etc/active-users/pkgtest.token
  echo "$out"; fail "systemd-analyze verify"
fi
rm -f /etc/active-users/pkgtest.properties /etc/active-users/pkgtest.token
if grep -qi "active-users" <<<"$out"; then echo "$out"; fail "systemd-analyze verify warned about our unit"; fi
echo "systemd-analyze verify: clean"


# 5. Remove it.
dpkg_locked --purge active-users >/dev/null || fail "dpkg --purge"
installed=0
[ ! -e /usr/bin/active-users ] && [ ! -e "$unit" ] || fail "files left after purge"
echo "removed; the package test took $(($(date +%s) - start)) s"
echo "1 passed, 0 failed"
