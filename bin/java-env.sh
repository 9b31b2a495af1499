# Sourced by Cairn's scripts: finds a JDK >= 21 and exports JAVA_HOME and JAVA.
# Order: $JAVA_HOME if new enough, then the newest JDK under /usr/lib/jvm, then java on PATH.

cairn_java_version() { # prints the feature version of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | sed 's/^1\.//' | grep -E '^[0-9]+$' || echo 0
}

cairn_find_java() {
  local want=21 best="" best_v=0 cand v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(cairn_java_version "$JAVA_HOME/bin/java")
    if [ "$v" -ge "$want" ] && [ -x "$JAVA_HOME/bin/javac" ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for cand in /usr/lib/jvm/*/; do
    cand=${cand%/}
    [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    v=$(cairn_java_version "$cand/bin/java")
    if [ "$v" -ge "$want" ] && [ "$v" -gt "$best_v" ]; then best=$cand; best_v=$v; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  if command -v javac >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(cairn_java_version "$cand/bin/java")
    if [ "$v" -ge "$want" ]; then echo "$cand"; return 0; fi
  fi
  return 1
}

if ! JAVA_HOME=$(cairn_find_java); then
  echo "error: Cairn needs a JDK 21 or newer; set JAVA_HOME or install one under /usr/lib/jvm" >&2
  exit 1
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
# JDK 23+ warns when protobuf and Netty use sun.misc.Unsafe; they still may, until they move on.
# JDK 22+ warns when Netty loads its native transport unless native access is granted.
CAIRN_JAVA_FLAGS=""
cairn_v=$(cairn_java_version "$JAVA")
if [ "$cairn_v" -ge 22 ]; then CAIRN_JAVA_FLAGS="--enable-native-access=ALL-UNNAMED"; fi
if [ "$cairn_v" -ge 23 ]; then CAIRN_JAVA_FLAGS="$CAIRN_JAVA_FLAGS --sun-misc-unsafe-memory-access=allow"; fi
