#!/bin/sh
# Example allow-listed script for a custom task ({ "kind": "script", "script": "example.sh", "args": [...] }).
# chronops runs it without a shell, in this folder, with only PATH=/usr/bin:/bin, CHRONOPS_TASK_ID,
# CHRONOPS_EXECUTION_ID and DATABASE_URL (the target database) in its environment.
set -eu
echo "chronops example script: task ${CHRONOPS_TASK_ID:-unknown}, execution ${CHRONOPS_EXECUTION_ID:-unknown}"
echo "arguments: $#"
for argument in "$@"; do
  echo "  - $argument"
done
# DATABASE_URL contains the password: say whether it is set, never print it.
if [ -n "${DATABASE_URL:-}" ]; then echo "target database: configured"; else echo "target database: not set"; fi
date -u +"finished at %Y-%m-%dT%H:%M:%SZ"
