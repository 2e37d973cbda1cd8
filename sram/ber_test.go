package sram

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

func TestPaperBER(t *testing.T) {
	m := PaperBER()
	if m != (BERModel{A: 22.12, B: -68.14, C: 0}) {
		t.Fatalf("PaperBER() = %+v, want WCAT appendix C a=22.12 b=-68.14 c=0", m)
	}
	// Hand arithmetic (WCAT eq. 11 with a = 22.12, b = −68.14, c = 0):
	//   0.40 V: 22.12 − 68.14·0.40 = 22.12 − 27.256 = −5.136  → exp(−5.136)  = 5.88116739625e−3
	//   0.50 V: 22.12 − 68.14·0.50 = 22.12 − 34.070 = −11.95  → exp(−11.95)  = 6.45923285705e−6
	//   0.80 V: 22.12 − 68.14·0.80 = 22.12 − 54.512 = −32.392 → exp(−32.392) = 8.5572287614e−15
	//   0.30 V: 22.12 − 68.14·0.30 = 22.12 − 20.442 = +1.678  → exp(1.678) = 5.355 > 0.5 → saturated 0.5
	cases := []struct {
		vddV, want float64
	}{
		{0.40, 5.88116739625123e-3},
		{0.50, 6.45923285705046e-6},
		{0.80, 8.5572287614014e-15},
		{0.30, 0.5},
		{0.0, 0.5},
	}
	for _, c := range cases {
		if got := m.BER(c.vddV); relErr(got, c.want) > 1e-12 {
			t.Errorf("BER(%g V) = %.15g, want %.15g", c.vddV, got, c.want)
		}
	}
	if err := m.Validate(); err != nil {
		t.Errorf("PaperBER().Validate() = %v", err)
	}
}

// bruteRises scans BER on a fine grid over 0..2 V and reports whether it ever
// increases: an independent check of Validate's closed form.
func bruteRises(m BERModel) bool {
	const n = 200000
	prev := m.BER(0)
	for i := 1; i <= n; i++ {
		cur := m.BER(2 * float64(i) / n)
		if cur > prev*(1+1e-12) {
			return true
		}
		prev = cur
	}
	return false
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name    string
		m       BERModel
		wantErr string // "" = valid
	}{
		{"paper", PaperBER(), ""},
		{"curving down, minimum beyond 2 V", BERModel{A: 22, B: -68, C: 1}, ""},
		{"concave", BERModel{A: 10, B: -20, C: -5}, ""},
		{"rising only while saturated", BERModel{A: 10, B: 5, C: -10}, ""},
		{"flat", BERModel{A: -10}, ""},
		{"b > 0", BERModel{A: -30, B: 2}, "increases with supply voltage above 0 V"},
		{"convex, minimum at 1 V", BERModel{A: -5, B: -20, C: 10}, "increases with supply voltage above 1 V"},
		{"concave, rising below 0.05 V", BERModel{A: -5, B: 1, C: -10}, "increases with supply voltage above 0 V"},
		{"NaN a", BERModel{A: math.NaN(), B: -1}, "coefficient a = NaN is not finite"},
		{"Inf c", BERModel{A: 1, B: -1, C: math.Inf(1)}, "coefficient c = +Inf is not finite"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.m.Validate()
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("Validate() = %v, want error containing %q", err, c.wantErr)
			}
			finite := !math.IsNaN(c.m.A+c.m.B+c.m.C) && !math.IsInf(c.m.A+c.m.B+c.m.C, 0)
			if finite && bruteRises(c.m) != (err != nil) {
				t.Errorf("Validate() = %v but grid scan says rises = %v", err, bruteRises(c.m))
			}
		})
	}
}

func TestFitBERExact(t *testing.T) {
	cases := []struct {
		name   string
		truth  BERModel
		linear bool
	}{
		{"paper", PaperBER(), false},
		{"paper linear", PaperBER(), true},
		{"quadratic", BERModel{A: 10, B: -40, C: 8}, false},
		{"concave", BERModel{A: 12, B: -30, C: -6}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var vs, bers []float64
			// 0.20..0.25 V are saturated for these models (BER = 0.5): they must be ignored.
			for v := 0.20; v < 0.905; v += 0.05 {
				vs = append(vs, v)
				bers = append(bers, c.truth.BER(v))
			}
			if bers[0] != 0.5 {
				t.Fatalf("setup: BER(0.20 V) = %g, want saturated points in the data", bers[0])
			}
			fit := FitBER
			if c.linear {
				fit = FitBERLinear
			}
			got, err := fit(vs, bers)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.A-c.truth.A) > 1e-8 || math.Abs(got.B-c.truth.B) > 1e-8 || math.Abs(got.C-c.truth.C) > 1e-8 {
				t.Errorf("fit = %+v, want %+v", got, c.truth)
			}
		})
	}
}

