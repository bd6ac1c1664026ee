#!/usr/bin/env bash
# The real-node suite (e2e-kubernetes) alone: the two images and what they hold built without their tests, then the
# suite on the one-node Kubernetes of ../shared/k8s. `./mvnw verify` leaves it out; CI runs `./mvnw verify -Preal-node`,
# the same with this suite at its end.
#
#   tools/real-node-suite.sh [MAVEN ARGS...]
#       e.g. tools/real-node-suite.sh -Dit.test=ReplicationIT
#
# K8S_HOME is the node's directory (default: ../shared/k8s beside the checkout, else /work/shared/k8s). MAVEN ARGS come
# last: -Dit.test=Class picks one class, -Dpercore.k8s.keep=true keeps the node up for the next run. Exit status: Maven's.
set -euo pipefail
cd "$(dirname "$0")/.."

k8s_home=${K8S_HOME:-$(cd .. && pwd)/shared/k8s}
[ -d "$k8s_home" ] || k8s_home=/work/shared/k8s

# -Dtest=none: the unit tests are ./mvnw verify's; the images' own tests (failsafe, *IT) too, so -Dit.test names only
# this module's classes unless MAVEN ARGS name others.
exec ./mvnw -B -pl images/demo-service-image,images/operator-image,e2e-kubernetes -am verify -Preal-node -Dk8s.home="$k8s_home" \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='io.percore.e2e.*IT' -Dfailsafe.failIfNoSpecifiedTests=false "$@"
