#!/bin/sh
# Plays every scenario the app lists with --check, under Xvfb, one after another, and fails when
# any claim of any lesson fails: what `loopscope --scenario NAME --check` prints is the report.
# Usage: check_scenarios.sh LOOPSCOPE_BINARY
set -u
app="$1"
failed=0
for name in $("$app" --list-scenarios | awk '{ print $1 }'); do
    echo "== $name"
    if ! xvfb-run -a -s "-screen 0 1440x900x24" "$app" --port 0 --database sqlite::memory: \
        --size 1440x900 --scenario "$name" --check; then
        echo "== $name: a claim failed"
        failed=1
    fi
done
exit $failed
