"""Makes the PyTorch checkpoints that torchpth's tests import, and the values they compare with.

Run once from the repository root with Debian's PyTorch (apt-get install python3-torch):

    /usr/bin/python3 tools/torchpth/make_fixtures.py torchpth/testdata

It writes small .pth files in the WCAT code's layout (tools/torchpth/wcat_layout.py), made with
random weights from fixed seeds, good and bad ones, and expected.json: per good file its
architecture, method and tensors (shape, dtype, first values, float64 sum, and for every quantized
weight the SHA-256 of its 4-bit codes as int8 bytes), and for the ResNet-20 the logits of two fixed
inputs through the quantized clean-room model. The files are checked in; rerunning the script with
the same PyTorch reproduces their tensors and expected.json (the bytes of legacy files differ: that
format names storages by memory address).
"""
import hashlib
import json
import math
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wcat_layout as wl  # noqa: E402


def randomize(model, seed, batches=1234):
    """Random weights, ranges and batch-norm statistics, reproducible from seed."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * math.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.1 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))
                m.num_batches_tracked.fill_(batches)
        qs = wl.quantized_modules(model)
        top = max(m.weight.abs().max() for _, m in qs)
        for _, m in qs:
            qm = m.weight_quantize_module
            u = 0.4 + 0.5 * torch.rand((), generator=g)
            if qm.method == "wcat":
                qm.q_range.fill_(m.weight.abs().max() * u)
            elif qm.method == "lsq":
                qm.step_size.fill_(m.weight.abs().max() * u / 2 ** (qm.bits - 1))
            elif qm.method == "plclip":  # alpha_l = c * max(0.2, max|W_l| / max_j max|W_j|), c = 0.1, in float32
                qm.alpha.fill_(torch.clamp(m.weight.abs().max() / top, min=0.2) * 0.1)
    return model


def record(model, state):
    """Expected values of a state dict: per tensor and per quantized weight."""
    tensors = []
    for k, v in state.items():
        flat = v.reshape(-1)
        e = {"name": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")}
        if v.is_floating_point():
            e["first"] = [float(x) for x in flat[:4].float()]
            e["sum"] = float(flat.double().sum())
        else:
            e["ints"] = [int(x) for x in flat[:4]]
        tensors.append(e)
    codes = {}
    for name, m in wl.quantized_modules(model):
        q = m.weight_quantize_module.codes(m.weight.float()).to(torch.int8).contiguous()
        codes[name + ".weight"] = hashlib.sha256(q.numpy().tobytes()).hexdigest()
    return {"tensors": tensors, "codes_sha256": codes}


def inputs(n, c, h, w):
    """Deterministic inputs: x[i] = sin(0.1 * i) over the flattened batch."""
    return torch.sin(0.1 * torch.arange(n * c * h * w, dtype=torch.float32)).reshape(n, c, h, w)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    expected = {}

    def save(name, obj, model=None, state=None, legacy=False, **extra):
        path = os.path.join(out, name)
        torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
        if model is not None:
            e = record(model, state)
            e.update(extra)
            expected[name] = e

    # The WCAT code's ResNet-20 (20 quantized weights), zip and legacy formats.
    r20 = randomize(wl.ResNetCIFAR(20, 10, "wcat", 4), seed=20).eval()
    with torch.no_grad():
        logits = r20(inputs(2, 3, 32, 32))
    sd = r20.state_dict()
    extra = {"arch": "resnet20", "method": "wcat", "quantized": len(wl.quantized_modules(r20)),
             "logits": [float(x) for x in logits.reshape(-1)]}
    save("resnet20-wcat.pth", sd, r20, sd, **extra)
    save("resnet20-wcat-legacy.pth", sd, r20, sd, legacy=True, **extra)

    # MLPs: DataParallel inside a training checkpoint; the WCAT trainer's epoch checkpoint (LSQ);
    # PLClip; a float model in half precision (no quantizer keys).
    mlp = randomize(wl.MLP([784, 32, 10], "wcat"), seed=1)
    dp = nn.DataParallel(mlp)
    save("mlp-wcat-dataparallel.pth", {"epoch": 7, "state_dict": dp.state_dict()}, mlp, mlp.state_dict(),
         arch="mlp-784-32-10", method="wcat")
    lsq = randomize(wl.MLP([784, 32, 10], "lsq"), seed=2)
    opt = torch.optim.SGD(lsq.parameters(), lr=0.1, momentum=0.9)
    lsq(inputs(2, 1, 28, 28)).sum().backward()
    opt.step()
    save("mlp-lsq-epoch.tar", {"epoch": 3, "model_state_dict": lsq.state_dict(),
                               "optimizer_state_dict": opt.state_dict(), "best_valid_accuracy": 51.5},
         lsq, lsq.state_dict(), arch="mlp-784-32-10", method="lsq", legacy=False)
    pl = randomize(wl.MLP([784, 32, 10], "plclip"), seed=3)
    save("mlp-plclip-legacy.pth", pl.state_dict(), pl, pl.state_dict(), legacy=True,
         arch="mlp-784-32-10", method="plclip")
    fl = randomize(wl.MLP([784, 32, 10], "normal"), seed=4).half()
    save("mlp-normal-half.pth", fl.state_dict(), fl, fl.state_dict(), arch="mlp-784-32-10", method="normal")

    # Bad files, from a tiny WCAT MLP.
    def tiny():
        return randomize(wl.MLP([784, 4, 10], "wcat"), seed=5).state_dict()

    sd = tiny()
    del sd["layer2.bias"]
    save("bad-missing.pth", sd)
    sd = tiny()
    sd["layer1.scale"] = torch.ones(4)
    save("bad-extra.pth", sd)
    sd = tiny()
    sd["layer1.bias"] = torch.zeros(5)
    save("bad-shape.pth", sd)
    sd = tiny()
    sd["layer2.weight"] = sd["layer2.weight"].to(torch.complex64)
    save("bad-dtype.pth", sd)
    sd = tiny()
    sd["layer1.weight"] = sd["layer1.weight"].to(torch.int32)
    save("bad-int.pth", sd)
    sd = tiny()
    sd["layer1.weight"][2, 3] = float("nan")
    save("bad-nan.pth", sd)
    sd = tiny()
    sd["layer2.weight_q_range"].fill_(0)  # the same Parameter as its weight_quantize_module copy
    save("bad-range.pth", sd)
    sd = tiny()
    sd["layer1.weight_quantize_module.q_range"] = sd["layer1.weight_q_range"].clone() + 0.25
    save("bad-copy.pth", sd, legacy=True)
    sd = tiny()
    del sd["layer2.weight_q_range"], sd["layer2.weight_quantize_module.q_range"]
    sd["layer2.weight_step_size"] = torch.tensor(0.1)
    save("bad-mixed.pth", sd)
    sd = tiny()
    sd = {("module." + k if k.startswith("layer1") else k): v for k, v in sd.items()}
    save("bad-prefix.pth", sd)
    save("bad-list.pth", [torch.zeros(2), torch.ones(2)])
    save("bad-nostate.pth", {"epoch": 3, "best_valid_accuracy": 90.0})

    class Runs(object):
        def __reduce__(self):
            return (os.system, ("echo this pickle runs code",))

    save("bad-code.pth", {"layer1.weight": Runs()})
    torch.jit.save(torch.jit.script(nn.Linear(2, 2)), os.path.join(out, "bad-torchscript.pt"))
    with open(os.path.join(out, "bad-text.pth"), "w") as f:
        f.write("layer1.weight: [0.1, 0.2]\n")

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"torch": torch.__version__, "files": expected}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "torchpth/testdata")
