package accel

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints r evaluated at vddV as plain-text tables: a header with
// the total in µJ, one row per component (per-access energies at the
// nominal voltage, access counts, energies in pJ at vddV), one row per layer
// (energies in pJ), then the source of every component's numbers.
func WriteTable(w io.Writer, r *EnergyReport, vddV float64) error {
	b := r.At(vddV)
	var scaled []string
	for _, c := range r.Components {
		if c.Scaled() {
			scaled = append(scaled, c.Name)
		}
	}
	if len(scaled) == 0 {
		scaled = []string{"none"}
	}
	share := func(pj float64) string {
		if b.TotalPJ == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*pj/b.TotalPJ)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "architecture %s, accelerator model %s, workload %s\n", r.Arch, r.Accelerator, r.Workload)
	fmt.Fprintf(&sb, "scaled memories at %.3f V (nominal %.3f V): %s; clock %g MHz\n", vddV, r.NominalV, strings.Join(scaled, ", "), r.ClockMHz)
	fmt.Fprintf(&sb, "total %.6g µJ = dynamic %.6g µJ + leakage %.6g µJ, %d cycles\n\n",
		b.TotalPJ/1e6, b.DynamicPJ/1e6, b.LeakagePJ/1e6, b.Cycles)

	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "component\tclass\tinstances\tdomain\tread pJ@nom\twrite pJ@nom\top pJ\tleakage mW\treads\twrites\tops\tdynamic pJ\tleakage pJ\ttotal pJ\tshare\t")
	for i, c := range r.Components {
		e := b.Components[i]
		dom := string(c.Domain)
		if dom == "" {
			dom = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.4f\t%.4f\t%.4f\t%.6f\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%s\t\n",
			c.Name, c.Class, c.Instances, dom, c.ReadPJ, c.WritePJ, c.OpPJ, c.LeakageMW,
			e.Access.Reads, e.Access.Writes, e.Access.Ops, e.DynamicPJ, e.LeakagePJ, e.TotalPJ, share(e.TotalPJ))
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t\t\t\t\t\t\t%.2f\t%.2f\t%.2f\t%s\t\n", b.DynamicPJ, b.LeakagePJ, b.TotalPJ, share(b.TotalPJ))
	if err := tw.Flush(); err != nil {
		return err
	}
	sb.WriteString("\n")

	tw = tabwriter.NewWriter(&sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tkind\tMACs\tweights\tcycles\tdynamic pJ\tleakage pJ\ttotal pJ\tshare\t")
	for i, l := range r.Layers {
		lb := b.Layers[i]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%s\t\n", l.Layer.Name, l.Layer.Kind, l.Layer.MACs(),
			l.Layer.Weights(), lb.Cycles, lb.DynamicPJ, lb.LeakagePJ, lb.TotalPJ, share(lb.TotalPJ))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	sb.WriteString("\nsources:\n")
	for _, c := range r.Components {
		fmt.Fprintf(&sb, "  %s: %s\n", c.Name, c.Provenance)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
