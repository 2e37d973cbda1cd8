"""Clean-room PyTorch models in the WCAT code's state-dict layout.

Written from docs/wcat-semantics.md (sections 1.2, 1.3, 7.1, 7.2), not from the
authors' code. A quantized conv/linear module holds its float latent `weight` (and `bias`), the
quantizer's range registered on the module as `weight_<name>` and, as the same Parameter, on its
child `weight_quantize_module` as `<name>`; PyTorch's state_dict therefore lists both keys.
Quantizer ranges: wcat `q_range` (alpha), lsq `step_size` and `zero_point`, plclip `alpha`;
normal adds no keys.

The forward pass quantizes on the reference grid: codes q = clamp(round_half_even(clip(w, +-a) / s),
-2^(b-1), 2^(b-1)-1) with s = a / 2^(b-1) (wcat, plclip), or q = clamp(round(w / s), ...) with the
learned step s (lsq), or s = max|w| / 2^(b-1) (normal), and uses s * q.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

RANGE_NAMES = {"wcat": ["q_range"], "lsq": ["step_size", "zero_point"], "plclip": ["alpha"], "normal": []}


class Quantizer(nn.Module):
    def __init__(self, method, bits):
        super().__init__()
        self.method, self.bits = method, bits
        for n in RANGE_NAMES[method]:
            setattr(self, n, nn.Parameter(torch.tensor(1.0 if n != "zero_point" else 0.0)))

    def step(self, w):
        half = 2 ** (self.bits - 1)
        if self.method in ("wcat", "plclip"):
            return (self.q_range if self.method == "wcat" else self.alpha).detach() / half
        if self.method == "lsq":
            return self.step_size.detach()
        return w.detach().abs().max() / half

    def codes(self, w):
        """The integer codes of w (float tensor of integers)."""
        half = 2 ** (self.bits - 1)
        s = self.step(w)
        x = w.detach()
        if self.method in ("wcat", "plclip"):
            a = s * half
            x = torch.clamp(x, -a, a)
        return torch.clamp(torch.round(x / s), -half, half - 1)  # torch.round: half to even

    def forward(self, w):
        return self.codes(w) * self.step(w)


class _Quantized:
    def attach(self, method, bits):
        self.weight_quantize_module = Quantizer(method, bits)
        for n, p in self.weight_quantize_module.named_parameters():
            self.register_parameter("weight_" + n, p)
        return self


class QConv2d(nn.Conv2d, _Quantized):
    def forward(self, x):
        return F.conv2d(x, self.weight_quantize_module(self.weight), self.bias, self.stride, self.padding)


class QLinear(nn.Linear, _Quantized):
    def forward(self, x):
        return F.linear(x, self.weight_quantize_module(self.weight), self.bias)


def conv(cin, cout, k, stride, pad, q):
    """A 3x3 or 1x1 conv without bias; quantized when q = (method, bits)."""
    if q is None:
        return nn.Conv2d(cin, cout, k, stride, pad, bias=False)
    return QConv2d(cin, cout, k, stride, pad, bias=False).attach(*q)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, q, q_down):
        super().__init__()
        self.conv1, self.bn1 = conv(cin, cout, 3, stride, 1, q), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = conv(cout, cout, 3, 1, 1, q), nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(conv(cin, cout, 1, stride, 0, q_down), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNetCIFAR(nn.Module):
    """CIFAR ResNet-(6n+2), option-B shortcuts (section 7.1). quantize_downsample=False is the
    reference code's layout (its dir() quirk leaves downsample.0 a plain Conv2d)."""

    def __init__(self, depth=20, classes=10, method="wcat", bits=4, quantize_downsample=False):
        super().__init__()
        n = (depth - 2) // 6
        q = (method, bits)
        qd = q if quantize_downsample else None
        self.conv1, self.bn1 = conv(3, 16, 3, 1, 1, q), nn.BatchNorm2d(16)
        cin = 16
        for i, width in enumerate([16, 32, 64]):
            blocks = []
            for j in range(n):
                blocks.append(Block(cin, width, 2 if (i > 0 and j == 0) else 1, q, qd))
                cin = width
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.fc = QLinear(64, classes).attach(*q)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class MLP(nn.Module):
    """The WCAT code's MLP layout: layer1, layer2, ... Linear layers with ReLU between."""

    def __init__(self, sizes, method="wcat", bits=4):
        super().__init__()
        self.n = len(sizes) - 1
        for i in range(self.n):
            setattr(self, "layer%d" % (i + 1), QLinear(sizes[i], sizes[i + 1]).attach(method, bits))

    def forward(self, x):
        x = torch.flatten(x, 1)
        for i in range(self.n):
            x = getattr(self, "layer%d" % (i + 1))(x)
            if i + 1 < self.n:
                x = F.relu(x)
        return x


def quantized_modules(model):
    """(name, module) of every quantized conv/linear, in state-dict order."""
    return [(n, m) for n, m in model.named_modules() if isinstance(m, (QConv2d, QLinear))]


def model_for(state, classes=10, bits=4):
    """A ResNetCIFAR whose layout matches a WCAT ResNet state dict (method and which convs are
    quantized read from its keys)."""
    method = "normal"
    for key, name in (("weight_q_range", "wcat"), ("weight_step_size", "lsq"), ("weight_alpha", "plclip")):
        if any(k.endswith(key) for k in state):
            method = name
    n = sum(1 for k in state if k.startswith("layer1.") and k.endswith(".conv1.weight"))
    qd = any(k.startswith("layer2.0.downsample.0.weight_") for k in state)
    m = ResNetCIFAR(6 * n + 2, state["fc.weight"].shape[0], method, bits, quantize_downsample=qd)
    m.load_state_dict(state, strict=True)
    return m
