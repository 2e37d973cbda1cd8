#!/usr/bin/env bash
# Trains the shipped 8-bit ResNet-20s for memory protection and writes their
# cards: an 8-bit Normal model fine-tuned from the shipped 4-bit Normal
# model's float weights (train --from), and its WOT fine-tune for in-place
# zero-space ECC (Guan et al., NeurIPS 2019: SGD, constant lr 1e-4, stopping
# at the first epoch whose validation accuracy reaches the starting
# model's). Each card records the command, the checkpoint's own training
# record and `cosim eval` at BER 1e-3 and 1e-2 without protection and with
# the model's protection (SEC-DED, zero-space).
#
#   scripts/train-8bit-models.sh DATA_DIR
#
# A killed run continues where it stopped when started again (--resume).
set -euo pipefail
data=${1:?usage: train-8bit-models.sh DATA_DIR}
cd "$(dirname "$0")/.."
export GOEXPERIMENT=simd
cosim=${COSIM:-}
if [ -z "$cosim" ]; then
  go build -o bin/cosim ./cmd/cosim
  cosim=bin/cosim
fi
train() { # OUT ARGS…
  local out=$1; shift
  [ -f "$out" ] && { echo "$out exists, skipping"; return; }
  local resume=()
  [ -f "$out.state" ] && resume=(--resume)
  "$cosim" train "$@" --data "$data" --out "$out" --quiet "${resume[@]}"
}
train models/resnet20-8bit-normal.ckpt --from models/resnet20-4bit-normal.ckpt --method normal --bits 8 --epochs 2 --lr 0.01
train models/resnet20-8bit-wot.ckpt --from models/resnet20-8bit-normal.ckpt --method wot --bits 8 --epochs 3 --lr 1e-4 --lr-schedule constant
mc=(--trials 20 --protocol subset --subset 1000)
for m in normal:secded wot:zero-space; do
  name=resnet20-8bit-${m%%:*}
  [ -f "models/$name.txt" ] && continue
  {
    echo "model:   $name (ResNet-20, 8-bit weights, ${m%%:*}, CIFAR-10; protection ${m#*:})"
    echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(go version | cut -d' ' -f3)"
    for prot in none "${m#*:}"; do
      for ber in 1e-3 1e-2; do
        echo
        echo "\$ cosim eval --model models/$name.ckpt --data DATA --ber $ber --protection $prot ${mc[*]}"
        "$cosim" eval --model "models/$name.ckpt" --data "$data" --ber "$ber" --protection "$prot" "${mc[@]}" | sed "s|$data|DATA|g"
      done
    done
  } > "models/$name.txt"
  cat "models/$name.txt"
done
