#!/usr/bin/env bash
# Regenerates the checked-in copies of what the build derives from the configuration model:
#   config-schema/src/main/schema/percore-config.schema.json  (JSON Schema, for humans, Helm, the operator)
#   docs/configuration.md                                     (configuration reference)
# Run it after changing any class in io.percore.config, then commit the results.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl config-schema process-classes exec:java@regenerate "$@"
git status --short config-schema/src/main/schema docs/configuration.md
