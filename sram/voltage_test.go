package sram

import (
	"math"
	"testing"
)

// Worked values at 0.4 V with V_nom = 0.8 V (r = 0.5).
func TestEnergyModelsAtHalfVoltage(t *testing.T) {
	phys := EnergyModel{Kind: Physical, SubthresholdShare: 0.9, Exponent: 5}
	for _, c := range []struct {
		m         EnergyModel
		dyn, leak float64
	}{
		{EnergyModel{Kind: Paper}, 0.25, 0.25},
		{EnergyModel{}, 0.25, 0.25}, // the zero value is the paper's model
		{EnergyModel{Kind: DynamicOnly}, 0.25, 1},
		// 0.9·0.5⁵ + 0.1·0.5 = 0.028125 + 0.05
		{phys, 0.25, 0.078125},
		// 22 nm: k = 3, s = 0.5: 0.5·0.125 + 0.5·0.5
		{EnergyModel{Kind: Physical, SubthresholdShare: 0.5, Exponent: SubthresholdExponent(22)}, 0.25, 0.3125},
	} {
		if d, l := c.m.DynamicFactor(0.4, 0.8), c.m.LeakageFactor(0.4, 0.8); math.Abs(d-c.dyn) > 1e-15 || math.Abs(l-c.leak) > 1e-15 {
			t.Errorf("%v: factors %v, %v; want %v, %v", c.m, d, l, c.dyn, c.leak)
		}
		if c.m.LeakageFactor(0.8, 0.8) != 1 || c.m.DynamicFactor(0.8, 0.8) != 1 {
			t.Errorf("%v: not 1 at V_nom", c.m)
		}
	}
	if SubthresholdExponent(65) != 5 || SubthresholdExponent(45) != 5 || SubthresholdExponent(32) != 3 || SubthresholdExponent(22) != 3 {
		t.Error("node exponents")
	}
	for _, bad := range []EnergyModel{{Kind: "quadratic"}, {Kind: Physical, SubthresholdShare: 1.2, Exponent: 3}, {Kind: Physical, SubthresholdShare: 0.5}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestFitLeakageRecoversModel(t *testing.T) {
	const l0, s, k, vnom = 23.0, 0.8, 4.0, 0.8
	var pts []LeakagePoint
	for _, v := range []float64{0.4, 0.5, 0.6, 0.7, 0.8, 0.9} {
		pts = append(pts, LeakagePoint{v, l0 * leakageShape(s, k, v/vnom)})
	}
	fit, err := FitLeakage(pts, vnom)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fit.NominalMW-l0) > 1e-3 || math.Abs(fit.SubthresholdShare-s) > 1e-3 || math.Abs(fit.Exponent-k) > 1e-2 || fit.RMSLog > 1e-5 {
		t.Fatalf("fit %+v, want L_nom %v, s %v, k %v", fit, l0, s, k)
	}
	for _, bad := range [][]LeakagePoint{
		{{0.8, 1}, {0.7, 0.5}},
		{{0.8, 1}, {0.8, 1.1}, {0.7, 0.5}},
		{{0.8, 1}, {0.7, -0.5}, {0.6, 0.3}},
		{{0.8, math.NaN()}, {0.7, 0.5}, {0.6, 0.3}},
	} {
		if _, err := FitLeakage(bad, vnom); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestCACTISubthresholdShare(t *testing.T) {
	est, err := CACTI(65, LOP, 512<<10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if !(est.SubthresholdMW > 0 && est.SubthresholdMW < est.LeakageMW) {
		t.Fatalf("65 nm LOP 512 KiB: subthreshold %v of %v mW", est.SubthresholdMW, est.LeakageMW)
	}
}
