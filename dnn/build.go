package dnn

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Build constructs an untrained network by architecture name for c×h×w
// inputs and the given number of classes: "mlp-<in>-<hidden>…-<out>" (in must
// equal c·h·w and out the classes), "resnet20", "resnet32", "resnet44" and
// "resnet56" (CIFAR ResNets, 3×32×32 inputs) and "resnet18" (torchvision's
// ResNet-18, 3×224×224 inputs).
func Build(arch string, c, h, w, classes int, r *rand.Rand) (Model, error) {
	if strings.HasPrefix(arch, "mlp-") {
		var sizes []int
		for _, f := range strings.Split(arch[4:], "-") {
			v, err := strconv.Atoi(f)
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("%w %q: layer size %q", ErrUnknownArch, arch, f)
			}
			sizes = append(sizes, v)
		}
		if len(sizes) < 2 || sizes[0] != c*h*w || sizes[len(sizes)-1] != classes {
			return nil, fmt.Errorf("%w %q for %dx%dx%d inputs and %d classes", ErrUnknownArch, arch, c, h, w, classes)
		}
		return NewMLP(c, h, w, sizes[1:len(sizes)-1], classes, r), nil
	}
	switch arch {
	case "resnet20", "resnet32", "resnet44", "resnet56", "resnet18":
		want := [3]int{3, 32, 32}
		if arch == "resnet18" {
			want = [3]int{3, 224, 224}
		}
		if [3]int{c, h, w} != want || classes < 1 {
			return nil, fmt.Errorf("%w %q for %dx%dx%d inputs and %d classes (it takes %dx%dx%d inputs)",
				ErrUnknownArch, arch, c, h, w, classes, want[0], want[1], want[2])
		}
		if arch == "resnet18" {
			return NewResNet18(classes, r), nil
		}
		depth, _ := strconv.Atoi(arch[len("resnet"):])
		return NewResNetCIFAR(depth, classes, r), nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownArch, arch)
}
