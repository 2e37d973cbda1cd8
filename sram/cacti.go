package sram

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Device is a CACTI transistor type for both the SRAM cells and the
// peripheral circuits of an array.
type Device string

// The two device types of the CACTI table (cacti/PROVENANCE.md). Each node's
// technology file fixes their supply: itrs-hp 0.8/0.9/1.0/1.1 V and itrs-lop
// 0.6/0.6/0.7/0.8 V at 22/32/45/65 nm. LOP is a different transistor, not HP
// at a lower voltage.
const (
	HP  Device = "itrs-hp"
	LOP Device = "itrs-lop"
)

// CACTIEstimate is the cost of one SRAM array: a CACTI 7 row or a value
// derived from rows (see CACTI). Energies are per access of one
// WidthBits-bit word at VddV.
type CACTIEstimate struct {
	TechNM        int
	Device        Device
	CapacityBytes int
	WidthBits     int
	VddV          float64 // supply of the device type at this node (CACTI technology file)
	ReadPJ        float64 // dynamic energy of one word read [pJ]
	WritePJ       float64 // dynamic energy of one word write [pJ]
	LeakageMW     float64 // leakage power of the whole array at 360 K [mW] (subthreshold + gate)
	// SubthresholdMW is the subthreshold part of LeakageMW (the rest is gate
	// leakage) [mW].
	SubthresholdMW float64
	AreaMM2        float64 // data array area [mm²]
	AccessNS       float64 // random access time [ns]
	CycleNS        float64 // random cycle time [ns]
	// Provenance says exactly where the numbers came from, e.g.
	// "CACTI 7 row 65nm/itrs-lop/110592B/64b".
	Provenance string
}

// cactiFile is the embedded table's name in error messages.
const cactiFile = "sram/cacti/sram_cacti.csv"

//go:embed cacti/sram_cacti.csv
var cactiCSV []byte

// loadCACTI parses the embedded table once.
var loadCACTI = sync.OnceValues(func() (*cactiTable, error) { return parseCACTI(cactiFile, cactiCSV) })

// CACTIRows returns a copy of the embedded CACTI 7 table (cacti/sram_cacti.csv,
// see cacti/PROVENANCE.md), in file order, each row with its exact
// provenance. It panics if the embedded table does not parse, which the
// package tests rule out.
func CACTIRows() []CACTIEstimate {
	t, err := loadCACTI()
	if err != nil {
		panic(err)
	}
	return slices.Clone(t.rows)
}

// CACTI returns the cost of an SRAM array of capacityBytes bytes read and
// written in widthBits-bit words, at node techNM with device type dev, from
// the embedded CACTI 7 table (cacti/PROVENANCE.md).
//
// Method, in this order of preference (Provenance records which was used):
//
//   - Exact row: the table's numbers, untouched.
//   - Capacity (node, device and width in the table): log-log interpolation
//     between the neighbouring rows of the same node/device/width, i.e.
//     ln y linear in ln capacity, for every quantity. Below the smallest row
//     (CACTI rejected arrays of 16 words or fewer; Eyeriss spads are as small
//     as 24 B) and above the largest (1 MiB) the line through the two end
//     rows is extended ("extrapolated" in Provenance), with its slope clamped
//     at zero: a quantity never grows as the array shrinks past the table, nor
//     shrinks as it grows past it. Energies, leakage and area rise with
//     capacity at both ends of every group, so the clamp only holds CACTI's
//     cycle time, which is flat or slightly falling at some table ends
//     (e.g. 45 nm HP 16 b, 64 B → 128 B); Provenance names held quantities.
//   - Width not in the table (16, 32, 64, 128 bit): capacity is first
//     resolved at the two neighbouring table widths, then ln y is
//     interpolated in ln width. Widths outside 16..128 bit are an error
//     (no extrapolation in width).
//   - Node not in the table (22, 32, 45, 65 nm): capacity and width are
//     resolved at the two neighbouring nodes, then ln y is interpolated in
//     ln node; VddV is interpolated the same way. Nodes outside 22..65 nm are
//     an error.
//
// Non-monotone points. CACTI picks, per size, the array partition that
// minimises access time² × read energy, so read energy sometimes drops when
// capacity doubles (HP 22 nm/16 b 16→32 KiB, HP 45 and 65 nm/16 b
// 64→128 KiB, LOP 45 nm/16 b 16→32 KiB) or when width doubles (65 nm 16 KiB,
// 64→128 b). These rows are kept as CACTI computed them and never smoothed:
// each is the energy, timing and area of one consistent ED²-optimal design,
// and smoothing one quantity would mix designs and move exact rows away
// from CACTI. Interpolation is piecewise between neighbouring rows, so a
// value never leaves the range of its two neighbours and a dip stays
// confined to the interval between the rows that show it.
//
// Errors: capacityBytes ≤ 0, widthBits ≤ 0, a capacity smaller than one
// word, an unknown device, and node or width outside the table's range.
// CACTI and CACTIRows are safe for concurrent use.
func CACTI(techNM int, dev Device, capacityBytes, widthBits int) (CACTIEstimate, error) {
	t, err := loadCACTI()
	if err != nil {
		return CACTIEstimate{}, err
	}
	return t.estimate(techNM, dev, capacityBytes, widthBits)
}

