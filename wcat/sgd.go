package wcat

import (
	"fmt"

	"cosim/dnn"
)

// SGD is stochastic gradient descent with (Nesterov) momentum and
// per-parameter weight decay, with PyTorch's update rule:
//
//	g ← grad + wd·p;  v ← μ·v + g (v ← g at the first step);
//	g ← g + μ·v (Nesterov) or g ← v;  p ← p − lr·g.
type SGD struct {
	Momentum float64
	Nesterov bool
	// Velocity holds the momentum buffers, one per parameter (nil before the
	// first step of that parameter).
	Velocity [][]float32
}

// Step updates params in place with learning rate lr; decay(p) gives each
// parameter's weight decay.
func (o *SGD) Step(params []*dnn.Param, lr float64, decay func(*dnn.Param) float64) {
	if o.Velocity == nil {
		o.Velocity = make([][]float32, len(params))
	}
	mu := float32(o.Momentum)
	for k, p := range params {
		wd := float32(decay(p))
		x, g := p.Data(), p.Grad
		v := o.Velocity[k]
		first := v == nil
		if first {
			v = make([]float32, len(x))
			o.Velocity[k] = v
		}
		for i := range x {
			gi := g[i] + wd*x[i]
			if mu != 0 {
				if first {
					v[i] = gi
				} else {
					v[i] = mu*v[i] + gi
				}
				if o.Nesterov {
					gi += mu * v[i]
				} else {
					gi = v[i]
				}
			}
			x[i] -= float32(lr) * gi
		}
	}
}

// checkState verifies that restored momentum buffers fit params.
func (o *SGD) checkState(params []*dnn.Param) error {
	if o.Velocity == nil {
		return nil
	}
	if len(o.Velocity) != len(params) {
		return fmt.Errorf("optimizer state has %d buffers for %d parameters", len(o.Velocity), len(params))
	}
	for k, p := range params {
		if v := o.Velocity[k]; v != nil && len(v) != p.Len() {
			return fmt.Errorf("optimizer buffer %d has %d values for %s of %d", k, len(v), p.Name, p.Len())
		}
	}
	return nil
}
