package results_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"cosim/internal/resultstest"
	"cosim/mc/accuracy"
	"cosim/results"
)

// roundTrip writes r as JSON and reads it back.
func roundTrip(t *testing.T, r results.Report) results.Report {
	t.Helper()
	var buf bytes.Buffer
	if err := results.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	back, err := results.ReadJSON(&buf, "r.json")
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestJSONRoundTrip(t *testing.T) {
	r := resultstest.Sample()
	r.Points[2].EnergyPJ = math.Nextafter(2.6e7, 3e7)
	r.Notes = append(r.Notes, `quotes " and <tags> & tabs	ok`, "ünïcødé µJ")
	var buf bytes.Buffer
	if err := results.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	got, err := results.ReadJSON(bytes.NewReader(buf.Bytes()), "sweep.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("round trip changed the report:\n%+v\n%+v", got, r)
	}
	// Optional lists are left out when empty and read back as nil.
	min := results.Report{Title: "t", Points: []results.Point{goodPoint()}}
	buf.Reset()
	if err := results.WriteJSON(&buf, min); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "breakdowns") || strings.Contains(buf.String(), "ber_curve") {
		t.Errorf("empty optional fields written:\n%s", buf.String())
	}
	got, err = results.ReadJSON(&buf, "min.json")
	if err != nil || !reflect.DeepEqual(got, min) {
		t.Errorf("ReadJSON(minimal) = %+v, %v", got, err)
	}
}

func TestWriteJSONWorkedExample(t *testing.T) {
	r := results.Report{Title: "t", Arch: "eyeriss", BERCurve: []results.BERPoint{{VddV: 0.5, BER: 1.5e-5}}, Points: []results.Point{{
		Model: "m", Method: "wcat", VddV: 0.5, BER: 1.5e-5, EnergyPJ: 2.5e7,
		Stats: accuracy.Stats{AccMean: 90, AccStd: 0, AccMin: 90, AccMax: 90, CILow: 90, CIHigh: 90, Trials: 1}}}}
	var buf bytes.Buffer
	if err := results.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	want := `{
  "title": "t",
  "arch": "eyeriss",
  "ber_curve": [
    {
      "vdd_v": 0.5,
      "ber": 0.000015
    }
  ],
  "points": [
    {
      "model": "m",
      "method": "wcat",
      "vdd_v": 0.5,
      "ber": 0.000015,
      "energy_pj": 25000000,
      "acc_mean": 90,
      "acc_std": 0,
      "acc_min": 90,
      "acc_max": 90,
      "ci_low": 90,
      "ci_high": 90,
      "trials": 1
    }
  ]
}
`
	if buf.String() != want {
		t.Errorf("WriteJSON:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// TestWriteJSONNewFields pins the JSON of the optional fields: a point's protocol and images, a
// breakdown's label, and a curve (booleans written only when true).
func TestWriteJSONNewFields(t *testing.T) {
	r := results.Report{Title: "t", Arch: "a",
		Points: []results.Point{{Model: "m", Method: "wcat", VddV: 0.5, BER: 1e-3, EnergyPJ: 2,
			Stats: accuracy.Stats{AccMean: 90, AccStd: 0.5, AccMin: 89, AccMax: 91, CILow: 89.5, CIHigh: 90.5, Trials: 40, Protocol: "subset", Images: 1000}}},
		Breakdowns: []results.Breakdown{{Model: "m", VddV: 0.5, Label: "nominal", Components: []results.Share{{Name: "MAC", PJ: 1}}}},
		Curves: []results.Curve{{Title: "α*", XLabel: "BER", YLabel: "α", LogX: true,
			Series: []results.Series{{Name: "normal", X: []float64{1e-5, 0.01}, Y: []float64{2.5, 1.5}}}}},
	}
	var buf bytes.Buffer
	if err := results.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\"trials\": 40,\n      \"protocol\": \"subset\",\n      \"images\": 1000\n    }",
		"\"vdd_v\": 0.5,\n      \"label\": \"nominal\",\n      \"components\": [",
		"\"layers\": null\n",
		`"curves": [
    {
      "title": "α*",
      "x_label": "BER",
      "y_label": "α",
      "log_x": true,
      "series": [
        {
          "name": "normal",
          "x": [
            0.00001,
            0.01
          ],
          "y": [
            2.5,
            1.5
          ]
        }
      ]
    }
  ]
}
`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("WriteJSON lacks\n%s\nin\n%s", want, buf.String())
		}
	}
	for _, absent := range []string{`"id"`, `"caption"`, `"log_y"`} {
		if strings.Contains(buf.String(), absent) {
			t.Errorf("WriteJSON wrote the empty optional key %s", absent)
		}
	}
	back, err := results.ReadJSON(&buf, "t.json")
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("round trip: %v\n%+v\n%+v", err, back, r)
	}
}

