#!/usr/bin/env bash
# Cross-platform checks that `make test` cannot do on the host CPU alone
# (run by `make test-cross` and CI):
#   - arm64: `go vet` and a test binary for every package; the dnn/kernels
#     and dnn test binaries run under qemu-aarch64 (plain-Go kernels);
#   - an x86-64 CPU with AVX2 and FMA but no AVX-512 (qemu-x86_64 -cpu max):
#     the dnn/kernels tests and the cosim start-up, which must pick avx2 and
#     refuse COSIM_KERNELS=avx512 with exit status 2.
# Steps whose emulator is missing are skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOEXPERIMENT=simd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== arm64: go vet ./... and go test -c for every package"
GOARCH=arm64 go vet ./...
mkdir -p "$tmp/arm64"
GOARCH=arm64 go test -c -o "$tmp/arm64/" ./...
ls "$tmp/arm64"

if command -v qemu-aarch64 >/dev/null 2>&1; then
  for pkg in dnn/kernels dnn; do
    bin="$tmp/arm64/$(basename "$pkg").test"
    echo "== arm64 under qemu-aarch64: $pkg"
    (cd "$pkg" && qemu-aarch64 "$bin" -test.short -test.timeout 20m)
  done
else
  echo "== arm64 under qemu: SKIPPED (qemu-aarch64 not installed; apt-get install qemu-user)"
fi

if command -v qemu-x86_64 >/dev/null 2>&1; then
  emu=(qemu-x86_64 -cpu max)
  q() { "${emu[@]}" "$@" 2> >(grep -v "TCG doesn't support requested feature" >&2); }
  echo "== x86-64 with AVX2 and FMA, without AVX-512 (qemu-x86_64 -cpu max)"
  go test -c -o "$tmp/kernels-amd64.test" ./dnn/kernels
  go build -o "$tmp/cosim" ./cmd/cosim
  version=$(q "$tmp/cosim" version)
  echo "$version"
  grep -q '^kernels: avx2 (available: avx2, generic; avx512: this CPU lacks AVX-512' <<<"$version" \
    || { echo "cosim did not select avx2 on the emulated AVX2 CPU"; exit 1; }
  set +e
  out=$(COSIM_KERNELS=avx512 q "$tmp/cosim" version 2>&1); rc=$?
  set -e
  if [ "$rc" -ne 2 ] || ! grep -q 'COSIM_KERNELS="avx512"' <<<"$out"; then
    echo "COSIM_KERNELS=avx512 on an AVX2 CPU: exit $rc, want 2 and a message: $out"; exit 1
  fi
  echo "COSIM_KERNELS=avx512 refused: $out"
  (cd dnn/kernels && q "$tmp/kernels-amd64.test" -test.short -test.timeout 20m)
else
  echo "== AVX2-only x86-64 under qemu: SKIPPED (qemu-x86_64 not installed; apt-get install qemu-user)"
fi
echo "== cross checks passed"