// cactiKey identifies one group of rows that differ only in capacity.
type cactiKey struct {
	tech  int
	dev   Device
	width int
}

// nodeDev identifies one technology file (a node and a device type).
type nodeDev struct {
	tech int
	dev  Device
}

type cactiTable struct {
	rows   []CACTIEstimate
	groups map[cactiKey][]CACTIEstimate // each sorted by capacity
	widths map[nodeDev][]int            // sorted
	nodes  map[Device][]int             // sorted
}

// cactiColumns are the CSV columns the package reads; others are ignored.
var cactiColumns = []string{
	"tech_nm", "capacity_bytes", "width_bits", "vdd_v", "read_energy_pj", "write_energy_pj",
	"leakage_mw", "area_mm2", "access_time_ns", "cycle_time_ns", "cell_type", "periph_type",
	"leakage_subthreshold_mw",
}

func rowName(tech int, dev Device, capB, width int) string {
	return fmt.Sprintf("%dnm/%s/%dB/%db", tech, dev, capB, width)
}

// parseCACTI parses a CACTI table in the format of cacti/sram_cacti.csv:
// '#' comment lines, a header naming at least cactiColumns, then one row per
// array. Errors name name:line:column.
func parseCACTI(name string, data []byte) (*cactiTable, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.ReuseRecord = true
	wrapCSV := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("%s:%d:%d: %w", name, pe.Line, pe.Column, pe.Err)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: no header line", name)
	}
	if err != nil {
		return nil, wrapCSV(err)
	}
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[h]; dup {
			line, c := r.FieldPos(i)
			return nil, fmt.Errorf("%s:%d:%d: duplicate column %q", name, line, c, h)
		}
		col[h] = i
	}
	for _, c := range cactiColumns {
		if _, ok := col[c]; !ok {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("%s:%d:1: missing column %q", name, line, c)
		}
	}
	t := &cactiTable{
		groups: map[cactiKey][]CACTIEstimate{},
		widths: map[nodeDev][]int{},
		nodes:  map[Device][]int{},
	}
	firstLine := map[cactiKey]map[int]int{} // group → capacity → line
	vdd := map[nodeDev]struct {
		v    float64
		line int
	}{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wrapCSV(err)
		}
		fieldErr := func(c string, format string, args ...any) error {
			line, column := r.FieldPos(col[c])
			return fmt.Errorf("%s:%d:%d: column %s: %s", name, line, column, c, fmt.Sprintf(format, args...))
		}
		intField := func(c string) (int, error) {
			v, err := strconv.Atoi(rec[col[c]])
			if err != nil {
				return 0, fieldErr(c, "%v", err)
			}
			if v <= 0 {
				return 0, fieldErr(c, "%d is not positive", v)
			}
			return v, nil
		}
		floatField := func(c string) (float64, error) {
			v, err := strconv.ParseFloat(rec[col[c]], 64)
			if err != nil {
				return 0, fieldErr(c, "%v", err)
			}
			if !(v > 0) || math.IsInf(v, 0) {
				return 0, fieldErr(c, "%v is not a positive finite number", v)
			}
			return v, nil
		}
		var e CACTIEstimate
		ints := []struct {
			c string
			p *int
		}{{"tech_nm", &e.TechNM}, {"capacity_bytes", &e.CapacityBytes}, {"width_bits", &e.WidthBits}}
		for _, f := range ints {
			if *f.p, err = intField(f.c); err != nil {
				return nil, err
			}
		}
		floats := []struct {
			c string
			p *float64
		}{{"vdd_v", &e.VddV}, {"read_energy_pj", &e.ReadPJ}, {"write_energy_pj", &e.WritePJ},
			{"leakage_mw", &e.LeakageMW}, {"area_mm2", &e.AreaMM2}, {"access_time_ns", &e.AccessNS},
			{"cycle_time_ns", &e.CycleNS}, {"leakage_subthreshold_mw", &e.SubthresholdMW}}
		for _, f := range floats {
			if *f.p, err = floatField(f.c); err != nil {
				return nil, err
			}
		}
		if e.SubthresholdMW > e.LeakageMW {
			return nil, fieldErr("leakage_subthreshold_mw", "%v mW exceeds the total leakage %v mW", e.SubthresholdMW, e.LeakageMW)
		}
		e.Device = Device(rec[col["periph_type"]])
		if e.Device != HP && e.Device != LOP {
			return nil, fieldErr("periph_type", "unknown device type %q (want %q or %q)", e.Device, HP, LOP)
		}
		if cell := rec[col["cell_type"]]; cell != string(e.Device) {
			return nil, fieldErr("cell_type", "%q differs from periph_type %q (the table models one device type per array)", cell, e.Device)
		}
		line, _ := r.FieldPos(0)
		nd := nodeDev{e.TechNM, e.Device}
		if prev, ok := vdd[nd]; !ok {
			vdd[nd] = struct {
				v    float64
				line int
			}{e.VddV, line}
		} else if prev.v != e.VddV {
			return nil, fieldErr("vdd_v", "%g V differs from %g V at line %d for the same node and device type", e.VddV, prev.v, prev.line)
		}
		k := cactiKey{e.TechNM, e.Device, e.WidthBits}
		if firstLine[k] == nil {
			firstLine[k] = map[int]int{}
		}
		if prev, dup := firstLine[k][e.CapacityBytes]; dup {
			return nil, fmt.Errorf("%s:%d:1: duplicate row %s (first at line %d)", name, line, rowName(e.TechNM, e.Device, e.CapacityBytes, e.WidthBits), prev)
		}
		firstLine[k][e.CapacityBytes] = line
		e.Provenance = "CACTI 7 row " + rowName(e.TechNM, e.Device, e.CapacityBytes, e.WidthBits)
		t.rows = append(t.rows, e)
		t.groups[k] = append(t.groups[k], e)
		if !slices.Contains(t.widths[nd], e.WidthBits) {
			t.widths[nd] = append(t.widths[nd], e.WidthBits)
		}
		if !slices.Contains(t.nodes[e.Device], e.TechNM) {
			t.nodes[e.Device] = append(t.nodes[e.Device], e.TechNM)
		}
	}
	if len(t.rows) == 0 {
		return nil, fmt.Errorf("%s: no data rows", name)
	}
	for k, g := range t.groups {
		slices.SortFunc(g, func(a, b CACTIEstimate) int { return a.CapacityBytes - b.CapacityBytes })
		t.groups[k] = g
	}
	for _, w := range t.widths {
		slices.Sort(w)
	}
	for _, n := range t.nodes {
		slices.Sort(n)
	}
	return t, nil
}

