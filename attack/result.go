package attack

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"

	"cosim/internal/atomicfile"
	"cosim/report"
	"cosim/results"
)

// Model describes an attacked model in a Result.
type Model struct {
	Name   string   `json:"name"` // as trials name it
	Path   string   `json:"path"`
	Arch   string   `json:"arch"`
	Method string   `json:"method"`
	Bits   int      `json:"bits"`
	Layers []string `json:"layers"` // quantized weight tensors, in order
}

// Result is the outcome of an attack run: the settings, the models and
// every finished trial. It is the JSON file the CLI writes and resumes.
type Result struct {
	Attack   Kind     `json:"attack"`
	Settings Settings `json:"settings"`
	Seed     uint64   `json:"seed"`
	Dataset  string   `json:"dataset"`
	// EvalImages is the size of the evaluation set (BFA: the test images
	// not in the attack batch; T-BFA: the held-out source images).
	EvalImages int       `json:"eval_images"`
	Models     []Model   `json:"models"`
	Trials     []Trial   `json:"trials"`
	Summaries  []Summary `json:"summaries"`
}

// Summary is N_flip over the trials of one model.
type Summary struct {
	Model   string `json:"model"`
	Method  string `json:"method"`
	Trials  int    `json:"trials"`
	Reached int    `json:"reached"` // trials that met the threshold or goal
	// Mean and Std (population, ddof 0, as the WCAT code's statistics),
	// Min and Max of N_flip.
	Mean     float64 `json:"n_flip_mean"`
	Std      float64 `json:"n_flip_std"`
	Min      int     `json:"n_flip_min"`
	Max      int     `json:"n_flip_max"`
	CleanPct float64 `json:"clean_pct_mean"`
	FinalPct float64 `json:"final_pct_mean"`
	OtherPct float64 `json:"other_pct_mean,omitempty"` // T-BFA
}

// Summarise sorts the trials by model order and trial number and fills
// Summaries.
func (r *Result) Summarise() {
	order := map[string]int{}
	for i, m := range r.Models {
		order[m.Name] = i
	}
	slices.SortFunc(r.Trials, func(a, b Trial) int {
		return cmp.Or(cmp.Compare(order[a.Model], order[b.Model]), cmp.Compare(a.Trial, b.Trial))
	})
	r.Summaries = nil
	for _, m := range r.Models {
		s := Summary{Model: m.Name, Method: m.Method}
		var nf, clean, final, other []float64
		for _, t := range r.Trials {
			if t.Model != m.Name {
				continue
			}
			if s.Trials == 0 || t.NFlip < s.Min {
				s.Min = t.NFlip
			}
			s.Max = max(s.Max, t.NFlip)
			s.Trials++
			if t.Reached {
				s.Reached++
			}
			nf, clean, final, other = append(nf, float64(t.NFlip)), append(clean, t.CleanPct), append(final, t.FinalPct), append(other, t.OtherPct)
		}
		if s.Trials > 0 {
			s.Mean, s.Std = stat.PopMeanStdDev(nf, nil)
			s.CleanPct, s.FinalPct = stat.Mean(clean, nil), stat.Mean(final, nil)
			if r.Attack == TBFA {
				s.OtherPct = stat.Mean(other, nil)
			}
		}
		r.Summaries = append(r.Summaries, s)
	}
}

// Names of the files WriteFiles writes, by attack kind.
func fileNames(k Kind) (jsonF, flipsCSV, summaryCSV, html string) {
	return string(k) + ".json", string(k) + "-flips.csv", string(k) + ".csv", string(k) + ".html"
}

// JSONFile is the name of the result file of kind k in an output folder.
func JSONFile(k Kind) string { j, _, _, _ := fileNames(k); return j }

