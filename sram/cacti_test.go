package sram

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// values lists the numeric fields of e in a fixed order for comparisons.
func values(e CACTIEstimate) []float64 {
	return []float64{e.VddV, e.ReadPJ, e.WritePJ, e.LeakageMW, e.AreaMM2, e.AccessNS, e.CycleNS}
}

var valueNames = []string{"VddV", "ReadPJ", "WritePJ", "LeakageMW", "AreaMM2", "AccessNS", "CycleNS"}

func mustCACTI(t *testing.T, tech int, dev Device, capB, width int) CACTIEstimate {
	t.Helper()
	e, err := CACTI(tech, dev, capB, width)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCACTIRows(t *testing.T) {
	rows := CACTIRows()
	if len(rows) != 434 {
		t.Fatalf("%d rows, want 434 (PROVENANCE.md)", len(rows))
	}
	perDev := map[Device]int{}
	for _, r := range rows {
		perDev[r.Device]++
		want := fmt.Sprintf("CACTI 7 row %dnm/%s/%dB/%db", r.TechNM, r.Device, r.CapacityBytes, r.WidthBits)
		if r.Provenance != want {
			t.Errorf("provenance %q, want %q", r.Provenance, want)
		}
		// Every row comes back unchanged from CACTI.
		if got := mustCACTI(t, r.TechNM, r.Device, r.CapacityBytes, r.WidthBits); got != r {
			t.Errorf("CACTI(%s) = %+v, want the row %+v", r.Provenance, got, r)
		}
	}
	if perDev[HP] != 217 || perDev[LOP] != 217 {
		t.Errorf("rows per device %v, want 217 each", perDev)
	}
	rows[0].ReadPJ = -1
	if CACTIRows()[0].ReadPJ == -1 {
		t.Error("CACTIRows returns the package's own slice")
	}
}

// TestCACTIReferencePoints checks the README's "Requested reference points"
// table (cacti/PROVENANCE.md): the printed, rounded values to their last
// digit, and the exact CSV values.
func TestCACTIReferencePoints(t *testing.T) {
	cases := []struct {
		name        string
		tech        int
		dev         Device
		capB, width int
		readme      [7]string // VddV, read, write, leakage, area, access, cycle as printed
		csv         [7]float64
	}{
		{"(a) HP", 65, HP, 110592, 64,
			[7]string{"1.1", "49.69", "34.07", "130.5", "0.691", "1.091", "0.985"},
			[7]float64{1.1, 49.6946, 34.0708, 130.492, 0.691381, 1.09119, 0.985194}},
		{"(a) LOP", 65, LOP, 110592, 64,
			[7]string{"0.8", "27.15", "20.12", "5.21", "0.775", "1.954", "1.549"},
			[7]float64{0.8, 27.1471, 20.1155, 5.2058, 0.775109, 1.9541, 1.54905}},
		{"(b) HP", 65, HP, 512, 16,
			[7]string{"1.1", "1.057", "1.622", "0.832", "0.003877", "0.333", "0.246"},
			[7]float64{1.1, 1.05743, 1.62224, 0.831702, 0.00387698, 0.332691, 0.245702}},
		{"(b) LOP", 65, LOP, 512, 16,
			[7]string{"0.8", "0.659", "0.905", "0.0364", "0.003876", "0.679", "0.511"},
			[7]float64{0.8, 0.659038, 0.904762, 0.0363625, 0.00387596, 0.679413, 0.511393}},
		{"(c) HP", 22, HP, 512, 16,
			[7]string{"0.8", "0.1815", "0.1874", "0.167", "0.000460", "0.077", "0.061"},
			[7]float64{0.8, 0.181523, 0.187417, 0.166737, 0.000459995, 0.0771932, 0.0611265}},
		{"(c) LOP", 22, LOP, 512, 16,
			[7]string{"0.6", "0.1191", "0.1112", "0.231", "0.000458", "0.208", "0.167"},
			[7]float64{0.6, 0.119063, 0.111228, 0.230674, 0.000457891, 0.207918, 0.166927}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := mustCACTI(t, c.tech, c.dev, c.capB, c.width)
			wantProv := fmt.Sprintf("CACTI 7 row %dnm/%s/%dB/%db", c.tech, c.dev, c.capB, c.width)
			if e.Provenance != wantProv {
				t.Errorf("provenance %q, want %q", e.Provenance, wantProv)
			}
			for i, got := range values(e) {
				if got != c.csv[i] {
					t.Errorf("%s = %v, want the CSV value %v exactly", valueNames[i], got, c.csv[i])
				}
				printed, _ := strconv.ParseFloat(c.readme[i], 64)
				decimals := 0
				if j := strings.IndexByte(c.readme[i], '.'); j >= 0 {
					decimals = len(c.readme[i]) - j - 1
				}
				if math.Abs(got-printed) > 0.5*math.Pow(10, -float64(decimals))+1e-12 {
					t.Errorf("%s = %v does not round to the README's %s", valueNames[i], got, c.readme[i])
				}
			}
		})
	}
}