// TestFitBERNoisy fits ln BER + N(0, σ²) noise and requires every coefficient
// within 5 standard errors, the standard errors being the diagonal of the
// least-squares covariance σ²(XᵀX)⁻¹ of the design X = [1, V, V²].
func TestFitBERNoisy(t *testing.T) {
	truth := BERModel{A: 18, B: -55, C: -4}
	const sigma = 0.1
	r := rand.New(rand.NewPCG(1, 2))
	var vs, bers []float64
	for i := 0; i < 60; i++ {
		v := 0.35 + 0.5*float64(i)/59
		vs = append(vs, v)
		bers = append(bers, math.Exp(math.Log(truth.BER(v))+sigma*r.NormFloat64()))
	}
	got, err := FitBER(vs, bers)
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(len(vs), 3, nil)
	for i, v := range vs {
		x.SetRow(i, []float64{1, v, v * v})
	}
	var xtx, cov mat.Dense
	xtx.Mul(x.T(), x)
	if err := cov.Inverse(&xtx); err != nil {
		t.Fatal(err)
	}
	cov.Scale(sigma*sigma, &cov)
	for k, c := range []struct {
		name      string
		got, want float64
	}{{"a", got.A, truth.A}, {"b", got.B, truth.B}, {"c", got.C, truth.C}} {
		se := math.Sqrt(cov.At(k, k))
		if d := math.Abs(c.got - c.want); d > 5*se {
			t.Errorf("%s = %g, want %g ± 5·%g (off by %.1f SE)", c.name, c.got, c.want, se, d/se)
		}
	}
	// The fitted curve itself must track the truth over the data range.
	for _, v := range []float64{0.4, 0.6, 0.8} {
		if d := math.Abs(math.Log(got.BER(v)) - math.Log(truth.BER(v))); d > 0.1 {
			t.Errorf("ln BER(%g V) off by %g", v, d)
		}
	}
}

func TestFitBERErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name    string
		linear  bool
		v, ber  []float64
		wantErr string
	}{
		{"length mismatch", false, []float64{0.4, 0.5}, []float64{1e-3}, "2 voltages but 1 BER values"},
		{"too few usable", false, []float64{0.2, 0.3, 0.5, 0.6}, []float64{0.5, 0.7, 1e-4, 1e-6}, "2 usable points (BER < 0.5) out of 4, need at least 3"},
		{"too few linear", true, []float64{0.5}, []float64{1e-4}, "1 usable points (BER < 0.5) out of 1, need at least 2"},
		{"zero BER", false, []float64{0.4, 0.5, 0.6}, []float64{1e-3, 0, 1e-6}, "point 1 (V = 0.5): BER 0 is not positive"},
		{"negative BER", false, []float64{0.4, 0.5, 0.6}, []float64{1e-3, -1e-5, 1e-6}, "BER -1e-05 is not positive"},
		{"NaN BER", false, []float64{0.4, 0.5, 0.6}, []float64{nan, 1e-5, 1e-6}, "point 0 (V = 0.4): BER NaN is not finite"},
		{"Inf BER", false, []float64{0.4, 0.5, 0.6}, []float64{1e-3, inf, 1e-6}, "BER +Inf is not finite"},
		{"NaN V", false, []float64{0.4, nan, 0.6}, []float64{1e-3, 1e-5, 1e-6}, "point 1: voltage NaN is not finite"},
		{"duplicate voltages", false, []float64{0.4, 0.4, 0.6}, []float64{1e-3, 2e-3, 1e-6}, "singular least-squares system: usable points lie at only 2 distinct voltages, need 3"},
		{"two voltages, many points", false, []float64{0.4, 0.4, 0.6, 0.6}, []float64{1e-3, 2e-3, 1e-6, 2e-6}, "only 2 distinct voltages"},
		{"linear one voltage", true, []float64{0.4, 0.4}, []float64{1e-3, 2e-3}, "only 1 distinct voltages, need 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fit, prefix := FitBER, "sram: FitBER: "
			if c.linear {
				fit, prefix = FitBERLinear, "sram: FitBERLinear: "
			}
			_, err := fit(c.v, c.ber)
			if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want %q…%q", err, prefix, c.wantErr)
			}
		})
	}
}
