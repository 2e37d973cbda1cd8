package workload

import "fmt"

// ResNet is the topology of a residual network of BasicBlocks (He et al.
// 2016), shared by package dnn, which builds and trains it, and by the
// built-in layer sets priced by the accelerator models: a stem convolution
// (kernel StemKernel, stride StemStride, padding StemKernel/2), an optional
// 3×3/2 max pool, stages of Depths[i] BasicBlocks of Widths[i] channels
// (stage i > 0 starts with stride 2 and a 1×1 option-B downsample
// shortcut), global average pooling and a fully connected layer.
type ResNet struct {
	Arch                   string
	C, H, W                int // input image shape
	Classes                int
	StemKernel, StemStride int
	MaxPool                bool
	Widths, Depths         []int // per stage
}

// CIFARResNet is the CIFAR ResNet of depth 6n+2 (20, 32, 44, 56, …) for
// 3×32×32 images: stem 3×3 3→16, three stages of n blocks of widths 16, 32,
// 64, fc 64→classes (docs/wcat-semantics.md §7.1; chenyaofo/pytorch-cifar-models,
// which the WCAT code adapts).
func CIFARResNet(depth, classes int) (ResNet, error) {
	if depth < 8 || (depth-2)%6 != 0 {
		return ResNet{}, fmt.Errorf("CIFAR ResNet depth %d is not 6n+2", depth)
	}
	n := (depth - 2) / 6
	return ResNet{Arch: fmt.Sprintf("resnet%d", depth), C: 3, H: 32, W: 32, Classes: classes,
		StemKernel: 3, StemStride: 1, Widths: []int{16, 32, 64}, Depths: []int{n, n, n}}, nil
}

// ResNet18 is torchvision's ResNet-18 for 3×224×224 images: stem 7×7/2
// 3→64 and max pool, four stages of two blocks of widths 64, 128, 256, 512,
// fc 512→classes.
func ResNet18(classes int) ResNet {
	return ResNet{Arch: "resnet18", C: 3, H: 224, W: 224, Classes: classes,
		StemKernel: 7, StemStride: 2, MaxPool: true, Widths: []int{64, 128, 256, 512}, Depths: []int{2, 2, 2, 2}}
}

// Layers returns the convolution and fully connected layers of r for a
// batch of n images with weightBits-bit weights, in execution order and
// with the parameter names package dnn gives them (conv1,
// layerS.B.conv1, layerS.B.conv2, layerS.B.downsample.0, fc).
func (r ResNet) Layers(n, weightBits int) []Layer {
	ls := []Layer{Conv("conv1", n, r.C, r.H, r.W, r.Widths[0], r.StemKernel, r.StemKernel, r.StemStride, r.StemKernel/2, weightBits)}
	h, w := OutDim(r.H, r.StemKernel, r.StemStride, r.StemKernel/2), OutDim(r.W, r.StemKernel, r.StemStride, r.StemKernel/2)
	if r.MaxPool {
		h, w = OutDim(h, 3, 2, 1), OutDim(w, 3, 2, 1)
	}
	in := r.Widths[0]
	for _, b := range r.Blocks() {
		ls = append(ls, Conv(b.Name+".conv1", n, b.In, h, w, b.Out, 3, 3, b.Stride, 1, weightBits))
		p, q := OutDim(h, 3, b.Stride, 1), OutDim(w, 3, b.Stride, 1)
		ls = append(ls, Conv(b.Name+".conv2", n, b.Out, p, q, b.Out, 3, 3, 1, 1, weightBits))
		if b.Downsample() {
			ls = append(ls, Conv(b.Name+".downsample.0", n, b.In, h, w, b.Out, 1, 1, b.Stride, 0, weightBits))
		}
		in, h, w = b.Out, p, q
	}
	return append(ls, FC("fc", n, in, r.Classes, weightBits))
}

// Block is one BasicBlock: its parameter name prefix (layerS.B), its input
// and output channels and the stride of its first convolution.
type Block struct {
	Name            string
	In, Out, Stride int
}

// Downsample reports whether the block's shortcut is a 1×1 convolution
// rather than the identity.
func (b Block) Downsample() bool { return b.Stride != 1 || b.In != b.Out }

// Blocks lists r's BasicBlocks in execution order.
func (r ResNet) Blocks() []Block {
	var bs []Block
	in := r.Widths[0]
	for s, width := range r.Widths {
		for j := range r.Depths[s] {
			stride := 1
			if s > 0 && j == 0 {
				stride = 2
			}
			bs = append(bs, Block{Name: fmt.Sprintf("layer%d.%d", s+1, j), In: in, Out: width, Stride: stride})
			in = width
		}
	}
	return bs
}