// between reports whether x lies in the closed interval spanned by a and b.
func between(x, a, b float64) bool { return x >= math.Min(a, b) && x <= math.Max(a, b) }

func TestCACTIInterpolation(t *testing.T) {
	cases := []struct {
		name           string
		tech           int
		dev            Device
		capB, width    int
		lo, hi         CACTIEstimate // neighbours
		wantProvenance string
	}{
		{"capacity 90000 B", 65, LOP, 90000, 64,
			mustCACTI(t, 65, LOP, 65536, 64), mustCACTI(t, 65, LOP, 110592, 64),
			"CACTI 7, log-log interpolation in capacity between 65nm/itrs-lop/65536B/64b and 65nm/itrs-lop/110592B/64b"},
		{"capacity 3000 B", 22, HP, 3000, 32,
			mustCACTI(t, 22, HP, 2048, 32), mustCACTI(t, 22, HP, 4096, 32),
			"CACTI 7, log-log interpolation in capacity between 22nm/itrs-hp/2048B/32b and 22nm/itrs-hp/4096B/32b"},
		{"width 24 b", 65, LOP, 512, 24,
			mustCACTI(t, 65, LOP, 512, 16), mustCACTI(t, 65, LOP, 512, 32),
			"CACTI 7, log-log interpolation in width between 16b (row 65nm/itrs-lop/512B/16b) and 32b (row 65nm/itrs-lop/512B/32b)"},
		{"node 28 nm", 28, HP, 512, 16,
			mustCACTI(t, 22, HP, 512, 16), mustCACTI(t, 32, HP, 512, 16),
			"CACTI 7, log-log interpolation in node between 22nm (row 22nm/itrs-hp/512B/16b) and 32nm (row 32nm/itrs-hp/512B/16b)"},
		{"node 40 nm, width 48 b, 3 KiB", 40, LOP, 3072, 48,
			mustCACTI(t, 32, LOP, 3072, 48), mustCACTI(t, 45, LOP, 3072, 48),
			"CACTI 7, log-log interpolation in node between 32nm (log-log interpolation in width between 32b (log-log interpolation in capacity between 32nm/itrs-lop/2048B/32b and 32nm/itrs-lop/4096B/32b) and 64b (log-log interpolation in capacity between 32nm/itrs-lop/2048B/64b and 32nm/itrs-lop/4096B/64b)) and 45nm (log-log interpolation in width between 32b (log-log interpolation in capacity between 45nm/itrs-lop/2048B/32b and 45nm/itrs-lop/4096B/32b) and 64b (log-log interpolation in capacity between 45nm/itrs-lop/2048B/64b and 45nm/itrs-lop/4096B/64b))"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := mustCACTI(t, c.tech, c.dev, c.capB, c.width)
			if e.TechNM != c.tech || e.Device != c.dev || e.CapacityBytes != c.capB || e.WidthBits != c.width {
				t.Errorf("key fields %d/%s/%d/%d, want the request", e.TechNM, e.Device, e.CapacityBytes, e.WidthBits)
			}
			if e.Provenance != c.wantProvenance {
				t.Errorf("provenance\n got %q\nwant %q", e.Provenance, c.wantProvenance)
			}
			lo, hi, got := values(c.lo), values(c.hi), values(e)
			for i := range got {
				if !between(got[i], lo[i], hi[i]) {
					t.Errorf("%s = %v not between neighbours %v and %v", valueNames[i], got[i], lo[i], hi[i])
				}
				if lo[i] != hi[i] && (got[i] == lo[i] || got[i] == hi[i]) {
					t.Errorf("%s = %v equals a neighbour (%v, %v)", valueNames[i], got[i], lo[i], hi[i])
				}
			}
		})
	}
}

