package dnn

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Build constructs an untrained network by architecture name for c×h×w
// inputs and the given number of classes: "mlp-<in>-<hidden>…-<out>" (in must
// equal c·h·w and out the classes).
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
	return nil, fmt.Errorf("%w %q", ErrUnknownArch, arch)
}
