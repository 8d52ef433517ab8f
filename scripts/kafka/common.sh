# Shared by the scripts in scripts/kafka/ (sourced, not run). Paths and versions in one place.
KAFKA_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_POM="$KAFKA_SCRIPTS_DIR/pom.xml"
# The pom is the single source of truth for the broker version.
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM")"
RIFFLE_CACHE="${RIFFLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/riffle}"
if [[ "${RIFFLE_KAFKA_TOOLS:-0}" == 1 ]]; then
  KAFKA_LIB="$RIFFLE_CACHE/kafka-$KAFKA_VERSION/lib-tools"
else
  KAFKA_LIB="$RIFFLE_CACHE/kafka-$KAFKA_VERSION/lib"
fi

log() { echo "[kafka] $*" >&2; }
die() { echo "[kafka] ERROR: $*" >&2; exit 1; }