// TestReadJSONOldFile reads a report written before protocol, images, label and curves existed.
func TestReadJSONOldFile(t *testing.T) {
	old := "{\"title\": \"t\", \"arch\": \"a\",\n \"points\": [\n" + pointJSON + "\n],\n" +
		"\"breakdowns\": [{\"model\": \"m\", \"vdd_v\": 0.5, \"components\": [{\"name\": \"MAC\", \"energy_pj\": 1}], \"layers\": []}]}"
	r, err := results.ReadJSON(strings.NewReader(old), "old.json")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Points[0]
	if p.Protocol != "" || p.Images != 0 || r.Breakdowns[0].Label != "" || r.Curves != nil {
		t.Errorf("old file read with new fields set: %+v", r)
	}
	if p.Trials != 50 || p.AccMean != 90 || r.Breakdowns[0].Components[0].PJ != 1 {
		t.Errorf("old file misread: %+v", r)
	}
}

func TestWriteJSONRejectsInvalid(t *testing.T) {
	r := resultstest.Sample()
	r.BERCurve[0].BER = math.NaN()
	var buf bytes.Buffer
	err := results.WriteJSON(&buf, r)
	if !errors.Is(err, results.ErrInvalid) || buf.Len() != 0 {
		t.Errorf("WriteJSON(NaN) = %v with %d bytes written", err, buf.Len())
	}
}

// pointJSON is a valid point object, one key per line, starting at line 3 of minimalJSON.
const pointJSON = `{"model": "m", "method": "wcat",
  "vdd_v": 0.5, "ber": 1e-3, "energy_pj": 2.5e7,
  "acc_mean": 90, "acc_std": 1, "acc_min": 88, "acc_max": 91,
  "ci_low": 89.7, "ci_high": 90.3, "trials": 50}`

func minimalJSON(point string) string {
	return "{\"title\": \"t\", \"arch\": \"a\",\n \"points\": [\n" + point + "\n]}\n"
}

