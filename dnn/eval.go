package dnn

// Evaluate returns the number of images of d that m classifies correctly,
// in batches of batch images (inference mode).
func Evaluate(m Model, d *Dataset, batch int) int {
	var (
		x      []float32
		labels []uint8
		idx    = make([]int, 0, batch)
	)
	correct := 0
	for start := 0; start < d.Len(); start += batch {
		idx = idx[:0]
		for i := start; i < min(start+batch, d.Len()); i++ {
			idx = append(idx, i)
		}
		x, labels = d.Batch(idx, x, labels, nil)
		logits := m.Forward(x, len(idx), false)
		correct += Correct(logits, labels, m.Classes())
	}
	return correct
}
