package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"cosim/internal/resultstest"
	"cosim/results"
)

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports", "run1")
	r := resultstest.Sample()
	if err := WriteAll(dir, r); err != nil {
		t.Fatal(err)
	}
	csvData, err := os.ReadFile(filepath.Join(dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	var csvWant bytes.Buffer
	if err := results.WriteCSV(&csvWant, r.Points); err != nil || !bytes.Equal(csvData, csvWant.Bytes()) {
		t.Errorf("sweep.csv is not WriteCSV's output (%v)", err)
	}
	j, err := os.Open(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	back, err := results.ReadJSON(j, JSONFile)
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("sweep.json read back: %v (equal: %v)", err, reflect.DeepEqual(back, r))
	}
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := WriteHTML(&want, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, want.Bytes()) {
		t.Error("index.html differs from WriteHTML's output")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files in the output directory, want 3 (no temporary files left): %v", len(entries), entries)
	}
}

func TestWriteAllInvalidWritesNothing(t *testing.T) {
	dir := t.TempDir()
	good := resultstest.Sample()
	if err := WriteAll(dir, good); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, JSONFile))
	bad := resultstest.Sample()
	bad.Points[1].AccMin = -1
	if err := WriteAll(dir, bad); !errors.Is(err, results.ErrInvalid) {
		t.Fatalf("WriteAll(invalid) = %v, want ErrInvalid", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, JSONFile))
	if !bytes.Equal(before, after) {
		t.Error("an invalid report replaced the previous sweep.json")
	}
}
