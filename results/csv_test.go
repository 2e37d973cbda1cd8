package results_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"cosim/internal/resultstest"
	"cosim/mc/accuracy"
	"cosim/results"
)

const csvHead = "BER,acc_mean,acc_std,acc_min,acc_max,vdd_v,energy_pj,model,method,trials,ci_low,ci_high,protocol,images\n"

// csvHeadLegacy is the header of files written before the protocol and images columns.
const csvHeadLegacy = "BER,acc_mean,acc_std,acc_min,acc_max,vdd_v,energy_pj,model,method,trials,ci_low,ci_high\n"

func TestWriteCSVWorkedExample(t *testing.T) {
	pts := []results.Point{
		{Model: "resnet20", Method: "wcat", VddV: 0.8, BER: 0, EnergyPJ: 35.5e6, Stats: accuracy.Stats{AccMean: 91.3, AccMin: 91.3, AccMax: 91.3, CILow: 91.3, CIHigh: 91.3, Trials: 1}},
		{Model: `a "quoted", name`, Method: "", VddV: 0.44, BER: 3.85e-4, EnergyPJ: 25735000.5, Stats: accuracy.Stats{AccMean: 90.4, AccStd: 0.1, AccMin: 90.2, AccMax: 90.6, CILow: 90.37, CIHigh: 90.43, Trials: 50, Protocol: "subset", Images: 1000}},
	}
	var buf bytes.Buffer
	if err := results.WriteCSV(&buf, pts); err != nil {
		t.Fatal(err)
	}
	want := csvHead +
		"0,91.3,0,91.3,91.3,0.8,3.55e+07,resnet20,wcat,1,91.3,91.3,,\n" +
		"0.000385,90.4,0.1,90.2,90.6,0.44,2.5735e+07,\"a \"\"quoted\"\", name\",,50,90.37,90.43,subset,1000\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteCSV:\n%s\nwant:\n%s", got, want)
	}
	// The first five columns are the WCAT random_flip_result.csv columns, in that order.
	if got := strings.Join(results.CSVHeader()[:5], ","); got != "BER,acc_mean,acc_std,acc_min,acc_max" {
		t.Errorf("WCAT columns = %s", got)
	}
}

// TestCSVRoundTrip: reading a written file gives the points rounded (accuracies to 0.01 point,
// BER and energy to 6 significant digits), and writing those again gives the same bytes.
func TestCSVRoundTrip(t *testing.T) {
	pts := resultstest.Sample().Points
	pts[3].EnergyPJ = math.Nextafter(2.6e7, 3e7)
	pts[4].BER = 1.0 / 3.0
	pts[1].AccMean, pts[1].CILow, pts[1].CIHigh, pts[1].AccMin, pts[1].AccMax = 90.12345, 90.0049, 90.2451, 89.5, 91
	pts[0].AccStd = math.Copysign(0, -1)
	var buf bytes.Buffer
	if err := results.WriteCSV(&buf, pts); err != nil {
		t.Fatal(err)
	}
	first := buf.String()
	got, err := results.ReadCSV(&buf, "sweep.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pts) {
		t.Fatalf("%d points read, %d written", len(got), len(pts))
	}
	rel := func(a, b float64) bool { return math.Abs(a-b) <= 5e-6*math.Abs(b) }
	for k, p := range pts {
		g := got[k]
		accs := [][2]float64{{g.AccMean, p.AccMean}, {g.AccStd, p.AccStd}, {g.AccMin, p.AccMin}, {g.AccMax, p.AccMax}, {g.CILow, p.CILow}, {g.CIHigh, p.CIHigh}}
		for _, a := range accs {
			if math.Abs(a[0]-a[1]) > 0.005+1e-9 || math.Abs(a[0]*100-math.Round(a[0]*100)) > 1e-6 {
				t.Errorf("point %d: accuracy %v written for %v, want it to 0.01", k, a[0], a[1])
			}
		}
		if !rel(g.BER, p.BER) || !rel(g.EnergyPJ, p.EnergyPJ) || g.VddV != p.VddV || g.Model != p.Model || g.Trials != p.Trials || g.Protocol != p.Protocol {
			t.Errorf("point %d: read %+v for %+v", k, g, p)
		}
	}
	if got[3].EnergyPJ != 2.6e7 || got[4].BER != 0.333333 || got[1].AccMean != 90.12 || got[1].CILow != 90 || got[1].CIHigh != 90.25 {
		t.Errorf("rounded values %v %v %v %v %v", got[3].EnergyPJ, got[4].BER, got[1].AccMean, got[1].CILow, got[1].CIHigh)
	}
	if math.Signbit(got[0].AccStd) != true {
		t.Error("negative zero lost")
	}
	var again bytes.Buffer
	if err := results.WriteCSV(&again, got); err != nil || again.String() != first {
		t.Errorf("writing the read points again changed the file (%v):\n%s\nvs\n%s", err, again.String(), first)
	}
}

func TestCSVEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := results.WriteCSV(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if buf.String() != csvHead {
		t.Errorf("WriteCSV(nil) = %q", buf.String())
	}
	pts, err := results.ReadCSV(&buf, "x.csv")
	if err != nil || len(pts) != 0 {
		t.Errorf("ReadCSV(header only) = %v, %v", pts, err)
	}
}

func TestWriteCSVRejectsInvalid(t *testing.T) {
	p := goodPoint()
	p.AccMean = math.NaN()
	var buf bytes.Buffer
	err := results.WriteCSV(&buf, []results.Point{goodPoint(), p})
	if !errors.Is(err, results.ErrInvalid) || !strings.Contains(err.Error(), "points[1].acc_mean") {
		t.Errorf("WriteCSV(NaN) = %v, want an ErrInvalid at points[1].acc_mean", err)
	}
	if buf.Len() != 0 {
		t.Errorf("WriteCSV wrote %d bytes for an invalid point", buf.Len())
	}
}

const goodRow = "0.000385,90.4,0.8,88,91.6,0.44,2.57e7,resnet20,wcat,50,90.18,90.62,subset,1000\n"

// goodLegacyRow is goodRow as written before the protocol and images columns.
const goodLegacyRow = "0.000385,90.4,0.8,88,91.6,0.44,2.57e7,resnet20,wcat,50,90.18,90.62\n"

