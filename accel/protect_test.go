package accel_test

import (
	"math"
	"strings"
	"testing"

	"cosim/accel"
	"cosim/accel/eyeriss"
	"cosim/arch"
	"cosim/ecc"
	"cosim/workload"
)

// TestProtectionEnergy prices ResNet-20 on eyeriss-onchip under every
// protection and checks each added component against the weight memory
// it protects, at the nominal voltage and at a scaled one.
func TestProtectionEnergy(t *testing.T) {
	spec, err := arch.Resolve("eyeriss-onchip")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := eyeriss.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	w, err := workload.BuiltinWorkload("resnet20", 1, 8)
	if err != nil {
		t.Fatal(err)
	}
	base, err := accel.PriceWith(acc, w, ecc.Protection{})
	if err != nil {
		t.Fatal(err)
	}
	find := func(b accel.Breakdown, name string) accel.ComponentEnergy {
		for _, c := range b.Components {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no component %s", name)
		return accel.ComponentEnergy{}
	}
	close := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("%s = %.6g pJ, want %.6g", what, got, want)
		}
	}
	for _, v := range []float64{0.8, 0.6} {
		b := base.At(v)
		mem := find(b, "weight_sram")
		for _, s := range []string{"secded", "zero-space", "msb:0.5"} {
			p, _ := ecc.ParseProtection(s)
			r, err := accel.PriceWith(acc, w, p)
			if err != nil {
				t.Fatal(err)
			}
			pb := r.At(v)
			switch p.Scheme {
			case ecc.SECDED:
				close(s+" check bits", find(pb, "weight_sram.ecc-check-bits").TotalPJ, mem.TotalPJ/8)
				codec := find(pb, "weight_sram.ecc-codec")
				close(s+" codec", codec.TotalPJ, float64(mem.Access.Reads)*1.05+float64(mem.Access.Writes+mem.Access.Updates)*0.29)
				close(s+" total", pb.TotalPJ, b.TotalPJ+mem.TotalPJ/8+codec.TotalPJ)
			case ecc.ZeroSpace:
				codec := find(pb, "weight_sram.ecc-codec")
				close(s+" codec", codec.TotalPJ, float64(mem.Access.Reads)*0.96)
				close(s+" total", pb.TotalPJ, b.TotalPJ+codec.TotalPJ)
			case ecc.MSB:
				// 8-bit codes, 64-bit words: the MSBs of 4 codes per word, 4/64 of the bits.
				rel, scaled := find(pb, "weight_sram.msb-reliable"), find(pb, "weight_sram")
				close(s+" scaled part", scaled.TotalPJ, mem.TotalPJ*60/64)
				nominal := find(base.At(0.8), "weight_sram").TotalPJ
				close(s+" reliable part", rel.TotalPJ, nominal*4/64)
			}
		}
	}
	w4, _ := workload.BuiltinWorkload("resnet20", 1, 3)
	if _, err := accel.PriceWith(acc, w4, ecc.Protection{Scheme: ecc.ZeroSpace}); err == nil || !strings.Contains(err.Error(), "3-bit") {
		t.Errorf("zero-space with 3-bit weights: %v", err)
	}
}