// curveJSON is a report with one curve; extra goes before the curve's "series" key (line 3).
func curveJSON(extra string) string {
	return "{\"title\": \"t\", \"arch\": \"a\", \"points\": [],\n\"curves\": [\n" +
		"{\"title\": \"c\", \"x_label\": \"x\", \"y_label\": \"y\", " + extra + "\"series\": [\n" +
		"{\"name\": \"s\", \"x\": [1, 2], \"y\": [2, 1]}]}]}\n"
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "t.json:1:1: unexpected end of input"},
		{"not an object", "[1]", "t.json:1:1: report: want object, got array"},
		{"truncated", minimalJSON(pointJSON)[:40], "t.json:2:13: unexpected end of input"},
		{"syntax error", "{\"title\": \"t\",\n \"arch\" \"a\"}", "t.json:2:9: invalid character '\"' after object key"},
		{"unknown key", "{\"title\": \"t\",\n  \"arhc\": \"a\", \"points\": []}", `t.json:2:3: report: unknown key "arhc"`},
		{"key in other case", "{\"Title\": \"t\"}", `t.json:1:2: report: unknown key "Title"`},
		{"duplicate key", "{\"title\": \"t\", \"arch\": \"a\", \"title\": \"u\"}", `t.json:1:29: report: duplicate key "title"`},
		{"missing points", "{\"title\": \"t\", \"arch\": \"a\"}", `t.json:1:1: report: missing key "points"`},
		{"misspelt point key", minimalJSON(strings.Replace(pointJSON, `"trials": 50`, `"tirals": 50`, 1)),
			`t.json:6:36: points[0]: unknown key "tirals"`},
		{"point key absent", minimalJSON(strings.Replace(pointJSON, `, "trials": 50`, ``, 1)),
			`t.json:3:1: points[0]: missing key "trials"`},
		{"string for number", minimalJSON(strings.Replace(pointJSON, `"vdd_v": 0.5`, `"vdd_v": "0.5"`, 1)),
			`t.json:4:12: points[0].vdd_v: want number, got string`},
		{"null number", minimalJSON(strings.Replace(pointJSON, `"acc_std": 1`, `"acc_std": null`, 1)),
			`t.json:5:30: points[0].acc_std: want number, got null`},
		{"fractional trials", minimalJSON(strings.Replace(pointJSON, `"trials": 50`, `"trials": 5e1`, 1)),
			`t.json:6:46: points[0].trials: want an integer, got 5e1`},
		{"huge number", minimalJSON(strings.Replace(pointJSON, `2.5e7`, `2.5e700`, 1)),
			`t.json:4:43: points[0].energy_pj: number 2.5e700 does not fit a float64`},
		{"trailing data", minimalJSON(pointJSON) + "{}", `t.json:8:1: unexpected object after the report`},
		{"invalid value", minimalJSON(strings.Replace(pointJSON, `"acc_max": 91`, `"acc_max": 101`, 1)),
			`t.json:5:59: points[0].acc_max: accuracy 101% is above 100`},
		{"invalid nested value", "{\"title\": \"\", \"arch\": \"\", \"points\": [],\n\"breakdowns\": [{\"model\": \"m\", \"vdd_v\": 0.5,\n" +
			"\"components\": [{\"name\": \"DRAM\", \"energy_pj\": -1}], \"layers\": []}]}",
			`t.json:3:46: breakdowns[0].components[0].energy_pj: energy -1 pJ is negative`},
		{"images as a fraction", minimalJSON(strings.Replace(pointJSON, `"trials": 50`, `"trials": 50, "images": 1.5`, 1)),
			`t.json:6:60: points[0].images: want an integer, got 1.5`},
		{"negative images", minimalJSON(strings.Replace(pointJSON, `"trials": 50`, `"trials": 50, "images": -3`, 1)),
			`t.json:6:60: points[0].images: image count -3 is negative`},
		{"protocol not a string", minimalJSON(strings.Replace(pointJSON, `"trials": 50`, `"trials": 50, "protocol": 1`, 1)),
			`t.json:6:62: points[0].protocol: want string, got number`},
		{"breakdown label not a string", "{\"title\": \"\", \"arch\": \"\", \"points\": [],\n\"breakdowns\": [{\"model\": \"m\", \"vdd_v\": 0.5, \"label\": null,\n" +
			"\"components\": [], \"layers\": []}]}", `t.json:2:54: breakdowns[0].label: want string, got null`},
		{"boolean as a string", curveJSON(`"log_x": "yes", `), `t.json:3:57: curves[0].log_x: want boolean, got string`},
		{"boolean null", curveJSON(`"log_y": null, `), `t.json:3:57: curves[0].log_y: want boolean, got null`},
		{"curve without series", strings.Replace(curveJSON(""), `"series"`, `"seris"`, 1), `t.json:3:48: curves[0]: unknown key "seris"`},
		{"series without y", strings.Replace(curveJSON(""), `, "y": [2, 1]`, ``, 1), `t.json:4:1: curves[0].series[0]: missing key "y"`},
		{"series value null", strings.Replace(curveJSON(""), `[2, 1]`, `[2, null]`, 1), `t.json:4:37: curves[0].series[0].y[1]: want number, got null`},
		{"series lengths differ", strings.Replace(curveJSON(""), `[2, 1]`, `[2]`, 1), `t.json:4:33: curves[0].series[0].y: 1 values for 2 x values`},
		{"bad curve ID", curveJSON(`"id": "a b", `), `t.json:3:54: curves[0].id: "a b" is not an ID`},
		{"invalid slice element type", "{\"title\": \"t\", \"arch\": \"a\", \"notes\": [1], \"points\": []}",
			`t.json:1:39: notes[0]: want string, got number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := results.ReadJSON(strings.NewReader(tc.in), "t.json")
			if err == nil {
				t.Fatalf("ReadJSON succeeded, want error %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("ReadJSON error\n got %q\nwant prefix %q", err, tc.want)
			}
		})
	}
}

func TestReadJSONAcceptsNullLists(t *testing.T) {
	r, err := results.ReadJSON(strings.NewReader(`{"title": "t", "arch": "a", "notes": null, "points": null}`), "t.json")
	if err != nil {
		t.Fatal(err)
	}
	if r.Points != nil || r.Notes != nil {
		t.Errorf("null lists read as %v, %v", r.Points, r.Notes)
	}
	if _, err := results.ReadJSON(strings.NewReader(minimalJSON(pointJSON)), "t.json"); err != nil {
		t.Errorf("minimal report: %v", err)
	}
}

// FuzzReadJSON checks that ReadJSON never panics, that every error has a position, and that
// whatever it accepts survives a WriteJSON/ReadJSON round trip unchanged.
func FuzzReadJSON(f *testing.F) {
	var buf bytes.Buffer
	if err := results.WriteJSON(&buf, resultstest.Sample()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(minimalJSON(pointJSON))
	f.Add(curveJSON(`"id": "c1", "log_x": true, "log_y": false, `))
	f.Add(`{"title": "t", "arch": "a", "points": null}`)
	f.Add(`{"title": "\u003c/script\u003e", "arch": "a", "points": [], "notes": ["\ud800"]}`)
	f.Add(`{"title": 1}`)
	f.Add(`[`)
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := results.ReadJSON(strings.NewReader(in), "fuzz.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := results.WriteJSON(&out, r); err != nil {
			t.Fatalf("WriteJSON of an accepted report: %v", err)
		}
		again, err := results.ReadJSON(&out, "again.json")
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip changed the report:\n%+v\n%+v", r, again)
		}
	})
}

// Nominal energies survive a round trip, and a pair given twice, an empty
// model or a non-positive energy is rejected naming the field.
func TestNominalEnergies(t *testing.T) {
	r := resultstest.Sample()
	r.Nominal = []results.NominalEnergy{{Model: "resnet20", Method: "wcat", VddV: 0.8, EnergyPJ: 132.5e6}, {Model: "resnet20", Method: "normal", VddV: 0.8, EnergyPJ: 132.5e6}}
	back := roundTrip(t, r)
	if !reflect.DeepEqual(back.Nominal, r.Nominal) {
		t.Fatalf("nominal energies %+v, want %+v", back.Nominal, r.Nominal)
	}
	for _, c := range []struct {
		nominal []results.NominalEnergy
		path    string
	}{
		{[]results.NominalEnergy{r.Nominal[0], r.Nominal[0]}, "nominal[1].model"},
		{[]results.NominalEnergy{{Model: "", VddV: 0.8, EnergyPJ: 1}}, "nominal[0].model"},
		{[]results.NominalEnergy{{Model: "m", VddV: 0.8, EnergyPJ: 0}}, "nominal[0]"},
	} {
		bad := resultstest.Sample()
		bad.Nominal = c.nominal
		var fe *results.FieldError
		if err := bad.Validate(); !errors.As(err, &fe) || fe.Path != c.path {
			t.Errorf("%+v: err %v, want a field error at %s", c.nominal, err, c.path)
		}
	}
}
