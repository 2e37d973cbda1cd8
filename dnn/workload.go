package dnn

import (
	"fmt"

	"cosim/workload"
)

// Workload describes the convolution and linear layers of m, in execution
// order, as the accelerator model's layer shapes for a batch of n images
// whose weights are stored at weightBits bits. Names follow the parameter
// names (conv1, layer2.0.downsample.0, fc, …).
func Workload(m Model, n, weightBits int) (workload.Workload, error) {
	w := workload.Workload{Name: m.Arch()}
	c, h, wd := m.InputShape()
	conv := func(name string, cv *Conv2d, h, wd int) (int, int) {
		w.Layers = append(w.Layers, workload.Conv(name, n, cv.In, h, wd, cv.Out, cv.Kernel, cv.Kernel, cv.Stride, cv.Pad, weightBits))
		return cv.OutSize(h, wd)
	}
	switch net := m.(type) {
	case *MLP:
		for _, l := range net.Layers {
			w.Layers = append(w.Layers, workload.FC(trimName(l.W.Name), n, l.In, l.Out, weightBits))
		}
	case *ResNet:
		if net.Conv1.In != c {
			return w, fmt.Errorf("workload of %s: stem takes %d channels, input has %d", m.Arch(), net.Conv1.In, c)
		}
		h, wd = conv("conv1", net.Conv1, h, wd)
		if net.Pool != nil {
			h, wd = net.Pool.OutSize(h, wd)
		}
		for _, b := range net.Blocks {
			p, q := conv(trimName(b.Conv1.W.Name), b.Conv1, h, wd)
			conv(trimName(b.Conv2.W.Name), b.Conv2, p, q)
			if b.DownConv != nil {
				conv(trimName(b.DownConv.W.Name), b.DownConv, h, wd)
			}
			h, wd = p, q
		}
		w.Layers = append(w.Layers, workload.FC("fc", n, net.FC.In, net.FC.Out, weightBits))
	default:
		return w, fmt.Errorf("workload of %s: unsupported model type %T", m.Arch(), m)
	}
	return w, w.Validate()
}

// trimName drops the last dotted component of a parameter name.
func trimName(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return s[:i]
		}
	}
	return s
}
