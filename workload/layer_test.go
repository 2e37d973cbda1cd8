package workload

import (
	"strings"
	"testing"
)

func TestLayerShapes(t *testing.T) {
	cases := []struct {
		name                   string
		l                      Layer
		p, q                   int
		macs, weights, in, out int64
	}{
		// 3×3/1 pad 1 keeps 32×32: MACs = 16·16·9·32·32 = 2,359,296.
		{"resnet 3x3", Conv("c", 1, 16, 32, 32, 16, 3, 3, 1, 1, 4), 32, 32, 2359296, 2304, 16384, 16384},
		// 3×3/2 pad 1 on 32×32: ⌊(32+2−3)/2⌋+1 = 16.
		{"resnet 3x3 stride 2", Conv("c", 1, 16, 32, 32, 32, 3, 3, 2, 1, 4), 16, 16, 1179648, 4608, 16384, 8192},
		// 1×1/2 pad 0 on 32×32: ⌊(32−1)/2⌋+1 = 16.
		{"1x1 stride 2", Conv("c", 1, 16, 32, 32, 32, 1, 1, 2, 0, 4), 16, 16, 131072, 512, 16384, 8192},
		// 5×5 valid on 28×28, batch 2: 24×24, MACs = 2·6·1·25·576 = 172,800.
		{"lenet batch 2", Conv("c", 2, 1, 28, 28, 6, 5, 5, 1, 0, 8), 24, 24, 172800, 150, 1568, 6912},
		{"fc", FC("f", 1, 784, 100, 4), 1, 1, 78400, 78400, 784, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.l.Validate(); err != nil {
				t.Fatal(err)
			}
			if c.l.P != c.p || c.l.Q != c.q || c.l.MACs() != c.macs || c.l.Weights() != c.weights ||
				c.l.Inputs() != c.in || c.l.Outputs() != c.out {
				t.Errorf("P %d Q %d MACs %d weights %d in %d out %d", c.l.P, c.l.Q, c.l.MACs(), c.l.Weights(), c.l.Inputs(), c.l.Outputs())
			}
		})
	}
}

func TestLayerValidate(t *testing.T) {
	ok := Conv("c", 1, 3, 8, 8, 4, 3, 3, 1, 1, 4)
	cases := []struct {
		name string
		edit func(*Layer)
		want string
	}{
		{"no name", func(l *Layer) { l.Name = "" }, "accel: layer without a name"},
		{"kind", func(l *Layer) { l.Kind = "pool" }, `accel: layer "c": unknown kind "pool" (want conv or fc)`},
		{"zero channels", func(l *Layer) { l.C = 0 }, `accel: layer "c": C = 0, must be ≥ 1`},
		{"P inconsistent", func(l *Layer) { l.P = 7 }, `accel: layer "c": P = 7, but H = 8, R = 3, stride 1, padding 1 give 8`},
		{"Q inconsistent", func(l *Layer) { l.Stride = 2; l.P = 4 }, `accel: layer "c": Q = 8, but W = 8, S = 3, stride 2, padding 1 give 4`},
		{"padding too large", func(l *Layer) { l.Padding = 2 }, `accel: layer "c": padding 2 outside 0..min(R, S)/2 for a 3×3 filter`},
		{"filter larger than input", func(l *Layer) { *l = Conv("c", 1, 3, 2, 2, 4, 5, 5, 1, 0, 4) }, `accel: layer "c": P = 0, must be ≥ 1`},
		{"weight bits", func(l *Layer) { l.WeightBits = 0 }, `accel: layer "c": WeightBits = 0 outside 1..32`},
		{"ifmap zeros negative", func(l *Layer) { l.IfmapZeroFrac = -0.1 }, `accel: layer "c": IfmapZeroFrac = -0.1 outside [0, 1)`},
		{"ifmap all zeros", func(l *Layer) { l.IfmapZeroFrac = 1 }, `accel: layer "c": IfmapZeroFrac = 1 outside [0, 1)`},
		{"fc with a filter", func(l *Layer) { *l = FC("c", 1, 4, 4, 4); l.Kind = KindFC; l.R, l.H = 3, 3 }, `accel: layer "c": an fc layer has R = S = H = W = P = Q = 1, stride 1, padding 0`},
		{"overflow", func(l *Layer) { l.N, l.C, l.K = 1<<20, 1<<20, 1<<20 }, `accel: layer "c": dimensions too large (product above 2^56)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := ok
			c.edit(&l)
			err := l.Validate()
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
	if err := ok.Validate(); err != nil {
		t.Error(err)
	}
}

func TestWorkloadValidate(t *testing.T) {
	w := Workload{Name: "mlp", Layers: []Layer{FC("fc1", 1, 784, 100, 4), FC("fc2", 1, 100, 10, 4)}}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	if w.MACs() != 79400 || w.Weights() != 79400 {
		t.Errorf("MACs %d weights %d", w.MACs(), w.Weights())
	}
	dup := Workload{Name: "d", Layers: []Layer{FC("x", 1, 2, 2, 4), FC("x", 1, 2, 2, 4)}}
	if err := dup.Validate(); err == nil || !strings.Contains(err.Error(), `two layers named "x"`) {
		t.Errorf("duplicate names: %v", err)
	}
	if err := (Workload{Name: "e"}).Validate(); err == nil {
		t.Error("empty workload accepted")
	}
}