// quantity is one interpolated field of CACTIEstimate.
type quantity struct {
	name string
	get  func(*CACTIEstimate) *float64
}

var quantities = []quantity{
	{"Vdd", func(e *CACTIEstimate) *float64 { return &e.VddV }},
	{"read energy", func(e *CACTIEstimate) *float64 { return &e.ReadPJ }},
	{"write energy", func(e *CACTIEstimate) *float64 { return &e.WritePJ }},
	{"leakage", func(e *CACTIEstimate) *float64 { return &e.LeakageMW }},
	{"subthreshold leakage", func(e *CACTIEstimate) *float64 { return &e.SubthresholdMW }},
	{"area", func(e *CACTIEstimate) *float64 { return &e.AreaMM2 }},
	{"access time", func(e *CACTIEstimate) *float64 { return &e.AccessNS }},
	{"cycle time", func(e *CACTIEstimate) *float64 { return &e.CycleNS }},
}

// logLine evaluates, at x, the line ln y = ln y0 + s·(ln x − ln x0) with slope
// s through (x0, y0) and (x1, y1). With clamp, a negative slope is replaced by
// 0 (and held reports it). Equal y give y0 exactly.
func logLine(x0, y0, x1, y1, x float64, clamp bool) (y float64, held bool) {
	if y0 == y1 || x == x0 {
		return y0, false
	}
	s := (math.Log(y1) - math.Log(y0)) / (math.Log(x1) - math.Log(x0))
	if clamp && s < 0 {
		return y0, true
	}
	return math.Exp(math.Log(y0) + s*(math.Log(x)-math.Log(x0))), false
}

