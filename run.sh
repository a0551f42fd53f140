#!/usr/bin/env bash
# Starts Halley: builds the distribution when it is missing or older than the sources,
# unpacks it under run-home/, and runs Karaf in the foreground (its shell on the
# terminal; "./run.sh server" runs it without a shell, "./run.sh clean" starts afresh).
set -euo pipefail
cd "$(dirname "$0")"

version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)
dist="assembly/target/halley-$version.tar.gz"
home="run-home/halley-$version"

if [ "${1:-}" = "clean" ]; then
  rm -rf run-home
  shift
fi

stale=""
if [ -f "$dist" ]; then
  stale=$(find pom.xml bundles features assembly -type f -newer "$dist" -not -path '*/target/*' | head -1)
fi
if [ ! -f "$dist" ] || [ -n "$stale" ]; then
  echo "Building Halley (mvn install, tests skipped)..."
  mvn -B -q -DskipTests install
fi

if [ ! -d "$home" ] || [ "$dist" -nt "$home/.unpacked" ]; then
  if [ -d "$home" ]; then
    echo "A newer build replaces $home (its etc/ and data/ start afresh)."
    rm -rf "$home"
  fi
  mkdir -p run-home
  tar xzf "$dist" -C run-home
  touch "$home/.unpacked"
fi

if [ $# -eq 0 ] && [ ! -t 0 ]; then
  # no terminal to hold a shell (a script, CI, nohup): run without one
  set -- server
fi
if [ "${1:-}" = "server" ]; then
  echo "Starting Halley from $home: http://localhost:8181/halley/ (stop it with Ctrl-C or $home/bin/stop)"
else
  echo "Starting Halley from $home: http://localhost:8181/halley/ (Ctrl-D or 'shutdown' to stop)"
fi
exec "$home/bin/karaf" "$@"
