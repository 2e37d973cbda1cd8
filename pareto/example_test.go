package pareto_test

import (
	"fmt"

	"cosim/mc/accuracy"
	"cosim/pareto"
	"cosim/results"
)

// The frontier keeps the points no other point beats on both axes: at least
// as accurate and at most as costly.
func ExampleFrontier() {
	pt := func(method string, vddV, energyUJ, acc float64) results.Point {
		return results.Point{Model: "resnet20", Method: method, VddV: vddV, EnergyPJ: energyUJ * 1e6, Stats: accuracy.Stats{AccMean: acc, AccMin: acc, AccMax: acc, CILow: acc, CIHigh: acc, Trials: 1}}
	}
	pts := []results.Point{
		pt("wcat", 0.40, 104, 86.9), pt("wcat", 0.36, 101, 82.7), pt("wcat", 0.80, 132, 87.2),
		pt("normal", 0.40, 104, 83.2), pt("normal", 0.80, 132, 87.4),
	}
	for _, p := range pareto.Frontier(pts) {
		fmt.Printf("%-6s %.2f V %5.1f µJ %.1f%%\n", p.Method, p.VddV, p.EnergyPJ/1e6, p.AccMean)
	}
	// Output:
	// wcat   0.36 V 101.0 µJ 82.7%
	// wcat   0.40 V 104.0 µJ 86.9%
	// normal 0.80 V 132.0 µJ 87.4%
}
