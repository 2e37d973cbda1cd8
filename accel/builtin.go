package accel

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
	"resnet20": func(n, b int) []Layer { return resnetCIFAR(3, n, b) },
	"resnet32": func(n, b int) []Layer { return resnetCIFAR(5, n, b) },
	"resnet44": func(n, b int) []Layer { return resnetCIFAR(7, n, b) },
	"resnet56": func(n, b int) []Layer { return resnetCIFAR(9, n, b) },
	// torchvision's ResNet-18 on 224×224 images: conv1 7×7/2 (pad 3), a
	// 3×3/2 max pool (pad 1) to 56×56, four stages of two BasicBlocks of
	// widths 64, 128, 256, 512 (1×1/2 downsample at layer2.0, layer3.0,
	// layer4.0), fc 512→1000.
	"resnet18": func(n, b int) []Layer {
		ls := []Layer{Conv("conv1", n, 3, 224, 224, 64, 7, 7, 2, 3, b)}
		return resnetStages(ls, n, b, 56, []int{64, 128, 256, 512}, 2, 1000)
	},
}

// resnetCIFAR is the CIFAR ResNet with blocks BasicBlocks per stage (He et
// al. 2016) as package dnn builds it (wcat-semantics §7.1): conv1 3×3 3→16
// on 32×32, stages of widths 16, 32, 64 (stride 2 and an option-B 1×1
// downsample at layer2.0 and layer3.0), fc 64→10.
func resnetCIFAR(blocks, n, b int) []Layer {
	ls := []Layer{Conv("conv1", n, 3, 32, 32, 16, 3, 3, 1, 1, b)}
	return resnetStages(ls, n, b, 32, []int{16, 32, 64}, blocks, 10)
}

// resnetStages appends the BasicBlock stages to ls in dnn.Workload's order
// and names (layerS.B.conv1, layerS.B.conv2, layerS.B.downsample.0), then
// the fc layer. hw is the size of the first stage's input.
func resnetStages(ls []Layer, n, b, hw int, widths []int, blocks, classes int) []Layer {
	in := widths[0]
	for s, width := range widths {
		for j := range blocks {
			stride := 1
			if s > 0 && j == 0 {
				stride = 2
			}
			name := fmt.Sprintf("layer%d.%d", s+1, j)
			ls = append(ls, Conv(name+".conv1", n, in, hw, hw, width, 3, 3, stride, 1, b))
			out := OutDim(hw, 3, stride, 1)
			ls = append(ls, Conv(name+".conv2", n, width, out, out, width, 3, 3, 1, 1, b))
			if stride != 1 || in != width {
				ls = append(ls, Conv(name+".downsample.0", n, in, hw, hw, width, 1, 1, stride, 0, b))
			}
			in, hw = width, out
		}
	}
	return append(ls, FC("fc", n, in, classes, b))
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
