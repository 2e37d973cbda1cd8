package workload

import (
	"strings"
	"testing"
)

// TestBuiltinWorkloads checks each built-in layer set against totals from
// the references: MACs and weights (conv and fc weights; no biases or batch
// norm parameters).
func TestBuiltinWorkloads(t *testing.T) {
	cases := []struct {
		name           string
		batch          int
		layers         int
		macs, weights  int64
		first, last    string
		firstP, firstQ int
	}{
		// Eyeriss JSSC 2017 Table V, batch 4: 421.66 + 895.79 + 598.08 + 448.56 + 299.04 MMACs.
		// Weights 96·3·121 + 256·48·25 + 384·256·9 + 384·192·9 + 256·192·9.
		{"alexnet", 4, 5, 421660800 + 895795200 + 598081536 + 448561152 + 299040768, 34848 + 307200 + 884736 + 663552 + 442368, "conv1", "conv5", 55, 55},
		// VGG-16: torchvision's 138,357,544 parameters less 13,416 biases; 15,346,630,656 conv
		// MACs (224² 3→64 … 14² 512→512) + fc 25088·4096 + 4096·4096 + 4096·1000.
		{"vgg16", 1, 16, 15346630656 + 102760448 + 16777216 + 4096000, 138357544 - 13416, "conv1_1", "fc8", 224, 224},
		// ResNet-20: the dnn package's 40,813,184 MACs per 32×32 image; 270,896 weights
		// (432 + 6·2,304 + 4,608 + 5·9,216 + 512 + 18,432 + 5·36,864 + 2,048 + 640).
		{"resnet20", 1, 22, 40813184, 270896, "conv1", "fc", 32, 32},
		// ResNet-32/44/56 add 2 blocks per stage each: 2·(2·2,359,296)·3 MACs, 2·(2·2,304 + 2·9,216 + 2·36,864) weights.
		{"resnet32", 1, 34, 40813184 + 2*14155776, 270896 + 2*96768, "conv1", "fc", 32, 32},
		{"resnet44", 1, 46, 40813184 + 4*14155776, 270896 + 4*96768, "conv1", "fc", 32, 32},
		{"resnet56", 1, 58, 40813184 + 6*14155776, 270896 + 6*96768, "conv1", "fc", 32, 32},
		// ResNet-18: torchvision's 11,689,512 parameters less 9,600 batch-norm parameters and 1,000
		// fc biases; 1,814,073,344 MACs (torchvision's 1.81 GMACs) per 224×224 image.
		{"resnet18", 1, 21, 1814073344, 11689512 - 9600 - 1000, "conv1", "fc", 112, 112},
	}
	if got := strings.Join(BuiltinWorkloadNames(), " "); got != "alexnet resnet18 resnet20 resnet32 resnet44 resnet56 vgg16" {
		t.Errorf("names %s", got)
	}
	for _, c := range cases {
		w, err := BuiltinWorkload(c.name, c.batch, 8)
		if err != nil {
			t.Fatal(err)
		}
		f, l := w.Layers[0], w.Layers[len(w.Layers)-1]
		if w.Name != c.name || len(w.Layers) != c.layers || w.MACs() != c.macs || w.Weights() != c.weights ||
			f.Name != c.first || l.Name != c.last || f.P != c.firstP || f.Q != c.firstQ || (l.Kind == KindFC) != strings.HasPrefix(l.Name, "fc") || f.N != c.batch {
			t.Errorf("%s: %d layers, %d MACs, %d weights, %s %dx%d … %s; want %d, %d, %d, %s %dx%d … %s",
				c.name, len(w.Layers), w.MACs(), w.Weights(), f.Name, f.P, f.Q, l.Name, c.layers, c.macs, c.weights, c.first, c.firstP, c.firstQ, c.last)
		}
		for _, ly := range w.Layers {
			if ly.WeightBits != 8 {
				t.Errorf("%s/%s: %d-bit weights", c.name, ly.Name, ly.WeightBits)
			}
		}
	}
	if _, err := BuiltinWorkload("lenet", 1, 4); err == nil || err.Error() != `accel: no built-in workload "lenet" (built-ins: alexnet, resnet18, resnet20, resnet32, resnet44, resnet56, vgg16)` {
		t.Errorf("unknown: %v", err)
	}
	if _, err := BuiltinWorkload("resnet20", 0, 4); err == nil || err.Error() != `accel: workload "resnet20": batch 0, want ≥ 1` {
		t.Errorf("batch 0: %v", err)
	}
	if _, err := BuiltinWorkload("resnet20", 1, 0); err == nil || !strings.Contains(err.Error(), "WeightBits = 0 outside 1..32") {
		t.Errorf("0-bit weights: %v", err)
	}
}