// WriteFiles writes r into dir: KIND.json (everything), KIND.csv (one row
// per model: the N_flip summary), KIND-flips.csv (one row per flipped bit)
// and KIND.html (the charts), each atomically.
func WriteFiles(dir string, r Result) error {
	r.Summarise()
	j, fc, sc, h := fileNames(r.Attack)
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{j, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", " ")
			return enc.Encode(r)
		}},
		{sc, r.writeSummaryCSV},
		{fc, r.writeFlipsCSV},
		{h, func(w io.Writer) error { return report.WriteHTML(w, r.Report()) }},
	}
	for _, f := range files {
		if err := atomicfile.Write(filepath.Join(dir, f.name), f.write); err != nil {
			return fmt.Errorf("attack: write %s: %w", filepath.Join(dir, f.name), err)
		}
	}
	return nil
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func (r Result) writeSummaryCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"model", "method", "trials", "reached", "n_flip_mean", "n_flip_std", "n_flip_min", "n_flip_max", "clean_pct", "final_pct", "other_pct"})
	for _, s := range r.Summaries {
		cw.Write([]string{s.Model, s.Method, strconv.Itoa(s.Trials), strconv.Itoa(s.Reached), ftoa(s.Mean), ftoa(s.Std),
			strconv.Itoa(s.Min), strconv.Itoa(s.Max), ftoa(s.CleanPct), ftoa(s.FinalPct), ftoa(s.OtherPct)})
	}
	cw.Flush()
	return cw.Error()
}