// TestReadCSVLegacy reads a file written before the protocol and images columns existed: its
// points have no protocol and no image count, and everything else as before.
func TestReadCSVLegacy(t *testing.T) {
	pts, err := results.ReadCSV(strings.NewReader(csvHeadLegacy+goodLegacyRow+"0,91.3,0,91.3,91.3,0.8,3.55e+07,resnet20,wcat,1,91.3,91.3\n"), "old.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []results.Point{goodPoint(), {Model: "resnet20", Method: "wcat", VddV: 0.8, BER: 0, EnergyPJ: 3.55e7, Stats: accuracy.Stats{AccMean: 91.3, AccMin: 91.3, AccMax: 91.3, CILow: 91.3, CIHigh: 91.3, Trials: 1}}}
	want[0].EnergyPJ = 2.57e7
	if !reflect.DeepEqual(pts, want) {
		t.Errorf("ReadCSV(legacy) =\n%+v\nwant\n%+v", pts, want)
	}
	// The same rows with the new columns read back with them.
	pts, err = results.ReadCSV(strings.NewReader(csvHead+goodRow), "new.csv")
	if err != nil {
		t.Fatal(err)
	}
	if want := (results.Point{Stats: accuracy.Stats{Protocol: "subset", Images: 1000}}); pts[0].Protocol != want.Protocol || pts[0].Images != want.Images {
		t.Errorf("protocol, images = %q, %d; want subset, 1000", pts[0].Protocol, pts[0].Images)
	}
	// "0" and an empty field both mean "not recorded".
	for _, images := range []string{"", "0"} {
		row := strings.Replace(goodRow, ",1000\n", ","+images+"\n", 1)
		pts, err := results.ReadCSV(strings.NewReader(csvHead+row), "t.csv")
		if err != nil || pts[0].Images != 0 {
			t.Errorf("images %q: %v, %v", images, pts, err)
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty file", "", "t.csv:1:1: empty file"},
		{"WCAT five-column header", "BER,acc_mean,acc_std,acc_min,acc_max\n0,91,0,91,91\n", "t.csv:1:30: header has 5 columns, want 14 (or the first 12,"},
		{"thirteen columns", strings.TrimSuffix(csvHead, ",images\n") + "\n", "t.csv:1:89: header has 13 columns, want 14 (or the first 12,"},
		{"legacy header, new row", csvHeadLegacy + goodRow, "t.csv:2:1: record on line 2: wrong number of fields"},
		{"new header, legacy row", csvHead + goodLegacyRow, "t.csv:2:1: record on line 2: wrong number of fields"},
		{"misspelt header", strings.Replace(csvHead, "acc_std", "acc_sd", 1), `t.csv:1:14: header column 3 is "acc_sd", want "acc_std"`},
		{"header case", strings.Replace(csvHead, "BER", "ber", 1), `t.csv:1:1: header column 1 is "ber", want "BER"`},
		{"extra header column", strings.TrimSuffix(csvHead, "\n") + ",extra\n", `t.csv:1:105: unexpected header column "extra"`},
		{"extra column after the legacy header", strings.TrimSuffix(csvHeadLegacy, "\n") + ",extra\n", `t.csv:1:89: header column 13 is "extra", want "protocol"`},
		{"short record", csvHead + goodRow + "0,91,0,91,91\n", "t.csv:3:1: record on line 3: wrong number of fields"},
		{"bare quote", csvHead + "0,9\"1,0,91,91,0.8,1,m,w,1,91,91\n", "t.csv:2:4: parse error on line 2, column 4: bare \" in non-quoted-field"},
		{"not a number", csvHead + strings.Replace(goodRow, "88,", "eighty,", 1), `t.csv:2:19: column acc_min: "eighty" is not a number`},
		{"space before number", csvHead + strings.Replace(goodRow, ",0.44,", ", 0.44,", 1), `t.csv:2:27: column vdd_v: " 0.44" is not a number`},
		{"fractional trials", csvHead + strings.Replace(goodRow, ",50,", ",50.0,", 1), `t.csv:2:53: column trials: "50.0" is not an integer`},
		{"NaN", csvHead + strings.Replace(goodRow, "90.4,", "NaN,", 1), "t.csv:2:10: acc_mean: NaN is not a finite number"},
		{"accuracy as fraction", csvHead + "0,0.9,0,0.9,0.9,0.8,1,m,w,1,0.9,0.9,,\n" + "0,0.9,0,0.9,1.2e2,0.8,1,m,w,1,0.9,0.9,,\n",
			"t.csv:3:13: acc_max: accuracy 120% is above 100"},
		{"empty model", csvHead + strings.Replace(goodRow, "resnet20", "", 1), "t.csv:2:39: model: is empty"},
		{"fractional images", csvHead + strings.Replace(goodRow, ",1000", ",1e3", 1), `t.csv:2:75: column images: "1e3" is not an integer`},
		{"negative images", csvHead + strings.Replace(goodRow, ",1000", ",-1", 1), "t.csv:2:75: images: image count -1 is negative"},
		{"control character in protocol", csvHead + strings.Replace(goodRow, "subset", "\"sub\nset\"", 1), `t.csv:2:68: protocol: "sub\nset" contains control character`},
		{"CI above mean", csvHead + strings.Replace(goodRow, "90.18", "90.5", 1), "t.csv:2:56: ci_low: confidence bound 90.5% is above the mean 90.4%"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := results.ReadCSV(strings.NewReader(tc.in), "t.csv")
			if err == nil {
				t.Fatalf("ReadCSV succeeded, want error %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("ReadCSV error\n got %q\nwant prefix %q", err, tc.want)
			}
		})
	}
}

func TestReadCSVErrorWrapping(t *testing.T) {
	_, err := results.ReadCSV(strings.NewReader(csvHead+"0,9\"1\n"), "t.csv")
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		t.Errorf("error %v does not wrap *csv.ParseError", err)
	}
	_, err = results.ReadCSV(strings.NewReader(csvHead+strings.Replace(goodRow, "88,", "x,", 1)), "t.csv")
	var ne *strconv.NumError
	if !errors.As(err, &ne) {
		t.Errorf("error %v does not wrap *strconv.NumError", err)
	}
	_, err = results.ReadCSV(strings.NewReader(csvHead+strings.Replace(goodRow, ",50,", ",0,", 1)), "t.csv")
	var fe *results.FieldError
	if !errors.As(err, &fe) || fe.Path != "trials" || !errors.Is(err, results.ErrInvalid) {
		t.Errorf("error %v does not wrap a *FieldError at trials", err)
	}
}

// FuzzReadCSV checks that ReadCSV never panics and that whatever it accepts, once written and
// read back (rounded), is written again to the same bytes.
func FuzzReadCSV(f *testing.F) {
	var buf bytes.Buffer
	if err := results.WriteCSV(&buf, resultstest.Sample().Points); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(csvHead)
	f.Add(csvHead + goodRow)
	f.Add(csvHead + "0,91,0,91,91,0.8,1,\"a,\"\"b\",,1,91,91,\"sub,set\",7\r\n")
	f.Add("BER,acc_mean,acc_std,acc_min,acc_max\n0,91,0,91,91\n")
	f.Add(csvHead + "1e-3,50,5,40,60,0.5,-0,m,w,7,45,55,,\n")
	f.Add(csvHeadLegacy + goodLegacyRow)
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		pts, err := results.ReadCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := results.WriteCSV(&out, pts); err != nil {
			t.Fatalf("WriteCSV of accepted points: %v", err)
		}
		written := out.String()
		again, err := results.ReadCSV(&out, "again.csv")
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, written)
		}
		var out2 bytes.Buffer
		if err := results.WriteCSV(&out2, again); err != nil || out2.String() != written {
			t.Fatalf("second round trip changed the file (%v):\n%s\nvs\n%s", err, out2.String(), written)
		}
	})
}
