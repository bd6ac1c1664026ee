#!/usr/bin/env bash
# Builds the part of an image's root filesystem that is not the application: a jlink'd Java
# runtime, the few shared libraries it loads, a non-root user and the directories the
# application needs. Jib then adds it from scratch (images/pom.xml: <extraDirectories>, modes and
# owners set there), so no base image is pulled: the build works with no registry and no Docker.
#
# Everything comes from the build host: the JDK's jmods (Debian: openjdk-17-jdk-headless) and the
# host's glibc, libstdc++ and zlib (the JDK was linked against them). Linux x86_64 only.
#
#   rootfs.sh --jdk DIR --classpath-file FILE --extra-modules LIST --jvm-options "FLAGS"
#             --extra-libs LIST --uid N --user NAME --dirs "DIR..." --output DIR
#
#   --classpath-file  the application's runtime class path (dependency:build-classpath); jdeps
#                     reads it to choose the modules
#   --extra-modules   modules jdeps cannot see (service providers: jdk.crypto.ec for TLS)
#   --jvm-options     the runtime's default JVM options (jlink --add-options): the JVM reads them
#                     before JAVA_TOOL_OPTIONS and the command line, so both override them
#   --extra-libs      libraries loaded by native code shipped inside jars (Netty's epoll and
#                     io_uring transports need librt and libdl), which no file here links to
#
# Work is redone only when its inputs changed: jdeps when the class path did, the rest when the
# modules, the script, its arguments or the JDK did.
set -euo pipefail

jdk= classpath_file= extra_modules= jvm_options= extra_libs= uid= user= dirs= out=
while [ $# -gt 0 ]; do
  case "$1" in
    --jdk) jdk=$2 ;;
    --classpath-file) classpath_file=$2 ;;
    --extra-modules) extra_modules=$2 ;;
    --jvm-options) jvm_options=$2 ;;
    --extra-libs) extra_libs=$2 ;;
    --uid) uid=$2 ;;
    --user) user=$2 ;;
    --dirs) dirs=$2 ;;
    --output) out=$2 ;;
    *) echo "rootfs.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
for v in jdk classpath_file uid user out; do
  [ -n "${!v}" ] || { echo "rootfs.sh: --${v//_/-} is required" >&2; exit 2; }
done

fail() { echo "rootfs.sh: $*" >&2; exit 1; }
[ "$(uname -s)/$(uname -m)" = "Linux/x86_64" ] ||
  fail "the images are built from this host's JDK and glibc, so only on Linux x86_64 (this is $(uname -s)/$(uname -m)); skip them with -Dimages.skip"
[ -d "$jdk/jmods" ] ||
  fail "$jdk has no jmods/, which jlink needs: use a full JDK 17+ (Debian/Ubuntu: openjdk-17-jdk-headless), e.g. -Dimage.jdk=/usr/lib/jvm/java-17-openjdk-amd64"
release=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
[ -n "$release" ] && [ "$release" -ge 17 ] || fail "$jdk is not a JDK 17 or newer (release: $release)"