// blend fills every quantity of dst from a and b, placed at xa and xb, by
// logLine at x. It returns the names of held quantities.
func blend(dst, a, b *CACTIEstimate, xa, xb, x float64, clamp bool) []string {
	var held []string
	for _, q := range quantities {
		v, h := logLine(xa, *q.get(a), xb, *q.get(b), x, clamp)
		*q.get(dst) = v
		if h {
			held = append(held, q.name)
		}
	}
	return held
}

// neighbours returns the table values lo < x < hi around x in sorted xs; ok is
// false when x is outside [xs[0], xs[len−1]].
func neighbours(xs []int, x int) (lo, hi int, ok bool) {
	i, _ := slices.BinarySearch(xs, x)
	if i == 0 || i == len(xs) {
		return 0, 0, false
	}
	return xs[i-1], xs[i], true
}

func (t *cactiTable) estimate(techNM int, dev Device, capB, width int) (CACTIEstimate, error) {
	where := rowName(techNM, dev, capB, width)
	switch {
	case dev != HP && dev != LOP:
		return CACTIEstimate{}, fmt.Errorf("sram: CACTI %s: unknown device type %q (want %q or %q)", where, dev, HP, LOP)
	case capB <= 0:
		return CACTIEstimate{}, fmt.Errorf("sram: CACTI %s: capacity %d bytes is not positive", where, capB)
	case width <= 0:
		return CACTIEstimate{}, fmt.Errorf("sram: CACTI %s: width %d bits is not positive", where, width)
	case int64(capB)*8 < int64(width):
		return CACTIEstimate{}, fmt.Errorf("sram: CACTI %s: capacity %d bytes holds less than one %d-bit word", where, capB, width)
	}
	e, desc, err := t.atNode(techNM, dev, capB, width)
	if err != nil {
		return CACTIEstimate{}, fmt.Errorf("sram: CACTI %s: %w", where, err)
	}
	e.TechNM, e.Device, e.CapacityBytes, e.WidthBits = techNM, dev, capB, width
	if strings.HasPrefix(desc, "row ") {
		e.Provenance = "CACTI 7 " + desc
	} else {
		e.Provenance = "CACTI 7, " + desc
	}
	return e, nil
}