func (r Result) writeFlipsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"model", "trial", "n", "iter", "layer", "name", "index", "bit", "before", "after", "loss", "value_pct", "scored"})
	for _, t := range r.Trials {
		for _, f := range t.Flips {
			cw.Write([]string{t.Model, strconv.Itoa(t.Trial), strconv.Itoa(f.N), strconv.Itoa(f.Iter), strconv.Itoa(f.Layer), f.Name,
				strconv.Itoa(f.Index), strconv.Itoa(f.Bit), strconv.Itoa(int(f.Before)), strconv.Itoa(int(f.After)),
				ftoa(f.Loss), ftoa(f.ValuePct), strconv.Itoa(f.Scored)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// metric names what a trial's ValuePct measures.
func (r Result) metric() string {
	if r.Attack == TBFA {
		return "attack success rate (%)"
	}
	return "test accuracy (%)"
}

// Report is the HTML report of r: the value after each flip (one line per
// model and trial) and the number of flips per layer (one line per model).
func (r Result) Report() results.Report {
	r.Summarise()
	rep := results.Report{Title: fmt.Sprintf("cosim attack %s", r.Attack), Arch: "none (adversarial bit flips)"}
	s := r.Settings
	rep.Notes = append(rep.Notes, fmt.Sprintf("settings %q: k_top %d, %d attack images%s, seed %d, data %s, %d evaluation images",
		s.Preset, s.KTop, s.Batch, map[bool]string{true: " from the training set (labelled by the model)", false: ""}[s.FromTrain], r.Seed, r.Dataset, r.EvalImages))
	for _, m := range r.Summaries {
		line := fmt.Sprintf("%s (%s): N_flip %.1f ± %.1f (min %d, max %d) over %d trials, %d reached; clean %.2f%%, final %.2f%%",
			m.Model, m.Method, m.Mean, m.Std, m.Min, m.Max, m.Trials, m.Reached, m.CleanPct, m.FinalPct)
		if r.Attack == TBFA {
			line += fmt.Sprintf(", other classes %.2f%%", m.OtherPct)
		}
		rep.Notes = append(rep.Notes, line)
	}
	curve := results.Curve{ID: "value-vs-flips", Title: r.metric() + " versus flipped bits",
		Caption: "One line per model and trial. Between the first and the last flip a BFA value is that of the images the early-stopped check scored (a random subset of the evaluation set); the first and the last are on the whole set.",
		XLabel:  "flipped bits", YLabel: r.metric()}
	for _, t := range r.Trials {
		sr := results.Series{Name: fmt.Sprintf("%s #%d", t.Model, t.Trial), X: []float64{0}, Y: []float64{t.CleanPct}}
		for i, f := range t.Flips {
			v := f.ValuePct
			if i == len(t.Flips)-1 {
				v = t.FinalPct
			}
			sr.X, sr.Y = append(sr.X, float64(f.N)), append(sr.Y, v)
		}
		curve.Series = append(curve.Series, sr)
	}
	hist := results.Curve{ID: "flips-per-layer", Title: "Flipped bits per layer (all trials)", XLabel: "layer (module order)", YLabel: "flipped bits"}
	for _, m := range r.Models {
		sr := results.Series{Name: m.Name}
		counts := make([]float64, len(m.Layers))
		for _, t := range r.Trials {
			if t.Model == m.Name {
				for _, f := range t.Flips {
					if f.Layer < len(counts) {
						counts[f.Layer]++
					}
				}
			}
		}
		for i, c := range counts {
			sr.X, sr.Y = append(sr.X, float64(i)), append(sr.Y, c)
		}
		hist.Series = append(hist.Series, sr)
		if hist.Caption == "" {
			hist.Caption = "Layers: "
			for i, n := range m.Layers {
				hist.Caption += fmt.Sprintf("%d %s; ", i, n)
			}
		}
	}
	rep.Curves = []results.Curve{curve, hist}
	return rep
}

// ReadResult reads a result file written by WriteFiles.
func ReadResult(path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	return DecodeResult(f, path)
}

// DecodeResult reads a result (JSON, unknown keys refused) from rd and
// validates it; errors name the file and the field.
func DecodeResult(rd io.Reader, name string) (Result, error) {
	var r Result
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := r.Validate(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

// Validate checks that r is a result this package can summarise and draw:
// a known attack, models with distinct names, and trials of those models
// whose flips name their layers and count up from 1.
func (r Result) Validate() error {
	if r.Attack != BFA && r.Attack != TBFA {
		return fmt.Errorf("attack: %q is not an attack (want bfa or tbfa)", r.Attack)
	}
	layers := map[string]int{}
	for i, m := range r.Models {
		if m.Name == "" {
			return fmt.Errorf("models[%d].name: empty", i)
		}
		if _, dup := layers[m.Name]; dup {
			return fmt.Errorf("models[%d].name: %q appears twice", i, m.Name)
		}
		layers[m.Name] = len(m.Layers)
	}
	for i, t := range r.Trials {
		nl, ok := layers[t.Model]
		switch {
		case !ok:
			return fmt.Errorf("trials[%d].model: %q is not among the models", i, t.Model)
		case t.Trial < 0:
			return fmt.Errorf("trials[%d].trial: %d is negative", i, t.Trial)
		case t.NFlip != len(t.Flips):
			return fmt.Errorf("trials[%d].n_flip: %d, but %d flips are listed", i, t.NFlip, len(t.Flips))
		}
		for j, f := range t.Flips {
			if f.Layer < 0 || f.Layer >= nl {
				return fmt.Errorf("trials[%d].flips[%d].layer: %d outside 0..%d", i, j, f.Layer, nl-1)
			}
			if f.N != j+1 {
				return fmt.Errorf("trials[%d].flips[%d].n: %d, want %d", i, j, f.N, j+1)
			}
		}
		for _, v := range []float64{t.CleanPct, t.FinalPct, t.OtherCleanPct, t.OtherPct} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("trials[%d]: a value is not finite", i)
			}
		}
	}
	return nil
}

// IsResult reports whether the JSON file at path looks like an attack
// result (it has an "attack" key).
func IsResult(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var probe struct {
		Attack *string `json:"attack"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Attack != nil
}

// Merge combines results of the same attack, settings, seed and data set
// (for example shards of one run): models are taken in first-seen order,
// and a (model, trial) pair may appear only once.
func Merge(rs []Result, names []string) (Result, error) {
	if len(rs) == 0 {
		return Result{}, fmt.Errorf("attack: nothing to merge")
	}
	out := rs[0]
	out.Models, out.Trials = nil, nil
	seen := map[string]string{}
	for i, r := range rs {
		if r.Attack != out.Attack || r.Settings != out.Settings || r.Seed != out.Seed || r.Dataset != out.Dataset || r.EvalImages != out.EvalImages {
			return Result{}, fmt.Errorf("%s: attack, settings, seed or data set differ from %s's", names[i], names[0])
		}
		for _, m := range r.Models {
			if !slices.ContainsFunc(out.Models, func(o Model) bool { return o.Name == m.Name }) {
				out.Models = append(out.Models, m)
			}
		}
		for _, t := range r.Trials {
			k := fmt.Sprintf("%s\x00%d", t.Model, t.Trial)
			if prev, dup := seen[k]; dup {
				return Result{}, fmt.Errorf("%s and %s both hold trial %d of %s", prev, names[i], t.Trial, t.Model)
			}
			seen[k] = names[i]
			out.Trials = append(out.Trials, t)
		}
	}
	out.Summarise()
	return out, nil
}
