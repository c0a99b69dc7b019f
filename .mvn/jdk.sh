# Finds a JDK 25 or newer; sourced by ./mvnw and ./vecrnn, so the build and the launcher use the same one.
# POSIX sh (./mvnw runs under /bin/sh with set -euf). Order: $JAVA_HOME, the JDK of `java` on PATH, then the
# usual install folders (Debian/Ubuntu packages, macOS, SDKMAN). A JDK counts when its `release` file says
# JAVA_VERSION 25 or newer and it has bin/java and bin/javac.

vecrnn_jdk_version() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

# Prints the first JDK 25+ home and returns 0; returns 1 when there is none.
vecrnn_find_jdk() {
  _vecrnn_java="$(command -v java 2>/dev/null || :)"
  _vecrnn_onpath=""
  if [ -n "$_vecrnn_java" ]; then
    _vecrnn_onpath="$(cd "$(dirname "$(readlink -f "$_vecrnn_java" 2>/dev/null || echo "$_vecrnn_java")")/.." 2>/dev/null && pwd || :)"
  fi
  # ./mvnw runs with globbing off (set -f); the install folders need it for a moment
  case $- in *f*) _vecrnn_noglob=1; set +f ;; *) _vecrnn_noglob= ;; esac
  _vecrnn_found=1
  for _vecrnn_c in "${JAVA_HOME-}" "$_vecrnn_onpath" /usr/lib/jvm/temurin-25* /usr/lib/jvm/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home "${HOME-}"/.sdkman/candidates/java/*; do
    [ -n "$_vecrnn_c" ] && [ -x "$_vecrnn_c/bin/java" ] && [ -x "$_vecrnn_c/bin/javac" ] || continue
    _vecrnn_v="$(vecrnn_jdk_version "$_vecrnn_c")"
    if [ -n "$_vecrnn_v" ] && [ "$_vecrnn_v" -ge 25 ] 2>/dev/null; then
      echo "$_vecrnn_c"
      _vecrnn_found=0
      break
    fi
  done
  [ -z "$_vecrnn_noglob" ] || set -f
  return $_vecrnn_found
}
