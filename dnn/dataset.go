package dnn

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
)

// Dataset is a labelled image set held in memory as 8-bit pixels laid out
// [N][C][H][W], with the per-channel normalisation applied when batches are
// built: x = (pixel/255 − Mean[c]) / Std[c].
type Dataset struct {
	Name    string
	C, H, W int
	Classes int
	Pixels  []uint8
	Labels  []uint8
	Mean    []float32
	Std     []float32
}

// Len is the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// ImageSize is C·H·W.
func (d *Dataset) ImageSize() int { return d.C * d.H * d.W }

// Validate checks that sizes and labels are consistent.
func (d *Dataset) Validate() error {
	if d.C <= 0 || d.H <= 0 || d.W <= 0 {
		return fmt.Errorf("dataset %s: bad image shape %dx%dx%d", d.Name, d.C, d.H, d.W)
	}
	if len(d.Pixels) != d.Len()*d.ImageSize() {
		return fmt.Errorf("dataset %s: %d pixel bytes for %d images of %d", d.Name, len(d.Pixels), d.Len(), d.ImageSize())
	}
	if len(d.Mean) != d.C || len(d.Std) != d.C {
		return fmt.Errorf("dataset %s: normalisation has %d means and %d stds for %d channels", d.Name, len(d.Mean), len(d.Std), d.C)
	}
	for i, l := range d.Labels {
		if int(l) >= d.Classes {
			return fmt.Errorf("dataset %s: image %d has label %d, want < %d", d.Name, i, l, d.Classes)
		}
	}
	return nil
}

// Subset returns the images at idx (copied) as a new data set.
func (d *Dataset) Subset(name string, idx []int) *Dataset {
	s := *d
	s.Name = name
	sz := d.ImageSize()
	s.Pixels = make([]uint8, len(idx)*sz)
	s.Labels = make([]uint8, len(idx))
	for i, j := range idx {
		copy(s.Pixels[i*sz:(i+1)*sz], d.Pixels[j*sz:(j+1)*sz])
		s.Labels[i] = d.Labels[j]
	}
	return &s
}

// Batch writes the normalised images idx into x ([len(idx)][C][H][W]) and
// their labels into labels; both are grown as needed and returned. With aug
// non-nil it applies the CIFAR training augmentation on the 8-bit pixels,
// in torchvision's order: a random horizontal flip (probability ½), then a
// random crop of the image zero-padded by 4 pixels on each side
// (RandomHorizontalFlip, RandomCrop(32, padding=4), then normalisation, so
// padding is black, not the mean). Each image draws its flip and then its
// vertical and horizontal offsets from aug.
func (d *Dataset) Batch(idx []int, x []float32, labels []uint8, aug *rand.Rand) ([]float32, []uint8) {
	const pad = 4
	sz, hw := d.ImageSize(), d.H*d.W
	x = grow(x, len(idx)*sz)
	if cap(labels) >= len(idx) {
		labels = labels[:len(idx)]
	} else {
		labels = make([]uint8, len(idx))
	}
	luts := make([][256]float32, d.C)
	for c := range luts {
		for v := range luts[c] {
			luts[c][v] = (float32(v)/255 - d.Mean[c]) / d.Std[c]
		}
	}
	for i, j := range idx {
		flip, dy, dx := false, 0, 0
		if aug != nil {
			flip = aug.IntN(2) == 1
			dy, dx = aug.IntN(2*pad+1)-pad, aug.IntN(2*pad+1)-pad
		}
		for c := 0; c < d.C; c++ {
			lut := &luts[c]
			src := d.Pixels[j*sz+c*hw : j*sz+(c+1)*hw]
			dst := x[i*sz+c*hw : i*sz+(c+1)*hw]
			if aug == nil {
				for k, p := range src {
					dst[k] = lut[p]
				}
				continue
			}
			for y := 0; y < d.H; y++ {
				for xx := 0; xx < d.W; xx++ {
					sy, sx := y+dy, xx+dx
					v := lut[0]
					if sy >= 0 && sy < d.H && sx >= 0 && sx < d.W {
						if flip {
							sx = d.W - 1 - sx
						}
						v = lut[src[sy*d.W+sx]]
					}
					dst[y*d.W+xx] = v
				}
			}
		}
		labels[i] = d.Labels[j]
	}
	return x, labels
}

// Hash is the SHA-256 of the labels and pixels, identifying the data a model
// was trained or evaluated on.
func (d *Dataset) Hash() string {
	h := sha256.New()
	h.Write(d.Labels)
	h.Write(d.Pixels)
	return hex.EncodeToString(h.Sum(nil))
}