// TestCACTINonMonotone pins the documented decision: CACTI's non-monotone
// rows are kept, and interpolation between them follows the raw neighbours.
// HP 22 nm/16 b reads cost 2.39048 pJ at 16 KiB and 1.98979 pJ at 32 KiB; at
// 24 KiB, t = ln(24/16)/ln 2 = 0.5849625 and the read energy is
// 2.39048·(1.98979/2.39048)^t = 2.14722002 pJ.
func TestCACTINonMonotone(t *testing.T) {
	e16 := mustCACTI(t, 22, HP, 16384, 16)
	e32 := mustCACTI(t, 22, HP, 32768, 16)
	if e16.ReadPJ != 2.39048 || e32.ReadPJ != 1.98979 {
		t.Fatalf("rows changed: 16 KiB %v pJ, 32 KiB %v pJ", e16.ReadPJ, e32.ReadPJ)
	}
	e24 := mustCACTI(t, 22, HP, 24576, 16)
	if relErr(e24.ReadPJ, 2.1472200217159) > 1e-12 {
		t.Errorf("24 KiB read = %.15g pJ, want 2.1472200217159", e24.ReadPJ)
	}
	if !(e24.ReadPJ < e16.ReadPJ && e24.ReadPJ > e32.ReadPJ) {
		t.Errorf("24 KiB read %v pJ must lie strictly inside (%v, %v)", e24.ReadPJ, e32.ReadPJ, e16.ReadPJ)
	}
	// Width: at 65 nm HP 16 KiB a 128-bit read is cheaper than a 64-bit one;
	// 96 b interpolates between them.
	w64, w128 := mustCACTI(t, 65, HP, 16384, 64), mustCACTI(t, 65, HP, 16384, 128)
	if !(w128.ReadPJ < w64.ReadPJ) {
		t.Fatalf("expected the README's width dip: 64 b %v pJ, 128 b %v pJ", w64.ReadPJ, w128.ReadPJ)
	}
	if w96 := mustCACTI(t, 65, HP, 16384, 96); !(w96.ReadPJ < w64.ReadPJ && w96.ReadPJ > w128.ReadPJ) {
		t.Errorf("96 b read %v pJ outside (%v, %v)", w96.ReadPJ, w128.ReadPJ, w64.ReadPJ)
	}
}

