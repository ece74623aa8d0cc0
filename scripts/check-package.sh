#!/usr/bin/env bash
# Checks a built mnist-studio .deb without installing it: unpacks it into a throwaway root
# (dpkg -x), then checks its metadata, files, desktop entry, AppStream metainfo and icons, and
# runs the unpacked binaries against the system's libraries.
# Usage: scripts/check-package.sh [FILE.deb]   (default: the newest build/mnist-studio_*.deb)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deb=${1:-$(ls -t "$root"/build/mnist-studio_*.deb 2>/dev/null | head -n1 || true)}
[[ -n "$deb" && -f "$deb" ]] || { echo "check-package: no .deb found (run make package)" >&2; exit 1; }

fail() { echo "check-package: FAIL: $*" >&2; exit 1; }
pass() { echo "check-package: ok: $*"; }

id=io.github.mniststudio.MnistStudio
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --field "$deb" Package Version Architecture Depends > "$tmp/fields"
grep -q '^Package: mnist-studio$' "$tmp/fields" || fail "package name"
depends=$(sed -n 's/^Depends: //p' "$tmp/fields")
# shlibdeps must have found the libraries we link; qt6-qpa-plugins is loaded, not linked.
for dep in libtorch libqt6widgets6 libqt6charts6 qt6-qpa-plugins libc6; do
  [[ "$depends" == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done
pass "control fields ($(sed -n 's/^Version: //p' "$tmp/fields"), Depends: $depends"

dpkg-deb -x "$deb" "$tmp/root"
r="$tmp/root/usr"
for f in bin/mnist-studio bin/mnist-train share/applications/$id.desktop share/metainfo/$id.metainfo.xml \
         share/icons/hicolor/scalable/apps/$id.svg; do
  [[ -f "$r/$f" ]] || fail "missing /usr/$f"
done
for size in 16 24 32 48 64 128 256; do
  png="$r/share/icons/hicolor/${size}x${size}/apps/$id.png"
  [[ -f "$png" ]] || fail "missing ${size}x${size} icon"
  # PNG: 8-byte signature, then the IHDR chunk whose first fields are width and height.
  [[ $(head -c 8 "$png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "${size}px icon is not a PNG"
  w=$(od -An -tu1 -j16 -N4 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
  h=$(od -An -tu1 -j20 -N4 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
  [[ "$w" == "$size" && "$h" == "$size" ]] || fail "${size}px icon is ${w}x${h}"
done
pass "binaries, desktop entry, metainfo, SVG and 7 PNG icon sizes"

grep -q "^Icon=$id$" "$r/share/applications/$id.desktop" || fail "desktop entry names another icon"
grep -q '^Exec=mnist-studio' "$r/share/applications/$id.desktop" || fail "desktop entry runs another program"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$r/share/applications/$id.desktop" || fail "desktop-file-validate"
  pass "desktop-file-validate"
else
  fail "desktop-file-validate is missing (apt-get install desktop-file-utils)"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$r/share/metainfo/$id.metainfo.xml" >/dev/null || fail "appstreamcli validate"
  pass "appstreamcli validate"
else
  echo "check-package: appstreamcli not installed; metainfo not validated"
fi

# Nothing may point back into the build tree.
for b in mnist-studio mnist-train; do
  if readelf -d "$r/bin/$b" | grep -E 'RPATH|RUNPATH' | grep -q "$root"; then fail "$b has a build-tree RPATH"; fi
done
"$r/bin/mnist-train" --list-archs | grep -q SimpleNet || fail "unpacked mnist-train does not run"
QT_QPA_PLATFORM=offscreen "$r/bin/mnist-studio" --version | grep -q "mnist-studio\|MNIST Studio" || fail "unpacked mnist-studio does not run"
pass "unpacked binaries run"

# The pretrained model the source tree ships must be in the package, found by the unpacked binary
# (<prefix>/share/mnist-studio/models beside bin/), and score what its record says.
for record in "$root"/resources/models/*.json; do
  [[ -f "$record" ]] || continue
  name=$(basename "$record" .json)
  [[ -f "$r/share/mnist-studio/models/$name.json" && -f "$r/share/mnist-studio/models/$name.safetensors" ]] \
    || fail "pretrained model $name is not in /usr/share/mnist-studio/models"
  if [[ -f "$root/data/mnist/t10k-images-idx3-ubyte.gz" || -f "$root/data/mnist/t10k-images-idx3-ubyte" ]]; then
    out=$(env -u MNIST_STUDIO_MODELS_DIR "$r/bin/mnist-train" --evaluate --pretrained "$name" --json --data-dir "$root/data/mnist") \
      || fail "unpacked mnist-train --evaluate --pretrained $name failed"
    want=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['test_correct'])" "$record")
    got=$(printf '%s' "$out" | python3 -c "import json,sys; print(json.load(sys.stdin)['correct'])")
    [[ "$want" == "$got" ]] || fail "pretrained model $name: $got correct, its record says $want"
  fi
  pass "pretrained model $name installed and found"
done
echo "check-package: $deb passed"