classpath=$(cat "$classpath_file")
IFS=: read -r -a entries <<<"$classpath"
[ ${#entries[@]} -gt 0 ] || fail "empty class path in $classpath_file"

# jdeps and jlink run for seconds: C1 and the serial collector spend less of a busy build's CPU on them
# (jdeps 7.2 s -> 5.1 s, jlink 22 s -> 14 s of CPU on 2026-11-26); their output is the same.
tool_jvm=(-J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC)

# 1. The modules: what jdeps finds in the class path, plus the ones it cannot see. jdeps runs
# again only when a jar of the class path changed (its answer is kept next to the output).
jdeps_key=$( {
  printf '%s\n' "$jdk" "$release" "$extra_modules"
  for e in "${entries[@]}"; do stat -c '%n %s %Y' "$e"; done
} | sha256sum | cut -d' ' -f1)
modules_file="$out.modules"   # next to the output, not in it (everything in it goes into the image)
if [ -f "$modules_file" ] && [ "$(head -1 "$modules_file")" = "$jdeps_key" ]; then
  modules=$(sed -n 2p "$modules_file")
else
  modules=$("$jdk/bin/jdeps" "${tool_jvm[@]}" --multi-release "$release" --ignore-missing-deps -q --print-module-deps \
    --class-path "$classpath" "${entries[@]}")
  [ -n "$extra_modules" ] && modules="$modules,$extra_modules"
  printf '%s\n%s\n' "$jdeps_key" "$modules" >"$modules_file"
fi

# The rest is rebuilt only when what goes into it changed: a new build of the application with
# the same modules reuses the runtime.
key=$( {
  cat "$0"
  printf '%s\n' "$jdk" "$modules" "$jvm_options" "$extra_libs" "$uid" "$user" "$dirs"
  cat "$jdk/release"
} | sha256sum | cut -d' ' -f1)
stamp="$out.inputs"
if [ -d "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
  echo "rootfs: $out is up to date (Java $release with $modules)"
  exit 0
fi
rm -rf "$out" "$stamp"
mkdir -p "$out"
echo "rootfs: Java $release runtime with $modules"

# 2. The runtime, not compressed: the layer is gzipped anyway. --compress=2 (zip) made it larger
# gzipped and slower to start; --compress=1 (shared strings) saved 1 MB of its 26 MB gzipped
# (62 against 78 MB on disk) for 13 s more of jlink per image (18 s against 5 s, 2026-11-27), and
# starts no faster. java.desktop is there for
# java.beans (Spring); its native AWT, font, image and sound libraries are left out (they would
# pull in X11, freetype, libjpeg ...; nothing here draws). --generate-cds-archive: the JDK's own
# classes as a class data archive (lib/server/classes.jsa, what a JDK ships and jlink leaves out),
# mapped instead of parsed at every start (images/README.md: the demo's start 15 % less CPU).
"$jdk/bin/jlink" "${tool_jvm[@]}" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --generate-cds-archive \
  --exclude-files='**/libawt*.so,**/libfontmanager.so,**/libjavajpeg.so,**/liblcms.so,**/libmlib_image.so,**/libsplashscreen.so,**/libjsound.so,**/libjawt.so' \
  ${jvm_options:+--add-options="$jvm_options"} \
  --output "$out/opt/java"
# Legal notices are relative symbolic links between module directories: make them files.
find "$out/opt/java/legal" -type l | while read -r link; do
  target=$(readlink -f "$link"); rm "$link"; cp "$target" "$link"
done

# 3. The shared libraries: everything the runtime's programs and libraries link to (ldd, with the
# runtime's own directories first), plus --extra-libs from the directory libc came from.
declare -A libs=()
while read -r path; do libs[$path]=1; done < <(
  find "$out/opt/java" -type f \( -name '*.so' -o -perm -u+x \) -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \; |
  while read -r elf; do
    LD_LIBRARY_PATH="$out/opt/java/lib:$out/opt/java/lib/server" ldd "$elf" | while read -r line; do
      case "$line" in
        *"not found"*) echo "rootfs.sh: $elf: $line" >&2; echo "__missing__" ;;
        *"=> /"*) p=${line#*=> }; echo "${p%% (*}" ;;
        /*) echo "${line%% (*}" ;;
      esac
    done
  done | sort -u | grep -v "^$out/")
[ -z "${libs[__missing__]:-}" ] || fail "a library the runtime links to is missing on this host (see above)"
libc_dir=
for p in "${!libs[@]}"; do case "$p" in */libc.so.6) libc_dir=$(dirname "$p") ;; esac; done
[ -n "$libc_dir" ] || fail "ldd found no libc.so.6"
IFS=, read -r -a extra <<<"$extra_libs"
for l in "${extra[@]}"; do
  [ -e "$libc_dir/$l" ] || fail "$l (--extra-libs) is not in $libc_dir"
  libs[$libc_dir/$l]=1
done
for p in "${!libs[@]}"; do
  mkdir -p "$out$(dirname "$p")"
  cp -L "$p" "$out$p"
done
# Their licences (LGPL glibc, libstdc++'s runtime exception, zlib), where dpkg knows the package.
if command -v dpkg >/dev/null 2>&1; then
  for p in "${!libs[@]}"; do  # merged /usr: dpkg may know the file under /usr only
    { dpkg -S "$p" || dpkg -S "/usr$p"; } 2>/dev/null | head -1 | cut -d: -f1 || true
  done | sort -u | while read -r pkg; do
    if [ -f "/usr/share/doc/$pkg/copyright" ]; then
      mkdir -p "$out/usr/share/doc/$pkg"
      cp -L "/usr/share/doc/$pkg/copyright" "$out/usr/share/doc/$pkg/copyright"
    fi
  done
fi
echo "rootfs: libraries $(printf '%s\n' "${!libs[@]}" | xargs -n1 basename | sort | xargs)"

# glibc's C.UTF-8 locale (LANG in the image): UTF-8 file names (sun.jnu.encoding) and default
# charset. Not built into glibc; Debian ships it in libc-bin.
locale=/usr/lib/locale/C.utf8
[ -d "$locale" ] || fail "$locale is missing (Debian/Ubuntu: libc-bin); the image sets LANG=C.UTF-8"
mkdir -p "$out/usr/lib/locale"
cp -rL "$locale" "$out/usr/lib/locale/"

# 4. The user (no shell, no password) and name lookups from files (glibc's built-in modules).
mkdir -p "$out/etc"
printf 'root:x:0:0:root:/root:/sbin/nologin\n%s:x:%s:%s:%s:/home/%s:/sbin/nologin\n' "$user" "$uid" "$uid" "$user" "$user" >"$out/etc/passwd"
printf 'root:x:0:\n%s:x:%s:\n' "$user" "$uid" >"$out/etc/group"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' >"$out/etc/nsswitch.conf"

# 5. Directories (modes and owners: images/pom.xml). Files keep their host modes only here; Jib
# sets every mode itself.
for d in $dirs; do mkdir -p "$out$d"; done

echo "$key" >"$stamp"
echo "rootfs: $(du -sh "$out" | cut -f1) in $out"
