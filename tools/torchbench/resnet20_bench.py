#!/usr/bin/env python3
"""PyTorch anchor for cosim-bench: CIFAR ResNet-20 throughput on the CPU.

Usage: resnet20_bench.py [--threads N] [--what mc,train] [--images N]
                         [--batch B] [--trials T] [--ber P]
                         [--train-batch B] [--train-seconds S]

Prints one JSON object on stdout (progress and nothing else on stderr).
Self-contained: needs only torch (Debian: apt-get install python3-torch).

The network is the CIFAR ResNet-20 of cosim's dnn.NewResNetCIFAR(20, 10, ...)
(chenyaofo/pytorch-cifar-models, which the WCAT code adapts): stem conv 3x3
3->16 + BN + ReLU; three stages of 3 BasicBlocks of widths 16, 32, 64, the
first block of stages 2 and 3 with stride 2 and an option-B shortcut (conv
1x1 stride 2 + BN); global average pooling; fc 64->10. All convolutions are
bias-free, the fc has a bias.

mc: the Monte Carlo trial of cosim's reference protocol, in eval mode. Every
convolution and linear weight (22 tensors, 270,896 weights, as cosim puts
every weight in the weight SRAM) is held as 4-bit two's-complement codes on
WCAT's reference grid: step s = alpha/8 with alpha = max|w| of the tensor,
codes clamp(round(w/s), -8, 7). A trial draws an independent Bernoulli(p)
flip for every stored bit (u < p with u ~ U[0,1), as the WCAT code does),
XORs them into the codes, dequantizes (q * s), copies the faulty weights into
the model and scores all images (random 3x32x32 floats with random labels)
at batch B under torch.no_grad(), argmax accuracy. The figure is images
scored per second over T timed trials after one warm-up trial on two
batches; fault sampling and dequantization are timed, as they are part of a
trial.

train: forward + mean cross-entropy + backward + SGD step (lr 0.1, Nesterov
momentum 0.9, weight decay 5e-4: cosim's CIFAR recipe) at batch 256,
float32, train-mode batch norm, on a fixed random batch; images per second
over about S seconds after two warm-up steps.

--threads N sets torch.set_num_threads(N) and torch.set_num_interop_threads(1).
The kernels' instruction set can be capped from the environment
(ATEN_CPU_CAPABILITY=avx2, DNNL_MAX_CPU_ISA=AVX2, ONEDNN_MAX_CPU_ISA=AVX2).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# The CIFAR ResNet (option-B downsample shortcuts) is the cross-check's:
# one definition of the model cosim is compared with.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crosscheck"))
from resnet_torch import CifarResNet  # noqa: E402


def quant_weights(model):
    """The weights a 4-bit weight memory holds: every conv and linear weight."""
    return [m.weight for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


class FaultyWeights:
    """4-bit two's-complement codes of the quantized weights, flat."""

    BITS = 4

    def __init__(self, weights):
        qn, qp = -(1 << (self.BITS - 1)), (1 << (self.BITS - 1)) - 1
        self.weights = weights
        self.sizes = [w.numel() for w in weights]
        codes, steps = [], []
        with torch.no_grad():
            for w in weights:
                alpha = w.abs().max().clamp_min(1e-12)
                s = alpha / (1 << (self.BITS - 1))
                q = torch.clamp(torch.round(w / s), qn, qp).to(torch.int16)
                codes.append(q.reshape(-1))
                steps.append(s.expand(w.numel()))
        # stored pattern u = q mod 2^b, as uint8 (two's complement)
        self.codes = (torch.cat(codes) & ((1 << self.BITS) - 1)).to(torch.uint8)
        self.step = torch.cat(steps).contiguous()
        self.bit_values = torch.tensor([1 << j for j in range(self.BITS)], dtype=torch.uint8)

    @property
    def n(self):
        return self.codes.numel()

    def trial(self, p, gen):
        """Draws one fault realisation, writes the faulty weights into the
        model, and returns the number of flipped bits."""
        flips = torch.rand(self.n, self.BITS, generator=gen) < p
        mask = (flips.to(torch.uint8) * self.bit_values).sum(1, dtype=torch.uint8)
        u = (self.codes ^ mask).to(torch.int16)
        q = u - ((u >> (self.BITS - 1)) << self.BITS)  # back to signed
        eff = q.to(torch.float32) * self.step
        with torch.no_grad():
            for w, part in zip(self.weights, torch.split(eff, self.sizes)):
                w.copy_(part.view_as(w))
        return int(flips.sum())


