package dnn

// Evaluate returns the number of images of d that m classifies correctly,
// in batches of batch images (inference mode).
func Evaluate(m Model, d *Dataset, batch int) int {
	return countCorrect(d, batch, m.Classes(), func(x []float32, n int) []float32 { return m.Forward(x, n, false) })
}

// countCorrect runs forward on d in batches of batch images and counts the
// images whose largest logit is their label.
func countCorrect(d *Dataset, batch, classes int, forward func(x []float32, n int) []float32) int {
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
		correct += Correct(forward(x, len(idx)), labels, classes)
	}
	return correct
}
