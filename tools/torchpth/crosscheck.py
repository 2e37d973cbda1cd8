"""PyTorch side of `make crosscheck` for torchpth: loads WCAT-layout ResNet checkpoints (.pth) into
the clean-room model (wcat_layout.py), and records each quantized weight's codes and the clean
CIFAR-10 test accuracy, for the Go test TestCrosscheckTorch to compare with cosim's import.

    /usr/bin/python3 tools/torchpth/crosscheck.py --data DIR --out OUT.json A.pth [B.pth ...]

DIR holds the official CIFAR-10 binary test set (test_batch.bin or test_batch.bin.gz). The files
are read with torch.load(weights_only=True): only tensors and containers, as cosim exports them.
"""
import argparse
import gzip
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wcat_layout as wl  # noqa: E402

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)  # the WCAT code's CIFAR-10 transform


def cifar10_test(data):
    for name in ("test_batch.bin", "test_batch.bin.gz", "cifar-10-batches-bin/test_batch.bin"):
        path = os.path.join(data, name)
        if os.path.exists(path):
            raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
            rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
            x = torch.from_numpy(rec[:, 1:].copy()).reshape(-1, 3, 32, 32).float() / 255
            x = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
            return x, torch.from_numpy(rec[:, 0].astype(np.int64))
    sys.exit("no CIFAR-10 test_batch.bin[.gz] in " + data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    x, y = cifar10_test(a.data)
    out = {"torch": torch.__version__, "models": {}}
    for path in a.models:
        state = torch.load(path, map_location="cpu", weights_only=True)
        model = wl.model_for(state).eval()
        codes = {}
        for name, m in wl.quantized_modules(model):
            q = m.weight_quantize_module.codes(m.weight).to(torch.int8).contiguous()
            codes[name + ".weight"] = hashlib.sha256(q.numpy().tobytes()).hexdigest()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(y), 500):
                correct += int((model(x[i:i + 500]).argmax(1) == y[i:i + 500]).sum())
        acc = 100.0 * correct / len(y)
        out["models"][os.path.abspath(path)] = {"codes_sha256": codes, "correct": correct, "images": len(y), "accuracy": acc}
        print("%s: %d quantized weights, clean accuracy %.2f%% (%d/%d)" % (path, len(codes), acc, correct, len(y)))
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
