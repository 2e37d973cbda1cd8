#!/usr/bin/env python3
"""Reference side of cosim's ResNet cross-check against PyTorch.

Usage: resnet_torch.py IN.json OUT.json

IN.json (written by TestCrosscheckPyTorch in cosim/dnn) holds the
architecture ("resnet20", "resnet32", ...), the number of classes, a batch
of images x [n][3][32][32] with labels, and every parameter and running
statistic of the Go model by PyTorch state_dict name. This script builds the
CIFAR ResNet of chenyaofo/pytorch-cifar-models (the model the WCAT code
adapts: option-B downsample shortcuts), loads those tensors, runs one
training-mode forward, the mean cross-entropy and its backward, then an
evaluation-mode forward, and writes to OUT.json: the loss, both sets of
logits, every parameter's gradient and the updated running statistics.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class CifarResNet(nn.Module):
    def __init__(self, n, num_classes):
        super().__init__()
        self.inplanes = 16
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(16, n, 1)
        self.layer2 = self._make_layer(32, n, 2)
        self.layer3 = self._make_layer(64, n, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)

    def _make_layer(self, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes, 1, stride, bias=False),
                nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        for _ in range(1, blocks):
            layers.append(BasicBlock(self.inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def main():
    with open(sys.argv[1]) as f:
        inp = json.load(f)
    arch = inp["arch"]
    depth = int(arch[len("resnet"):])
    model = CifarResNet((depth - 2) // 6, inp["classes"])
    sd = model.state_dict()
    given = {}
    for name, t in inp["state"].items():
        if name not in sd:
            sys.exit(f"tensor {name} is not in the PyTorch model")
        v = torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"])
        if tuple(v.shape) != tuple(sd[name].shape):
            sys.exit(f"tensor {name}: shape {tuple(v.shape)}, PyTorch has {tuple(sd[name].shape)}")
        given[name] = v
    missing = [k for k in sd if k not in given and not k.endswith("num_batches_tracked")]
    if missing:
        sys.exit(f"tensors missing from the input: {missing}")
    model.load_state_dict(given, strict=False)

    n = inp["n"]
    x = torch.tensor(inp["x"], dtype=torch.float32).reshape(n, 3, 32, 32)
    labels = torch.tensor(inp["labels"], dtype=torch.int64)
    model.train()
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    out = {
        "loss": loss.item(),
        "train_logits": logits.detach().reshape(-1).tolist(),
        "grads": {k: p.grad.reshape(-1).tolist() for k, p in model.named_parameters()},
        "buffers": {k: b.reshape(-1).tolist() for k, b in model.named_buffers()
                    if not k.endswith("num_batches_tracked")},
    }
    model.eval()
    with torch.no_grad():
        out["eval_logits"] = model(x).reshape(-1).tolist()
    out["torch"] = torch.__version__
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
