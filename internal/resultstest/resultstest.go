// Package resultstest holds a synthetic results.Report for the tests of the packages that read,
// rank and render reports.
package resultstest

import (
	"math"
	"slices"

	"cosim/mc/accuracy"
	"cosim/results"
)

// PaperBER is the BER model of the WCAT paper, appendix C: min(exp(a + bV), 0.5) with
// a = 22.12, b = -68.14 (c = 0). The fixture uses it so that its (V, BER) pairs are the ones
// the sweep would produce; the report packages never compute a BER.
func PaperBER(vddV float64) float64 { return math.Min(math.Exp(22.12-68.14*vddV), 0.5) }

// Sample is a synthetic sweep used by the golden, round-trip and browser tests. The
// accuracies and energies are made up for the test (shaped like a real sweep: accuracy falls as V
// drops, dynamic energy scales with V²/0.8²); they are not results.
func Sample() results.Report {
	volts := []float64{0.8, 0.5, 0.48, 0.46, 0.44, 0.42, 0.40}
	type model struct {
		name, method string
		fixedPJ      float64 // energy that does not scale with the weight-memory voltage
		weightPJ     float64 // weight-memory energy at 0.8 V
		acc          []float64
		spread       float64
		protocol     string
		images       int
	}
	models := []model{
		{"resnet20", "normal", 21.5e6, 14.0e6, []float64{91.6, 91.5, 91.2, 90.1, 86.3, 71.9, 38.4}, 0.4, "subset", 1000},
		{"resnet20", "wcat", 21.5e6, 14.0e6, []float64{91.3, 91.3, 91.2, 91.0, 90.4, 88.9, 84.7}, 0.2, "subset", 1000},
		{"resnet32", "wcat", 34.8e6, 23.9e6, []float64{92.4, 92.4, 92.3, 92.0, 91.3, 89.6, 85.0}, 0.25, "reference", 10000},
	}
	r := results.Report{
		Title: "ResNet on CIFAR-10, Eyeriss-like, weight SRAM voltage sweep",
		Arch:  "eyeriss",
		Notes: []string{
			"Synthetic test fixture (not simulation results).",
			"BER model: exp(22.12 − 68.14·V), WCAT paper appendix C.",
			"Monte Carlo: 50 trials per point, seed 1337.",
		},
	}
	for _, v := range volts {
		r.BERCurve = append(r.BERCurve, results.BERPoint{VddV: v, BER: PaperBER(v)})
	}
	r.BERCurve = append(r.BERCurve, results.BERPoint{VddV: 0.38, BER: PaperBER(0.38)})
	for _, m := range models {
		for i, v := range volts {
			ber := PaperBER(v)
			trials := 50
			spread := m.spread * float64(i)
			if i == 0 {
				ber, trials, spread = 0, 1, 0 // clean evaluation at nominal voltage: one trial
			}
			acc := m.acc[i]
			half := 1.96 * spread / math.Sqrt(float64(trials))
			if trials == 1 {
				half = 0
			}
			r.Points = append(r.Points, results.Point{
				Model: m.name, Method: m.method, VddV: v, BER: ber,
				EnergyPJ: m.fixedPJ + m.weightPJ*v*v/(0.8*0.8),
				Stats: accuracy.Stats{AccMean: acc, AccStd: spread, AccMin: acc - 2*spread, AccMax: acc + 1.5*spread,
					CILow: acc - half, CIHigh: acc + half, Trials: trials, Protocol: m.protocol, Images: m.images},
			})
		}
	}
	r.Breakdowns = []results.Breakdown{{
		Model: "resnet20", VddV: 0.44, Label: "lowest-energy frontier point",
		Components: []results.Share{{Name: "DRAM", PJ: 12.1e6}, {Name: "global buffer", PJ: 4.2e6}, {Name: "weight SRAM", PJ: 4.25e6}, {Name: "spads", PJ: 3.9e6}, {Name: "MAC", PJ: 1.3e6}},
		Layers: []results.Share{{Name: "conv1", PJ: 0.9e6}, {Name: "layer1.0.conv1", PJ: 1.6e6}, {Name: "layer1.0.conv2", PJ: 1.6e6},
			{Name: "layer2.0.conv1", PJ: 1.1e6}, {Name: "layer3.2.conv2", PJ: 1.4e6}, {Name: "fc", PJ: 0.05e6}},
	}}
	// A generic curve shaped like figure 10b of the WCAT paper (α* falls as BER rises); the
	// numbers are made up. BER = 0 cannot sit on the logarithmic x axis: 4 points are left out.
	bers := []float64{0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1}
	r.Curves = []results.Curve{{
		ID: "alpha", Title: "Clip range α* vs bit error rate (synthetic)",
		Caption: "Expected-MSE-optimal α* for 4-bit weights, in units of the weights' standard deviation.",
		XLabel:  "bit error rate", YLabel: "α* / σ", LogX: true,
		Series: []results.Series{
			{Name: "uniform", X: slices.Clone(bers), Y: []float64{1.73, 1.72, 1.70, 1.61, 1.35, 0.92}},
			{Name: "normal", X: slices.Clone(bers), Y: []float64{2.51, 2.49, 2.40, 2.12, 1.66, 1.05}},
			{Name: "laplace", X: slices.Clone(bers), Y: []float64{3.12, 3.06, 2.88, 2.41, 1.80, 1.10}},
			{Name: "student-t", X: slices.Clone(bers), Y: []float64{3.40, 3.31, 3.07, 2.52, 1.84, 1.11}},
		},
	}}
	return r
}

// Chips is a hand-made chip sweep of one model: 4 chips at 0.4, 0.5
// and 0.6 V, nominal 0.8 V at 100 pJ.
//
//	chip   0.4  0.5  0.6   V_min at target 80
//	  0     70   88   90   0.5
//	  1     85   79   90   0.6 (passes at 0.4, but not at 0.5 above it)
//	  2     90   90   90   0.4
//	  3     86   87   90   0.4
func Chips() results.Report {
	accs := map[float64][]float64{0.4: {70, 85, 90, 86}, 0.5: {88, 79, 90, 87}, 0.6: {90, 90, 90, 90}}
	energy := map[float64]float64{0.4: 60, 0.5: 70, 0.6: 80}
	r := results.Report{Title: "chips", Nominal: []results.NominalEnergy{{Model: "net", Method: "wcat", VddV: 0.8, EnergyPJ: 100}}}
	for _, v := range []float64{0.6, 0.4, 0.5} { // any order
		a := accs[v]
		mean := (a[0] + a[1] + a[2] + a[3]) / 4
		r.Points = append(r.Points, results.Point{Model: "net", Method: "wcat", VddV: v, BER: 0.01, EnergyPJ: energy[v], ChipAccs: a, Stats: accuracy.Stats{AccMean: mean, AccMin: slices.Min(a), AccMax: slices.Max(a), CILow: mean, CIHigh: mean, Trials: 4}})
	}
	return r
}
