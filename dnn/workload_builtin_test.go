package dnn_test

import (
	"reflect"
	"testing"

	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/workload"
)

// TestBuiltinResNetsMatchDNN checks that the built-in ResNets are exactly
// the layer shapes, names and order package dnn derives from its networks.
func TestBuiltinResNetsMatchDNN(t *testing.T) {
	for _, name := range []string{"resnet20", "resnet32", "resnet44", "resnet56", "resnet18"} {
		c, h, w := 3, 32, 32
		classes := 10
		if name == "resnet18" {
			h, w, classes = 224, 224, 1000
		}
		m, err := dnn.Build(name, c, h, w, classes, seed.Stream(1))
		if err != nil {
			t.Fatal(err)
		}
		want, err := dnn.Workload(m, 2, 4)
		if err != nil {
			t.Fatal(err)
		}
		got, err := workload.BuiltinWorkload(name, 2, 4)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: built-in and dnn workloads differ", name)
			for i := range min(len(got.Layers), len(want.Layers)) {
				if got.Layers[i] != want.Layers[i] {
					t.Errorf("  layer %d: %+v\n  dnn:      %+v", i, got.Layers[i], want.Layers[i])
				}
			}
		}
	}
}
