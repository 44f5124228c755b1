# Sourced by scripts run under `unshare -m --propagation private`: makes the Debian trust store
# folders private tmpfs copies of the real ones, so the real update-ca-certificates runs on them while
# nothing outside this mount namespace changes, and defines `step NAME CMD...`, which records a
# command's stdout, stderr, exit code and seconds in $out/NAME.{out,err,rc,seconds}.

private_copy() {
  local dir=$1 copy
  copy=$(mktemp -d)
  cp -a "$dir/." "$copy/"
  mount -t tmpfs -o mode=0755 tmpfs "$dir"
  cp -a "$copy/." "$dir/"
  rm -rf "$copy"
}
private_copy /etc/ssl/certs
private_copy /usr/local/share/ca-certificates
# No hooks: Debian's Java hook would run dpkg triggers against this machine's package database.
mount -t tmpfs tmpfs /etc/ca-certificates/update.d

step() {
  local name=$1
  shift
  set +e
  local t0=$SECONDS
  "$@" >"$out/$name.out" 2>"$out/$name.err" </dev/null
  echo $? >"$out/$name.rc"
  echo $((SECONDS - t0)) >"$out/$name.seconds"
  set -e
}
