package dnn

import (
	"testing"

	"cosim/internal/seed"
)

// TestPrefixForwardFrom: after a change to any one weight tensor,
// ForwardFrom gives bit for bit the logits of Forward, for every tensor of
// networks with residual, downsample, max-pool and linear steps, on every
// thread count, with a batch that is not a multiple of the lane width; and
// the recorded prefix stays valid across tries of later tensors.
func TestPrefixForwardFrom(t *testing.T) {
	r := seed.Stream(72)
	for _, tc := range []struct {
		name string
		m    Model
		n    int
	}{
		{"tiny-resnet20", tinyResNet20(r), 21},
		{"tiny-resnet18", tinyResNet18(r), 17},
		{"mlp", NewMLP(1, 6, 6, []int{20, 12}, 5, r), 33},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trainedLike(tc.m, r)
			x, _ := randomImages(tc.m, tc.n, r)
			e, err := Compile(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			for _, threads := range []int{1, 3} {
				e.SetThreads(threads)
				var p Prefix
				clean := append([]float32(nil), e.Record(&p, x, tc.n)...)
				if i, ok := sameFloats(clean, e.Forward(x, tc.n)); !ok {
					t.Fatalf("Record's logits differ from Forward's at %d", i)
				}
				if p.Len() != tc.n {
					t.Fatalf("Len %d, want %d", p.Len(), tc.n)
				}
				for i := range e.NumWeights() {
					// Ten entries, so that a ReLU cannot hide the change.
					js := make([]int, 10)
					olds := make([]float32, len(js))
					for k := range js {
						js[k] = r.IntN(e.WeightLen(i))
						olds[k] = e.Weight(i, js[k])
						e.SetWeight(i, js[k], olds[k]*-3+0.5)
					}
					want := append([]float32(nil), e.Forward(x, tc.n)...)
					if _, same := sameFloats(want, clean); same {
						t.Fatalf("tensor %d: the change did not move the logits", i)
					}
					if k, ok := sameFloats(e.ForwardFrom(&p, i), want); !ok {
						t.Fatalf("threads %d, tensor %d (%s): ForwardFrom differs from Forward at %d", threads, i, e.WeightName(i), k)
					}
					for k := len(js) - 1; k >= 0; k-- {
						e.SetWeight(i, js[k], olds[k])
					}
					if k, ok := sameFloats(e.ForwardFrom(&p, i), clean); !ok {
						t.Fatalf("threads %d, tensor %d: ForwardFrom after restoring differs at %d", threads, i, k)
					}
				}
			}
		})
	}
}

// TestPrefixAfterRecord: a Prefix recorded again after a change serves
// the new weights.
func TestPrefixAfterRecord(t *testing.T) {
	r := seed.Stream(73)
	m := tinyResNet20(r)
	trainedLike(m, r)
	x, _ := randomImages(m, 18, r)
	e, err := Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	var p Prefix
	e.Record(&p, x, 18)
	e.SetWeight(0, 5, 7)
	e.Record(&p, x, 18)
	last := e.NumWeights() - 1
	e.SetWeight(last, 1, -4)
	want := append([]float32(nil), e.Forward(x, 18)...)
	if k, ok := sameFloats(e.ForwardFrom(&p, last), want); !ok {
		t.Fatalf("ForwardFrom after a second Record differs from Forward at %d", k)
	}
}