func TestCACTIExtrapolation(t *testing.T) {
	t.Run("Eyeriss ifmap spad, 24 B", func(t *testing.T) {
		// Line through 64 B (0.288671 pJ) and 128 B (0.319497 pJ) reads:
		// slope s = ln(0.319497/0.288671)/ln 2 = 0.1463762; 24 B read =
		// 0.288671·(24/64)^s = 0.250064171 pJ. Writes: s = ln(0.478709/0.357485)/ln 2
		// = 0.4212662, 0.357485·(24/64)^s = 0.236489349 pJ.
		e := mustCACTI(t, 65, LOP, 24, 16)
		want := "CACTI 7, extrapolated below the smallest CACTI array (log-log line through 65nm/itrs-lop/64B/16b and 65nm/itrs-lop/128B/16b)"
		if e.Provenance != want {
			t.Errorf("provenance\n got %q\nwant %q", e.Provenance, want)
		}
		if relErr(e.ReadPJ, 0.250064171011038) > 1e-12 || relErr(e.WritePJ, 0.236489348658217) > 1e-12 {
			t.Errorf("read/write %.15g/%.15g pJ, want 0.250064171011038/0.236489348658217", e.ReadPJ, e.WritePJ)
		}
		smallest := mustCACTI(t, 65, LOP, 64, 16)
		if e.VddV != smallest.VddV {
			t.Errorf("Vdd %v, want %v", e.VddV, smallest.VddV)
		}
		got, ref := values(e), values(smallest)
		for i := 1; i < len(got); i++ {
			if !(got[i] > 0 && got[i] < ref[i]) {
				t.Errorf("%s = %v, want positive and below the 64 B row's %v", valueNames[i], got[i], ref[i])
			}
		}
	})
	t.Run("slope clamped", func(t *testing.T) {
		// 45 nm HP 16 b cycle time falls from 0.114034 ns (64 B) to
		// 0.114005 ns (128 B): below 64 B it is held at 0.114034 ns.
		e := mustCACTI(t, 45, HP, 32, 16)
		if e.CycleNS != 0.114034 {
			t.Errorf("cycle %v ns, want held at 0.114034", e.CycleNS)
		}
		if !strings.Contains(e.Provenance, "; cycle time held at 45nm/itrs-hp/64B/16b, slope clamped at 0)") {
			t.Errorf("provenance %q does not name the held quantity", e.Provenance)
		}
		if e.ReadPJ >= 0.295714 || e.AccessNS >= 0.142954 {
			t.Errorf("read %v pJ / access %v ns not below the 64 B row", e.ReadPJ, e.AccessNS)
		}
	})
	t.Run("width CACTI rejected at 64 B", func(t *testing.T) {
		e := mustCACTI(t, 65, HP, 64, 64)
		want := "CACTI 7, extrapolated below the smallest CACTI array (log-log line through 65nm/itrs-hp/256B/64b and 65nm/itrs-hp/512B/64b; cycle time held at 65nm/itrs-hp/256B/64b, slope clamped at 0)"
		if e.Provenance != want {
			t.Errorf("provenance\n got %q\nwant %q", e.Provenance, want)
		}
	})
	t.Run("above 1 MiB", func(t *testing.T) {
		e := mustCACTI(t, 65, HP, 2<<20, 64)
		big := mustCACTI(t, 65, HP, 1<<20, 64)
		want := "CACTI 7, extrapolated above the largest CACTI array (log-log line through 65nm/itrs-hp/1048576B/64b and 65nm/itrs-hp/524288B/64b)"
		if e.Provenance != want {
			t.Errorf("provenance\n got %q\nwant %q", e.Provenance, want)
		}
		if !(e.ReadPJ > big.ReadPJ && e.WritePJ > big.WritePJ && e.LeakageMW > big.LeakageMW && e.AreaMM2 > big.AreaMM2) {
			t.Errorf("2 MiB %+v not above 1 MiB %+v", e, big)
		}
		if e.CycleNS != big.CycleNS { // 512 KiB and 1 MiB share 2.1354 ns: flat line
			t.Errorf("cycle %v ns, want %v", e.CycleNS, big.CycleNS)
		}
	})
}

