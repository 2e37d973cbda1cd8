package accel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"cosim/workload"
	"gopkg.in/yaml.v3"
)

// Summary is an EnergyReport evaluated at one supply voltage, in the form
// WriteReport prints as JSON or YAML. Energies are in pJ unless the name
// says otherwise; per-access energies are at the nominal voltage.
type Summary struct {
	Arch           string   `json:"arch" yaml:"arch"`
	Accelerator    string   `json:"accelerator" yaml:"accelerator"`
	Workload       string   `json:"workload" yaml:"workload"`
	VddV           float64  `json:"vdd_v" yaml:"vdd_v"`
	NominalV       float64  `json:"nominal_v" yaml:"nominal_v"`
	ClockMHz       float64  `json:"clock_mhz" yaml:"clock_mhz"`
	PEs            int      `json:"pes" yaml:"pes"`
	ScaledMemories []string `json:"scaled_memories" yaml:"scaled_memories"`
	MACs           int64    `json:"macs" yaml:"macs"`
	Weights        int64    `json:"weights" yaml:"weights"`
	Cycles         int64    `json:"cycles" yaml:"cycles"`
	LatencyUS      float64  `json:"latency_us" yaml:"latency_us"`
	Utilization    float64  `json:"utilization" yaml:"utilization"`
	TotalUJ        float64  `json:"total_uj" yaml:"total_uj"`
	// NominalUJ is the total at the nominal voltage and SavingPct the part
	// of it saved at VddV, in percent.
	NominalUJ  float64            `json:"nominal_uj" yaml:"nominal_uj"`
	SavingPct  float64            `json:"saving_vs_nominal_pct" yaml:"saving_vs_nominal_pct"`
	TotalPJ    float64            `json:"total_pj" yaml:"total_pj"`
	DynamicPJ  float64            `json:"dynamic_pj" yaml:"dynamic_pj"`
	LeakagePJ  float64            `json:"leakage_pj" yaml:"leakage_pj"`
	PJPerMAC   float64            `json:"pj_per_mac" yaml:"pj_per_mac"`
	Components []ComponentSummary `json:"components" yaml:"components"`
	Layers     []LayerSummary     `json:"layers" yaml:"layers"`
}

// ComponentSummary is one component over the whole inference.
type ComponentSummary struct {
	Name       string  `json:"name" yaml:"name"`
	Class      string  `json:"class" yaml:"class"`
	Instances  int     `json:"instances" yaml:"instances"`
	Domain     string  `json:"domain,omitempty" yaml:"domain,omitempty"`
	ReadPJ     float64 `json:"read_pj" yaml:"read_pj"`
	WritePJ    float64 `json:"write_pj" yaml:"write_pj"`
	OpPJ       float64 `json:"op_pj" yaml:"op_pj"`
	CyclePJ    float64 `json:"cycle_pj,omitempty" yaml:"cycle_pj,omitempty"` // overheads: per clock cycle, all instances
	LeakageMW  float64 `json:"leakage_mw" yaml:"leakage_mw"`
	Provenance string  `json:"provenance" yaml:"provenance"`
	// EnergyModel is a scaled memory's energy(V) model (sram.EnergyModel).
	EnergyModel string `json:"energy_model,omitempty" yaml:"energy_model,omitempty"`
	AccessCount `yaml:",inline"`
}

// AccessCount is an Access with its energy at the report's voltage.
type AccessCount struct {
	Reads     int64   `json:"reads" yaml:"reads"`
	Writes    int64   `json:"writes" yaml:"writes"`
	Updates   int64   `json:"updates" yaml:"updates"`
	Ops       int64   `json:"ops" yaml:"ops"`
	DynamicPJ float64 `json:"dynamic_pj" yaml:"dynamic_pj"`
	LeakagePJ float64 `json:"leakage_pj" yaml:"leakage_pj"`
	TotalPJ   float64 `json:"total_pj" yaml:"total_pj"`
}

