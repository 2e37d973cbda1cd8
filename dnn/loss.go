package dnn

import "math"

// SoftmaxCrossEntropy returns the mean cross-entropy of logits [n][classes]
// against labels, and writes dLoss/dLogits into dlogits (which may be nil).
func SoftmaxCrossEntropy(logits []float32, labels []uint8, classes int, dlogits []float32) float64 {
	n := len(labels)
	var loss float64
	for i := 0; i < n; i++ {
		row := logits[i*classes : (i+1)*classes]
		mx := row[0]
		for _, v := range row[1:] {
			if v > mx {
				mx = v
			}
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v - mx))
		}
		lse := float64(mx) + math.Log(sum)
		loss += lse - float64(row[labels[i]])
		if dlogits != nil {
			d := dlogits[i*classes : (i+1)*classes]
			for j, v := range row {
				d[j] = float32(math.Exp(float64(v)-lse) / float64(n))
			}
			d[labels[i]] -= 1 / float32(n)
		}
	}
	return loss / float64(n)
}

// Correct counts the rows of logits whose arg-max (first on ties) equals the label.
func Correct(logits []float32, labels []uint8, classes int) int {
	c := 0
	for i, lab := range labels {
		row := logits[i*classes : (i+1)*classes]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == int(lab) {
			c++
		}
	}
	return c
}