func TestCACTIErrors(t *testing.T) {
	cases := []struct {
		name        string
		tech        int
		dev         Device
		capB, width int
		wantErr     string
	}{
		{"unknown device", 65, "itrs-lstp", 512, 16, `unknown device type "itrs-lstp"`},
		{"empty device", 65, "", 512, 16, "unknown device type"},
		{"zero capacity", 65, HP, 0, 16, "capacity 0 bytes is not positive"},
		{"negative capacity", 65, HP, -8, 16, "capacity -8 bytes is not positive"},
		{"zero width", 65, HP, 512, 0, "width 0 bits is not positive"},
		{"less than a word", 65, HP, 1, 16, "capacity 1 bytes holds less than one 16-bit word"},
		{"node below", 14, HP, 512, 16, "node 14 nm outside the CACTI table's [22 32 45 65] nm"},
		{"node above", 90, LOP, 512, 16, "node 90 nm outside"},
		{"node zero", 0, LOP, 512, 16, "node 0 nm outside"},
		{"width below", 65, HP, 512, 8, "width 8 b outside the CACTI table's [16 32 64 128] b at 65 nm/itrs-hp"},
		{"width above", 22, LOP, 4096, 256, "width 256 b outside"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := CACTI(c.tech, c.dev, c.capB, c.width)
			if err == nil || !strings.HasPrefix(err.Error(), "sram: CACTI ") || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

// smallCSV is a valid table in the embedded format: two groups of rows.
const smallCSV = `# comment line
tech_nm,capacity_bytes,width_bits,vdd_v,read_energy_pj,write_energy_pj,leakage_mw,area_mm2,access_time_ns,cycle_time_ns,cell_type,periph_type,extra,leakage_subthreshold_mw
65,64,16,0.8,0.288671,0.357485,0.00562456,0.00067304,0.490579,0.388663,itrs-lop,itrs-lop,x,0.0041
65,128,16,0.8,0.319497,0.478709,0.0125265,0.00118559,0.571252,0.39618,itrs-lop,itrs-lop,y,0.0093
# another comment
65,512,16,1.1,1.05743,1.62224,0.831702,0.00387698,0.332691,0.245702,itrs-hp,itrs-hp,z,0.8
`

func TestParseCACTISmall(t *testing.T) {
	tab, err := parseCACTI("small.csv", []byte(smallCSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.rows) != 3 || tab.rows[1].CapacityBytes != 128 || tab.rows[2].Device != HP || tab.rows[2].ReadPJ != 1.05743 {
		t.Fatalf("rows %+v", tab.rows)
	}
	if _, err := tab.estimate(65, HP, 1024, 16); err == nil || !strings.Contains(err.Error(), "1 CACTI row(s) for 65nm/itrs-hp/16b, need two") {
		t.Errorf("one-row group: err = %v", err)
	}
}

// corrupt replaces field `field` (0-based) of line `line` (1-based) of smallCSV
// and returns the text and the 1-based byte column of that field.
func corrupt(line, field int, value string) (string, int) {
	lines := strings.Split(smallCSV, "\n")
	fields := strings.Split(lines[line-1], ",")
	col := 1
	for _, f := range fields[:field] {
		col += len(f) + 1
	}
	fields[field] = value
	lines[line-1] = strings.Join(fields, ",")
	return strings.Join(lines, "\n"), col
}

func TestParseCACTIErrors(t *testing.T) {
	type tc struct {
		name, data, wantErr string
	}
	var cases []tc
	for _, c := range []struct {
		name         string
		line, field  int
		value, issue string
	}{
		{"not a number", 3, 4, "abc", `column read_energy_pj: strconv.ParseFloat: parsing "abc": invalid syntax`},
		{"NaN", 4, 6, "NaN", "column leakage_mw: NaN is not a positive finite number"},
		{"zero", 6, 7, "0", "column area_mm2: 0 is not a positive finite number"},
		{"infinite", 6, 9, "Inf", "column cycle_time_ns: +Inf is not a positive finite number"},
		{"negative int", 3, 1, "-64", "column capacity_bytes: -64 is not positive"},
		{"fractional int", 4, 2, "16.5", `column width_bits: strconv.Atoi: parsing "16.5": invalid syntax`},
		{"unknown device", 6, 11, "itrs-lstp", `column periph_type: unknown device type "itrs-lstp"`},
		{"cell differs", 6, 10, "itrs-lop", `column cell_type: "itrs-lop" differs from periph_type "itrs-hp"`},
		{"vdd differs", 4, 3, "0.9", "column vdd_v: 0.9 V differs from 0.8 V at line 3 for the same node and device type"},
		{"subthreshold above total", 3, 13, "0.006", "column leakage_subthreshold_mw: 0.006 mW exceeds the total leakage 0.00562456 mW"},
	} {
		data, col := corrupt(c.line, c.field, c.value)
		cases = append(cases, tc{c.name, data, fmt.Sprintf("t.csv:%d:%d: %s", c.line, col, c.issue)})
	}
	dupRow := strings.Replace(smallCSV, "65,128,16,", "65,64,16,", 1)
	header := strings.Split(smallCSV, "\n")[1]
	dupCol := strings.LastIndex(header, ",extra") + 2 // 1-based column of the renamed last field
	quoteCol := len("65,128,16,0.8,0.3") + 1          // the stray quote itself
	cases = append(cases,
		tc{"duplicate row", dupRow, "t.csv:4:1: duplicate row 65nm/itrs-lop/64B/16b (first at line 3)"},
		tc{"missing column", strings.Replace(smallCSV, "leakage_mw", "leak", 1), `t.csv:2:1: missing column "leakage_mw"`},
		tc{"duplicate column", strings.Replace(smallCSV, ",extra", ",vdd_v", 1), fmt.Sprintf(`t.csv:2:%d: duplicate column "vdd_v"`, dupCol)},
		tc{"field count", strings.Replace(smallCSV, ",itrs-lop,y", ",itrs-lop", 1), "t.csv:4:1: wrong number of fields"},
		tc{"bare quote", strings.Replace(smallCSV, "0.319497", `0.3"19497`, 1), fmt.Sprintf(`t.csv:4:%d: bare " in non-quoted-field`, quoteCol)},
		tc{"empty", "", "t.csv: no header line"},
		tc{"comments only", "# a\n# b\n", "t.csv: no header line"},
		tc{"header only", strings.SplitAfter(smallCSV, "\n")[0] + strings.SplitAfter(smallCSV, "\n")[1], "t.csv: no data rows"},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseCACTI("t.csv", []byte(c.data))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v\nwant one containing %q", err, c.wantErr)
			}
		})
	}
}

// FuzzParseCACTI: the parser never panics, and whatever it accepts is a table
// whose every row is positive, finite and comes back exactly from estimate.
func FuzzParseCACTI(f *testing.F) {
	f.Add(cactiCSV)
	f.Add([]byte(smallCSV))
	for _, s := range []string{"", "#\n", "tech_nm\n1\n", strings.Replace(smallCSV, "0.8,", "-0.8,", 1),
		strings.Replace(smallCSV, "itrs-lop,itrs-lop,y", "itrs-hp,itrs-hp,y", 1), `"a,b`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := parseCACTI("fuzz.csv", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv:") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(tab.rows) == 0 {
			t.Fatal("accepted a table without rows")
		}
		for _, r := range tab.rows {
			for i, v := range values(r) {
				if !(v > 0) || math.IsInf(v, 0) {
					t.Fatalf("row %s: %s = %v", r.Provenance, valueNames[i], v)
				}
			}
			if int64(r.CapacityBytes)*8 < int64(r.WidthBits) {
				continue // estimate rejects arrays below one word, even as rows
			}
			got, err := tab.estimate(r.TechNM, r.Device, r.CapacityBytes, r.WidthBits)
			if err != nil || got != r {
				t.Fatalf("estimate(%s) = %+v, %v; want the row", r.Provenance, got, err)
			}
		}
	})
}