def bench_mc(args):
    torch.manual_seed(1)
    model = CifarResNet((20 - 2) // 6, 10)
    # non-trivial running statistics, as in a trained network
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    fw = FaultyWeights(quant_weights(model))
    x = torch.randn(args.images, 3, 32, 32)
    labels = torch.randint(0, 10, (args.images,))
    gen = torch.Generator().manual_seed(2)

    def run_trial(images):
        flips = fw.trial(args.ber, gen)
        correct = 0
        with torch.no_grad():
            for i in range(0, images, args.batch):
                logits = model(x[i:i + args.batch])
                correct += int((logits.argmax(1) == labels[i:i + args.batch]).sum())
        return 100.0 * correct / images, flips

    run_trial(min(args.images, 2 * args.batch))  # warm-up
    accs, flips, secs = [], [], []
    start = time.perf_counter()
    for _ in range(args.trials):
        t0 = time.perf_counter()
        a, f = run_trial(args.images)
        secs.append(time.perf_counter() - t0)
        accs.append(a)
        flips.append(f)
    elapsed = time.perf_counter() - start
    return {
        "images_per_s": args.trials * args.images / elapsed,
        "seconds": elapsed,
        "trial_seconds": secs,
        "trials": args.trials,
        "images": args.images,
        "batch": args.batch,
        "ber": args.ber,
        "weights": fw.n,
        "bits": fw.n * FaultyWeights.BITS,
        "flips_per_trial": flips,
        "accuracy": accs,
    }


def bench_train(args):
    torch.manual_seed(3)
    model = CifarResNet((20 - 2) // 6, 10)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    n = args.train_batch
    x = torch.randn(n, 3, 32, 32)
    labels = torch.randint(0, 10, (n,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        opt.step()
        return loss

    for _ in range(2):  # warm-up
        step()
    steps = 0
    start = time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.train_seconds:
            break
    return {
        "images_per_s": steps * n / elapsed,
        "seconds": elapsed,
        "steps": steps,
        "batch": n,
        "optimizer": "SGD lr 0.1, Nesterov momentum 0.9, weight decay 5e-4",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0: torch's default)")
    ap.add_argument("--what", default="mc,train", help="comma-separated: mc, train")
    ap.add_argument("--images", type=int, default=10000, help="images scored per Monte Carlo trial")
    ap.add_argument("--batch", type=int, default=500, help="inference batch size")
    ap.add_argument("--trials", type=int, default=3, help="timed Monte Carlo trials")
    ap.add_argument("--ber", type=float, default=1e-3, help="bit error rate")
    ap.add_argument("--train-batch", type=int, default=256)
    ap.add_argument("--train-seconds", type=float, default=5.0)
    args = ap.parse_args()
    what = [w.strip() for w in args.what.split(",") if w.strip()]
    bad = [w for w in what if w not in ("mc", "train")]
    if bad or not what:
        ap.error(f"--what {args.what!r}: want a comma-separated subset of mc, train")
    if args.images < 1 or args.batch < 1 or args.trials < 1 or args.train_batch < 1:
        ap.error("--images, --batch, --trials and --train-batch must be at least 1")
    if not 0 <= args.ber <= 1:
        ap.error(f"--ber {args.ber}: want [0, 1]")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(1)

    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "env": {k: os.environ[k] for k in ("ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA")
                if k in os.environ},
    }
    cap = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
    if cap is not None:
        out["cpu_capability"] = cap()
    else:
        for ln in torch.__config__.show().splitlines():
            if "CPU capability usage:" in ln:
                out["cpu_capability"] = ln.split(":", 1)[1].strip()
    for w in what:
        print(f"resnet20_bench: {w} ...", file=sys.stderr)
        out[w] = bench_mc(args) if w == "mc" else bench_train(args)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