// LayerSummary is one layer: its shape, timing, mapping and the counts and
// energy of every component (indexed like Summary.Components).
type LayerSummary struct {
	Name        string        `json:"name" yaml:"name"`
	Kind        workload.Kind `json:"kind" yaml:"kind"`
	Shape       LayerShape    `json:"shape" yaml:"shape"`
	MACs        int64         `json:"macs" yaml:"macs"`
	Weights     int64         `json:"weights" yaml:"weights"`
	Cycles      int64         `json:"cycles" yaml:"cycles"`
	StallCycles int64         `json:"stall_cycles" yaml:"stall_cycles"`
	ActivePEs   int           `json:"active_pes" yaml:"active_pes"`
	Utilization float64       `json:"utilization" yaml:"utilization"`
	Mapping     string        `json:"mapping,omitempty" yaml:"mapping,omitempty"`
	DynamicPJ   float64       `json:"dynamic_pj" yaml:"dynamic_pj"`
	LeakagePJ   float64       `json:"leakage_pj" yaml:"leakage_pj"`
	TotalPJ     float64       `json:"total_pj" yaml:"total_pj"`
	Components  []AccessCount `json:"components" yaml:"components"`
}

// LayerShape is a layer's dimensions (workload.Layer's fields in lower case).
type LayerShape struct {
	N          int `json:"n" yaml:"n"`
	C          int `json:"c" yaml:"c"`
	K          int `json:"k" yaml:"k"`
	R          int `json:"r" yaml:"r"`
	S          int `json:"s" yaml:"s"`
	H          int `json:"h" yaml:"h"`
	W          int `json:"w" yaml:"w"`
	P          int `json:"p" yaml:"p"`
	Q          int `json:"q" yaml:"q"`
	Stride     int `json:"stride" yaml:"stride"`
	Padding    int `json:"padding" yaml:"padding"`
	WeightBits int `json:"weight_bits" yaml:"weight_bits"`
	// IfmapZeroFrac is workload.Layer.IfmapZeroFrac (absent when 0).
	IfmapZeroFrac float64 `json:"ifmap_zero_frac,omitempty" yaml:"ifmap_zero_frac,omitempty"`
}

// utilization is MACs / (cycles · PEs), or 0 when undefined.
func utilization(macs, cycles int64, pes int) float64 {
	if cycles == 0 || pes == 0 {
		return 0
	}
	return float64(macs) / (float64(cycles) * float64(pes))
}

