package dnn

import (
	"testing"

	"cosim/internal/seed"
)

func TestWorkloadMatchesWeights(t *testing.T) {
	for _, arch := range []string{"mlp-784-100-10", "resnet20", "resnet56"} {
		c, h, w := 1, 28, 28
		if arch != "mlp-784-100-10" {
			c, h, w = 3, 32, 32
		}
		m, err := Build(arch, c, h, w, 10, seed.Stream(1))
		if err != nil {
			t.Fatal(err)
		}
		wl, err := Workload(m, 1, 4)
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		var weights int64
		for _, p := range QuantWeights(m) {
			weights += int64(p.Len())
		}
		if wl.Weights() != weights || len(wl.Layers) != len(QuantWeights(m)) {
			t.Fatalf("%s: workload has %d layers / %d weights, the model %d / %d", arch, len(wl.Layers), wl.Weights(), len(QuantWeights(m)), weights)
		}
		if arch == "resnet20" {
			// ResNet-20 per 32×32 image: conv1 16·3·9·1024 = 442,368;
			// layer1 6·16·16·9·1024 = 14,155,776; layer2 32·16·9·256 +
			// 5·32·32·9·256 + 1×1 32·16·256 = 13,107,200; layer3 64·32·9·64 +
			// 5·64·64·9·64 + 64·32·64 = 13,107,200; fc 640: 40,813,184.
			if macs := wl.MACs(); macs != 40_813_184 {
				t.Fatalf("resnet20 MACs = %d", macs)
			}
		}
	}
}
