#!/usr/bin/env bash
# A sharded sweep on a real one-node Slurm (run by `make test-slurm` and CI):
# starts munged, slurmctld and slurmd as root on the loopback with
# scripts/slurm/slurm.conf.in (no systemd, no cgroups), trains the demo's two
# MNIST MLPs for one epoch, runs a small reference-protocol sweep of them
# once unsharded and once as `cosim slurm --tasks 4 --max-running 2
# --submit` (a 4-task job array, two tasks at a time, and the merge job
# after it), waits for the merge and compares the two reports byte for
# byte. It installs Debian's slurm-wlm and munge when they are missing and
# it can (root and apt-get), and skips with a message when Slurm cannot be
# installed or started. Its daemons use their own state, socket and ports
# ($COSIM_SLURM_PORT, default 16817, and the next) and are stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOEXPERIMENT=simd
skip() { echo "test-slurm: SKIPPED: $*"; exit 0; }

have() { command -v slurmctld && command -v slurmd && command -v sbatch && command -v munged && command -v mungekey; } >/dev/null 2>&1
if ! have; then
  [ "$(id -u)" -eq 0 ] || skip "Slurm is not installed, and installing it needs root (apt-get install slurm-wlm munge)"
  command -v apt-get >/dev/null 2>&1 || skip "Slurm is not installed and there is no apt-get to install it"
  echo "test-slurm: installing slurm-wlm and munge"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null) \
    || skip "apt-get could not install slurm-wlm and munge"
  have || skip "slurm-wlm and munge installed, but slurmctld, slurmd, sbatch or munged is still missing"
fi
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root here (no systemd, SlurmdUser=root); rerun as root"

w=$(mktemp -d /tmp/cosim-slurm.XXXXXX)
chmod 755 "$w"
mkdir -p "$w/state" "$w/spool" "$w/munge" "$w/models"
chmod 755 "$w/munge"
started=()
cleanup() {
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  if [ "${keep:-}" = 1 ]; then echo "test-slurm: kept $w"; else rm -rf "$w"; fi
}
trap cleanup EXIT
pidof_file() { for _ in $(seq 50); do [ -s "$1" ] && { cat "$1"; return; }; sleep 0.1; done; return 1; }

# munged with its own key and socket.
mungekey -c -k "$w/munge/munge.key" >/dev/null 2>&1 || skip "mungekey could not create a key"
/usr/sbin/munged --socket="$w/munge/munge.sock" --key-file="$w/munge/munge.key" --pid-file="$w/munge/munged.pid" \
  --log-file="$w/munge/munged.log" --seed-file="$w/munge/munged.seed" || skip "munged did not start: $(tail -n 3 "$w/munge/munged.log" 2>/dev/null)"
started+=("$(pidof_file "$w/munge/munged.pid")")

port=${COSIM_SLURM_PORT:-16817}
sed -e "s|@DIR@|$w|g" -e "s|@CPUS@|$(nproc)|g" -e "s|@CTLD_PORT@|$port|g" -e "s|@SLURMD_PORT@|$((port + 1))|g" \
  scripts/slurm/slurm.conf.in >"$w/slurm.conf"
export SLURM_CONF="$w/slurm.conf"
slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start: $(tail -n 5 "$w/slurmctld.log" 2>/dev/null)"
started+=("$(pidof_file "$w/slurmctld.pid")") || skip "slurmctld did not start: $(tail -n 5 "$w/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" -N localhost || skip "slurmd did not start: $(tail -n 5 "$w/slurmd.log" 2>/dev/null)"
started+=("$(pidof_file "$w/slurmd.pid")") || skip "slurmd did not start: $(tail -n 5 "$w/slurmd.log" 2>/dev/null)"
for i in $(seq 60); do
  state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  [ "$i" = 60 ] && skip "the Slurm node did not come up (state '${state}'): $(tail -n 5 "$w/slurmd.log")"
  sleep 1
done
echo "test-slurm: Slurm $(sinfo -V | awk '{print $2}') up on localhost ($(nproc) CPUs), partition debug"

fail() { echo "test-slurm: FAIL: $*"; for f in "$w"/run/logs/*.out "$w"/slurmctld.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done; keep=1; exit 1; }
go build -o bin/cosim ./cmd/cosim
for m in wcat normal; do
  bin/cosim train --model mlp --method "$m" --epochs 1 --quiet --out "$w/models/mlp-$m.ckpt" >/dev/null
done
cat >"$w/sweep.yaml" <<YAML
sweep:
  arch: eyeriss-onchip
  models:
    - checkpoint: models/mlp-wcat.ckpt
    - checkpoint: models/mlp-normal.ckpt
  voltages: {from: 0.30, to: 0.50, step: 0.04}
  monte-carlo:
    protocol: reference
    max-trials: 8
    min-trials: 2
    ci-half-width: 0
  seed: 1337
YAML
start=$(date +%s)
bin/cosim sweep --spec "$w/sweep.yaml" --quiet --out "$w/whole"
echo "test-slurm: unsharded sweep in $(( $(date +%s) - start )) s"

start=$(date +%s)
submitted=$(bin/cosim slurm --spec "$w/sweep.yaml" --tasks 4 --max-running 2 --time 10:00 --out "$w/run" --submit)
echo "$submitted"
array=$(sed -n 's/.*sweep job array \([0-9]*\).*/\1/p' <<<"$submitted")
merge=$(sed -n 's/.*merge job \([0-9]*\).*/\1/p' <<<"$submitted")
[ -n "$array" ] && [ -n "$merge" ] || fail "no job ids in the output of cosim slurm --submit"
scontrol show job "$array" | grep -o 'ArrayTaskThrottle=[0-9]*' | head -n 1 | sed 's/^/test-slurm: array /'
for i in $(seq 600); do
  state=$(scontrol show job "$merge" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
  case "$state" in
    COMPLETED) break ;;
    FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|DEADLINE) fail "merge job $merge ended $state" ;;
    PENDING) reason=$(scontrol show job "$merge" | sed -n 's/.*Reason=\([A-Za-z_]*\).*/\1/p')
      [ "$reason" = DependencyNeverSatisfied ] && fail "a task of array $array failed, so merge job $merge never runs" ;;
  esac
  [ "$i" = 600 ] && fail "merge job $merge did not finish in 10 minutes (state $state)"
  sleep 1
done
echo "test-slurm: array $array (4 tasks, 2 at a time) and merge $merge completed in $(( $(date +%s) - start )) s"
for t in 0 1 2 3; do
  scontrol show job "${array}_$t" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1 | sed "s/^/test-slurm: task $t /"
done
cat "$w"/run/logs/merge-*.out
for f in sweep.json sweep.csv index.html; do
  cmp "$w/whole/$f" "$w/run/$f" || fail "$f of the Slurm run differs from the unsharded run's"
done
echo "test-slurm: PASS: the merged report of the 4 Slurm shards equals the unsharded run byte for byte (sweep.json, sweep.csv, index.html)"
