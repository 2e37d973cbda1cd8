#!/usr/bin/env bash
# Trains the shipped ResNet-20 models (4-bit weights, CIFAR-10) with cosim
# itself and writes a card beside each checkpoint: the exact command, epochs,
# wall time, machine, clean test accuracy and the Monte Carlo accuracy at
# BER 1e-3 and 1e-2 (50 trials).
#
#   scripts/train-models.sh DATA_DIR [EPOCHS] [METHOD...]
#
# A killed run continues where it stopped when started again (cosim train
# --resume picks up the state written after every epoch).
set -euo pipefail
data=${1:?usage: train-models.sh DATA_DIR [EPOCHS] [METHOD...]}
epochs=${2:-20}
shift $(( $# >= 2 ? 2 : $# ))
methods=("$@")
[ ${#methods[@]} -gt 0 ] || methods=(wcat normal wcat+bfn plclip lsq)
cd "$(dirname "$0")/.."
export GOEXPERIMENT=simd
cosim=${COSIM:-}            # a prebuilt binary, or build one
if [ -z "$cosim" ]; then
  go build -o bin/cosim ./cmd/cosim
  cosim=bin/cosim
fi
mkdir -p models
# Phase 1: train every model.
for m in "${methods[@]}"; do
  name=resnet20-4bit-${m/+/-}
  out=models/$name.ckpt
  [ -f "$out" ] && { echo "$out exists, skipping"; continue; }
  args=(train --model resnet20 --bits 4 --method "${m%+bfn}" --epochs "$epochs" --data "$data" --out "$out" --quiet)
  [[ $m == *+bfn ]] && args+=(--bfn 0.005)
  resume=()
  [ -f "$out.state" ] && resume=(--resume)
  "$cosim" "${args[@]}" "${resume[@]}"
done
# Phase 2: a card per model: the checkpoint's own record of its training
# (command, epochs, seconds), the machine, and `cosim eval` at BER 1e-3
# and 1e-2 (its clean-accuracy line is the fault-free test accuracy; 50
# trials, the default subset protocol with 2,000 stratified
# test images per trial; each eval line below reproduces its numbers
# exactly, being seeded).
mc=(--trials 50 --protocol subset --subset 2000)
for m in "${methods[@]}"; do
  name=resnet20-4bit-${m/+/-}
  out=models/$name.ckpt
  [ -f "models/$name.txt" ] && continue
  {
    echo "model:   $name (ResNet-20, 4-bit weights, ${m}, CIFAR-10)"
    echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(go version | cut -d' ' -f3)"
    for ber in 1e-3 1e-2; do
      echo
      echo "\$ cosim eval --model $out --data DATA --ber $ber ${mc[*]}"
      "$cosim" eval --model "$out" --data "$data" --ber "$ber" "${mc[@]}" | sed "s|$data|DATA|g"
    done
  } > "models/$name.txt"
  cat "models/$name.txt"
done
