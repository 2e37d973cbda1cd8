package workload

import (
	"fmt"
	"slices"
	"strings"
)

// builtins are the layer sets BuiltinWorkload knows, by name.
var builtins = map[string]func(n, bits int) []Layer{
	// AlexNet CONV1–5 as in Eyeriss (Chen et al., JSSC 2017, Table I): a
	// 227×227 input; CONV2, CONV4 and CONV5 are grouped convolutions (two
	// groups) in the original network and appear here, as in that table, with
	// C the channels of one group: the MACs and weights are AlexNet's, the
	// ifmap traffic is that of one group's input. IfmapZeroFrac is the
	// share of zeros in each layer's ifmaps as the chip measured them
	// (JSSC 2017, Table V, "zeros in ifmaps": 0.01, 38.7, 72.5, 79.3 and
	// 77.6 %); only architectures with zero gating use it.
	"alexnet": func(n, b int) []Layer {
		ls := []Layer{
			Conv("conv1", n, 3, 227, 227, 96, 11, 11, 4, 0, b),
			Conv("conv2", n, 48, 27, 27, 256, 5, 5, 1, 2, b),
			Conv("conv3", n, 256, 13, 13, 384, 3, 3, 1, 1, b),
			Conv("conv4", n, 192, 13, 13, 384, 3, 3, 1, 1, b),
			Conv("conv5", n, 192, 13, 13, 256, 3, 3, 1, 1, b),
		}
		for i, z := range []float64{0.0001, 0.387, 0.725, 0.793, 0.776} {
			ls[i].IfmapZeroFrac = z
		}
		return ls
	},
	// VGG-16 (Simonyan and Zisserman 2015, configuration D) on 224×224
	// images: 13 3×3 convolutions (pad 1) and three fully connected layers.
	"vgg16": func(n, b int) []Layer {
		var ls []Layer
		in, hw := 3, 224
		for stage, st := range []struct{ convs, width int }{{2, 64}, {2, 128}, {3, 256}, {3, 512}, {3, 512}} {
			for i := range st.convs {
				ls = append(ls, Conv(fmt.Sprintf("conv%d_%d", stage+1, i+1), n, in, hw, hw, st.width, 3, 3, 1, 1, b))
				in = st.width
			}
			hw /= 2 // 2×2 max pool, stride 2
		}
		return append(ls, FC("fc6", n, 512*7*7, 4096, b), FC("fc7", n, 4096, 4096, b), FC("fc8", n, 4096, 1000, b))
	},
	"resnet20": cifarResNet(20),
	"resnet32": cifarResNet(32),
	"resnet44": cifarResNet(44),
	"resnet56": cifarResNet(56),
	"resnet18": func(n, b int) []Layer { return ResNet18(1000).Layers(n, b) },
}

// cifarResNet is the layer set of the CIFAR ResNet of the given depth with
// 10 classes.
func cifarResNet(depth int) func(n, b int) []Layer {
	r, err := CIFARResNet(depth, 10)
	if err != nil {
		panic(err) // the depths above are 6n+2
	}
	return r.Layers
}

// BuiltinWorkloadNames returns the names BuiltinWorkload accepts, sorted.
func BuiltinWorkloadNames() []string {
	var names []string
	for name := range builtins {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// BuiltinWorkload returns a built-in layer set for a batch of batch images
// with weights stored at weightBits bits: "alexnet" (CONV1–5), "vgg16",
// "resnet20", "resnet32", "resnet44", "resnet56" (CIFAR, 32×32) and
// "resnet18" (ImageNet, 224×224). Pooling, batch normalisation (fused into
// the convolutions), activations and residual additions are not layers of
// the workload. The workload is validated.
func BuiltinWorkload(name string, batch, weightBits int) (Workload, error) {
	f, ok := builtins[name]
	if !ok {
		return Workload{}, fmt.Errorf("accel: no built-in workload %q (built-ins: %s)", name, strings.Join(BuiltinWorkloadNames(), ", "))
	}
	if batch < 1 {
		return Workload{}, fmt.Errorf("accel: workload %q: batch %d, want ≥ 1", name, batch)
	}
	w := Workload{Name: name, Layers: f(batch, weightBits)}
	return w, w.Validate()
}
