package sweep

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cosim/accel"
	"cosim/accel/eyeriss"
	"cosim/arch"
	"cosim/dnn"
	"cosim/internal/seed"
	"cosim/internal/testenv"
	"cosim/mc"
	"cosim/results"
	"cosim/wcat"
	"cosim/workload"
)

func TestVoltages(t *testing.T) {
	vs, err := Voltages(0.30, 0.80, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 51 || vs[0] != 0.30 || vs[50] != 0.80 || vs[17] != 0.47 {
		t.Fatalf("grid %v", vs)
	}
	for _, c := range [][3]float64{{0, 1, 0.1}, {0.8, 0.3, 0.1}, {0.3, 0.8, 0}, {0.3, 0.8, -1}} {
		if _, err := Voltages(c[0], c[1], c[2]); err == nil {
			t.Errorf("Voltages%v accepted", c)
		}
	}
}

func builtinYAML(t *testing.T, edit func(string) string) *arch.Spec {
	t.Helper()
	s, err := arch.Builtin("eyeriss-onchip")
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return s
	}
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "arch", "specs", "eyeriss-onchip.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err = arch.Parse("edited.yaml", []byte(edit(string(raw))))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tiny trains a 16-8-2 MLP on a synthetic task (no data files needed).
func tiny(t *testing.T, method wcat.Method) (*wcat.Model, *dnn.Dataset) {
	t.Helper()
	m, d, err := toy(method)
	if err != nil {
		t.Fatal(err)
	}
	return m, d
}

// toy trains a 16-8-2 MLP with 4-bit weights on a synthetic two-class task
// of 4×4 images.
func toy(method wcat.Method) (*wcat.Model, *dnn.Dataset, error) {
	r := seed.Stream(1)
	d := &dnn.Dataset{Name: "synthetic", C: 1, H: 4, W: 4, Classes: 2, Mean: []float32{0.5}, Std: []float32{0.25}}
	for i := 0; i < 400; i++ {
		lab := uint8(i % 2)
		for j := 0; j < 16; j++ {
			v := 48 + r.IntN(128)
			if (j < 8) == (lab == 1) {
				v += 24
			}
			d.Pixels = append(d.Pixels, uint8(v))
		}
		d.Labels = append(d.Labels, lab)
	}
	m, err := wcat.New(dnn.NewMLP(1, 4, 4, []int{8}, 2, seed.Stream(2)), wcat.Config{Method: method, Bits: 4, Grid: wcat.GridReference})
	if err != nil {
		return nil, nil, err
	}
	rec := wcat.MNISTRecipe()
	rec.Epochs, rec.BatchSize = 5, 20
	if _, err := wcat.Train(context.Background(), m, d, rec, wcat.Options{}); err != nil {
		return nil, nil, err
	}
	return m, d, nil
}

func TestRun(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	n, _ := tiny(t, wcat.Normal)
	spec := builtinYAML(t, nil)
	vs := []float64{0.44, 0.32, 0.36, 0.8}
	cfg := Config{Accel: eyerissOf(t, spec), Voltages: vs, MC: mc.Options{Protocol: mc.ProtocolReference, Trials: 4}, Seed: 5, Test: d,
		Models: []Model{{Name: "mlp", Method: "wcat", Q: w}, {Name: "mlp", Method: "normal", Q: n}}}
	var events int
	rep, err := Run(context.Background(), cfg, func(e Event) {
		if e.Point != nil {
			events++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Points) != 8 || events != 8 || len(rep.BERCurve) != 4 || len(rep.Breakdowns) < 2 {
		t.Fatalf("%d points, %d events, %d BER points, %d breakdowns", len(rep.Points), events, len(rep.BERCurve), len(rep.Breakdowns))
	}
	for i, p := range rep.Points[:4] {
		if p.BER != spec.BER.BER(p.VddV) || p.Trials != 4 {
			t.Fatalf("point %+v", p)
		}
		if i > 0 && !(p.VddV > rep.Points[i-1].VddV && p.EnergyPJ > rep.Points[i-1].EnergyPJ) {
			t.Fatalf("points not in voltage order with rising energy: %+v", rep.Points[:4])
		}
	}
	// 0.32 V gives BER 0.5: a coin-flip network; 0.8 V gives no flips at all.
	if p := rep.Points[3]; p.AccMean != p.AccMax || p.AccStd != 0 {
		t.Fatalf("0.8 V point should be the clean accuracy: %+v", p)
	}
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	// Each model's energy at the nominal 0.8 V is recorded for the savings,
	// the energy(V) model of the weight memory is stated, and 0.32 V (BER
	// 0.5) is flagged as noise.
	if len(rep.Nominal) != 2 || rep.Nominal[0].VddV != 0.8 || rep.Nominal[0].EnergyPJ != rep.Points[3].EnergyPJ {
		t.Fatalf("nominal energies %+v (0.8 V point %+v)", rep.Nominal, rep.Points[3])
	}
	notes := strings.Join(rep.Notes, "\n")
	for _, want := range []string{"energy(V) of weight_sram: paper: dynamic and leakage", "warning: 1 swept voltages have BER above 0.1", "savings are against the nominal 0.8 V"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	again, _ := Run(context.Background(), cfg, nil)
	for i := range rep.Points {
		if !reflect.DeepEqual(rep.Points[i], again.Points[i]) {
			t.Fatalf("rerun differs at %d: %+v vs %+v", i, rep.Points[i], again.Points[i])
		}
	}
	cfg.Models[1].Method = "wcat"
	if _, err := Run(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "each (model, method) pair") {
		t.Fatalf("duplicate model accepted: %v", err)
	}
}

// A sweep resumed from its journal after losing its last points gives the
// points of an uninterrupted run, and only computes the missing ones.
func TestResumeFromJournal(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	cfg := Config{Accel: eyerissOf(t, builtinYAML(t, nil)), Voltages: []float64{0.34, 0.38, 0.42}, Seed: 9, Test: d,
		MC: mc.Options{Trials: 20, CIHalfWidth: 2, Subset: 100}, Models: []Model{{Name: "mlp", Method: "wcat", Q: w}}}
	full, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "points.jsonl")
	j, done, err := OpenJournal(path, cfg.Fingerprint(), false)
	if err != nil || len(done) != 0 {
		t.Fatal(err)
	}
	cfg.OnPoint = j.Append
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Run(ctx, cfg, func(e Event) {
		if e.Point != nil && e.Done == 1 {
			cancel() // "Ctrl-C" after the first point
		}
	})
	if err == nil {
		t.Fatal("cancelled sweep returned no error")
	}
	j.Close()
	// A torn line, as a SIGKILL during a write would leave.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"model":"mlp","meth`)
	f.Close()
	if _, _, err := OpenJournal(path, cfg.Fingerprint(), false); err == nil {
		t.Fatal("existing journal reopened without resume")
	}
	other := cfg
	other.Seed++
	if _, _, err := OpenJournal(path, other.Fingerprint(), true); err == nil || !strings.Contains(err.Error(), "sweep.Seed: 9 → 10") {
		t.Fatalf("journal of another configuration: %v", err)
	}
	j, done, err = OpenJournal(path, cfg.Fingerprint(), true)
	if err != nil || len(done) != 1 {
		t.Fatalf("resume: %v, %d points", err, len(done))
	}
	var computed []results.Point
	cfg.Done = done
	cfg.OnPoint = func(p results.Point) error { computed = append(computed, p); return j.Append(p) }
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if len(computed) != 2 {
		t.Fatalf("resumed run computed %d points, want 2", len(computed))
	}
	for i := range full.Points {
		if !reflect.DeepEqual(full.Points[i], res.Points[i]) {
			t.Fatalf("point %d: uninterrupted %+v, resumed %+v", i, full.Points[i], res.Points[i])
		}
	}
	_, all, err := OpenJournal(path, cfg.Fingerprint(), true)
	if err != nil || len(all) != 3 {
		t.Fatalf("journal holds %d points: %v", len(all), err)
	}
}

// Changing the energy(V) model changes every energy, so a journal made
// under another model must not be resumed.
func TestHashCoversEnergyModel(t *testing.T) {
	w, d := tiny(t, wcat.WCAT)
	hash := func(model string) string {
		spec := builtinYAML(t, func(s string) string {
			return strings.Replace(s, "    nominal-v: 0.8\n", "    nominal-v: 0.8\n    energy-model: "+model+"\n", 1)
		})
		cfg := Config{Accel: specOnly{spec}, Voltages: []float64{0.5}, MC: mc.Options{Trials: 1}, Test: d, Models: []Model{{Name: "mlp", Method: "wcat", Q: w}}}
		return cfg.Hash()
	}
	paper, physical, dynOnly := hash("paper"), hash("physical"), hash("dynamic-only")
	if paper == physical || paper == dynOnly || physical == dynOnly {
		t.Fatal("the sweep hash does not depend on the energy(V) model")
	}
}

// eyerissOf is the row-stationary model of s.
func eyerissOf(t *testing.T, s *arch.Spec) accel.Accelerator {
	t.Helper()
	m, err := eyeriss.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// specOnly carries an architecture for fingerprints; it maps no layer.
type specOnly struct{ s *arch.Spec }

func (a specOnly) Name() string     { return "spec only" }
func (a specOnly) Spec() *arch.Spec { return a.s }
func (a specOnly) Map(workload.Layer) (accel.Counts, error) {
	return accel.Counts{}, errors.New("specOnly maps no layer")
}