// Summarize evaluates r at supply vddV of the scaled memories.
func (r *EnergyReport) Summarize(vddV float64) Summary {
	b := r.At(vddV)
	s := Summary{Arch: r.Arch, Accelerator: r.Accelerator, Workload: r.Workload, VddV: vddV, NominalV: r.NominalV,
		ClockMHz: r.ClockMHz, PEs: r.PEs, ScaledMemories: []string{}, Cycles: b.Cycles, TotalUJ: b.TotalPJ / 1e6,
		TotalPJ: b.TotalPJ, DynamicPJ: b.DynamicPJ, LeakagePJ: b.LeakagePJ, Components: []ComponentSummary{}, Layers: []LayerSummary{},
		NominalUJ: r.TotalPJ(r.NominalV) / 1e6, SavingPct: r.SavingPct(vddV)}
	if r.ClockMHz > 0 {
		s.LatencyUS = float64(b.Cycles) / r.ClockMHz
	}
	for i, c := range r.Components {
		if c.Scaled() {
			s.ScaledMemories = append(s.ScaledMemories, c.Name)
		}
		e := b.Components[i]
		model := ""
		if c.Scaled() {
			model = c.VoltageModel.String()
		}
		s.Components = append(s.Components, ComponentSummary{Name: c.Name, Class: string(c.Class), Instances: c.Instances,
			Domain: string(c.Domain), ReadPJ: c.ReadPJ, WritePJ: c.WritePJ, OpPJ: c.OpPJ, CyclePJ: c.CyclePJ, LeakageMW: c.LeakageMW,
			Provenance: c.Provenance, EnergyModel: model, AccessCount: AccessCount{Reads: e.Access.Reads, Writes: e.Access.Writes,
				Updates: e.Access.Updates, Ops: e.Access.Ops, DynamicPJ: e.DynamicPJ, LeakagePJ: e.LeakagePJ, TotalPJ: e.TotalPJ}})
	}
	for i, l := range r.Layers {
		lb := b.Layers[i]
		ly := l.Layer
		ls := LayerSummary{Name: ly.Name, Kind: ly.Kind, MACs: ly.MACs(), Weights: ly.Weights(), Cycles: l.Cycles,
			StallCycles: l.StallCycles, ActivePEs: l.ActivePEs, Utilization: utilization(ly.MACs(), l.Cycles, r.PEs),
			Mapping: l.Mapping, DynamicPJ: lb.DynamicPJ, LeakagePJ: lb.LeakagePJ, TotalPJ: lb.TotalPJ,
			Shape: LayerShape{N: ly.N, C: ly.C, K: ly.K, R: ly.R, S: ly.S, H: ly.H, W: ly.W, P: ly.P, Q: ly.Q,
				Stride: ly.Stride, Padding: ly.Padding, WeightBits: ly.WeightBits, IfmapZeroFrac: ly.IfmapZeroFrac}}
		for j, c := range r.Components {
			a := l.Access[j]
			df, lf := c.factors(vddV, r.NominalV)
			dyn, leak := l.DynamicPJ[j]*df, l.LeakagePJ[j]*lf
			ls.Components = append(ls.Components, AccessCount{Reads: a.Reads, Writes: a.Writes, Updates: a.Updates, Ops: a.Ops,
				DynamicPJ: dyn, LeakagePJ: leak, TotalPJ: lb.ComponentPJ[j]})
		}
		s.MACs += ls.MACs
		s.Weights += ls.Weights
		s.Layers = append(s.Layers, ls)
	}
	s.Utilization = utilization(s.MACs, s.Cycles, r.PEs)
	if s.MACs > 0 {
		s.PJPerMAC = s.TotalPJ / float64(s.MACs)
	}
	return s
}

// ReportFormats are the formats WriteReport writes.
var ReportFormats = []string{"table", "json", "yaml"}