// atNode resolves the node, then width, then capacity; desc is the provenance
// without its "CACTI 7" prefix.
func (t *cactiTable) atNode(tech int, dev Device, capB, width int) (CACTIEstimate, string, error) {
	return onGrid("node", "nm", "", t.nodes[dev], tech, func(n int) (CACTIEstimate, string, error) {
		return t.atWidth(n, dev, capB, width)
	})
}

func (t *cactiTable) atWidth(tech int, dev Device, capB, width int) (CACTIEstimate, string, error) {
	return onGrid("width", "b", fmt.Sprintf(" at %d nm/%s", tech, dev), t.widths[nodeDev{tech, dev}], width, func(w int) (CACTIEstimate, string, error) {
		return t.atCapacity(tech, dev, capB, w)
	})
}

// onGrid returns at(x) where x is a point of grid, else at its two
// neighbours blended log-log; dim and unit name the axis and where the grid
// in errors and provenance.
func onGrid(dim, unit, where string, grid []int, x int, at func(int) (CACTIEstimate, string, error)) (CACTIEstimate, string, error) {
	if slices.Contains(grid, x) {
		return at(x)
	}
	x0, x1, ok := neighbours(grid, x)
	if !ok {
		return CACTIEstimate{}, "", fmt.Errorf("%s %d %s outside the CACTI table's %v %s%s (no extrapolation in %s)", dim, x, unit, grid, unit, where, dim)
	}
	a, da, err := at(x0)
	if err != nil {
		return CACTIEstimate{}, "", err
	}
	b, db, err := at(x1)
	if err != nil {
		return CACTIEstimate{}, "", err
	}
	var e CACTIEstimate
	blend(&e, &a, &b, float64(x0), float64(x1), float64(x), false)
	return e, fmt.Sprintf("log-log interpolation in %s between %d%s (%s) and %d%s (%s)", dim, x0, unit, da, x1, unit, db), nil
}

func (t *cactiTable) atCapacity(tech int, dev Device, capB, width int) (CACTIEstimate, string, error) {
	g := t.groups[cactiKey{tech, dev, width}]
	i, found := slices.BinarySearchFunc(g, capB, func(e CACTIEstimate, c int) int { return e.CapacityBytes - c })
	if found {
		return g[i], "row " + rowName(tech, dev, capB, width), nil
	}
	if len(g) < 2 {
		return CACTIEstimate{}, "", fmt.Errorf("%d CACTI row(s) for %dnm/%s/%db, need two to interpolate in capacity", len(g), tech, dev, width)
	}
	name := func(e *CACTIEstimate) string { return rowName(tech, dev, e.CapacityBytes, width) }
	var e CACTIEstimate
	var end, nb *CACTIEstimate
	var desc string
	switch {
	case i == 0:
		end, nb = &g[0], &g[1]
		desc = fmt.Sprintf("extrapolated below the smallest CACTI array (log-log line through %s and %s", name(end), name(nb))
	case i == len(g):
		end, nb = &g[len(g)-1], &g[len(g)-2]
		desc = fmt.Sprintf("extrapolated above the largest CACTI array (log-log line through %s and %s", name(end), name(nb))
	default:
		a, b := &g[i-1], &g[i]
		blend(&e, a, b, float64(a.CapacityBytes), float64(b.CapacityBytes), float64(capB), false)
		return e, fmt.Sprintf("log-log interpolation in capacity between %s and %s", name(a), name(b)), nil
	}
	held := blend(&e, end, nb, float64(end.CapacityBytes), float64(nb.CapacityBytes), float64(capB), true)
	if len(held) > 0 {
		desc += fmt.Sprintf("; %s held at %s, slope clamped at 0", strings.Join(held, ", "), name(end))
	}
	return e, desc + ")", nil
}