// WriteReport writes r evaluated at vddV in format "table" (WriteTable),
// "json" (indented, one Summary object) or "yaml" (the same fields). The
// output is produced in memory first, so w receives either all of it or,
// on a bad format, nothing.
func WriteReport(w io.Writer, r *EnergyReport, vddV float64, format string) error {
	var buf bytes.Buffer
	switch format {
	case "table":
		writeTable(&buf, r, vddV)
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r.Summarize(vddV)); err != nil {
			return fmt.Errorf("accel: JSON report: %w", err)
		}
	case "yaml":
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(r.Summarize(vddV)); err != nil {
			return fmt.Errorf("accel: YAML report: %w", err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("accel: YAML report: %w", err)
		}
	default:
		return fmt.Errorf("accel: unknown report format %q (want %s)", format, strings.Join(ReportFormats, ", "))
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteTable prints r evaluated at vddV as plain-text tables: a header
// with the totals (µJ), one row per component (per-access energies at the
// nominal voltage, access counts, energies in pJ at vddV), one row per
// layer (MACs, cycles, stalls, utilisation, active PEs, mapping, energies
// in pJ), each layer's energy and accesses per component, then the source of
// every component's numbers.
func WriteTable(w io.Writer, r *EnergyReport, vddV float64) error {
	return WriteReport(w, r, vddV, "table")
}

func writeTable(sb *bytes.Buffer, r *EnergyReport, vddV float64) {
	s := r.Summarize(vddV)
	scaled := strings.Join(s.ScaledMemories, ", ")
	if scaled == "" {
		scaled = "none"
	}
	share := func(pj float64) string {
		if s.TotalPJ == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*pj/s.TotalPJ)
	}
	fmt.Fprintf(sb, "architecture %s, accelerator model %s, workload %s\n", s.Arch, s.Accelerator, s.Workload)
	fmt.Fprintf(sb, "scaled memories at %.3f V (nominal %.3f V): %s; clock %g MHz, %d PEs\n", vddV, s.NominalV, scaled, s.ClockMHz, s.PEs)
	fmt.Fprintf(sb, "total %.6g µJ = dynamic %.6g µJ + leakage %.6g µJ; %d MACs, %.4g pJ/MAC; %d cycles = %.6g µs, utilisation %.1f%%\n",
		s.TotalUJ, s.DynamicPJ/1e6, s.LeakagePJ/1e6, s.MACs, s.PJPerMAC, s.Cycles, s.LatencyUS, 100*s.Utilization)
	fmt.Fprintf(sb, "saving against the nominal %.3f V (%.6g µJ): %.2f%%\n", s.NominalV, s.NominalUJ, s.SavingPct)
	for _, c := range s.Components {
		if c.EnergyModel != "" {
			fmt.Fprintf(sb, "energy(V) model of %s: %s\n", c.Name, c.EnergyModel)
		}
	}
	sb.WriteString("\n")

	tw := tabwriter.NewWriter(sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "component\tclass\tinstances\tdomain\tread pJ@nom\twrite pJ@nom\top pJ\tleakage mW\treads\twrites\tupdates\tops\tdynamic pJ\tleakage pJ\ttotal pJ\tshare\t")
	for _, c := range s.Components {
		dom := c.Domain
		if dom == "" {
			dom = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.4f\t%.4f\t%.4f\t%.6f\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%s\t\n",
			c.Name, c.Class, c.Instances, dom, c.ReadPJ, c.WritePJ, c.OpPJ, c.LeakageMW,
			c.Reads, c.Writes, c.Updates, c.Ops, c.DynamicPJ, c.LeakagePJ, c.TotalPJ, share(c.TotalPJ))
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t\t\t\t\t\t\t\t%.2f\t%.2f\t%.2f\t%s\t\n", s.DynamicPJ, s.LeakagePJ, s.TotalPJ, share(s.TotalPJ))
	tw.Flush()
	sb.WriteString("\n")

	tw = tabwriter.NewWriter(sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tkind\tMACs\tweights\tcycles\tstalls\tutil\tPEs\tdynamic pJ\tleakage pJ\ttotal pJ\tshare\t mapping")
	for _, l := range s.Layers {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%.1f%%\t%d\t%.2f\t%.2f\t%.2f\t%s\t %s\n", l.Name, l.Kind, l.MACs, l.Weights,
			l.Cycles, l.StallCycles, 100*l.Utilization, l.ActivePEs, l.DynamicPJ, l.LeakagePJ, l.TotalPJ, share(l.TotalPJ), l.Mapping)
	}
	tw.Flush()
	sb.WriteString("\nenergy per layer and component (pJ, dynamic + leakage):\n")
	matrix(sb, s, func(a AccessCount) string { return fmt.Sprintf("%.2f", a.TotalPJ) })
	sb.WriteString("\naccesses per layer and component (reads/writes/updates of memories, operations of macs):\n")
	matrix(sb, s, func(a AccessCount) string {
		if a.Ops != 0 || (a.Reads == 0 && a.Writes == 0 && a.Updates == 0) {
			return fmt.Sprintf("%d", a.Ops)
		}
		return fmt.Sprintf("%d/%d/%d", a.Reads, a.Writes, a.Updates)
	})
	sb.WriteString("\nsources:\n")
	for _, c := range s.Components {
		fmt.Fprintf(sb, "  %s: %s\n", c.Name, c.Provenance)
	}
}

// matrix prints one row per layer and one column per component.
func matrix(sb *bytes.Buffer, s Summary, cell func(AccessCount) string) {
	tw := tabwriter.NewWriter(sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "layer\t")
	for _, c := range s.Components {
		fmt.Fprintf(tw, "%s\t", c.Name)
	}
	fmt.Fprintln(tw)
	for _, l := range s.Layers {
		fmt.Fprintf(tw, "%s\t", l.Name)
		for _, a := range l.Components {
			fmt.Fprintf(tw, "%s\t", cell(a))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
