package yamlspec_test

import (
	"fmt"

	"cosim/internal/yamlspec"
)

// A parser reads the one document of a file, checks each mapping's keys and
// reads typed values; every error names file:line:col and the field.
func Example() {
	r := &yamlspec.Reader{File: "pump.yaml", Kind: "pump specs"}
	read := func(data string) {
		root, err := r.Document([]byte(data), "pump")
		if err != nil {
			fmt.Println(err)
			return
		}
		top, err := r.Mapping(root, "the top level", "pump")
		if err != nil {
			fmt.Println(err)
			return
		}
		body, err := top.Need("pump")
		if err != nil {
			fmt.Println(err)
			return
		}
		m, err := r.Mapping(body, "pump", "rate", "name")
		if err != nil {
			fmt.Println(err)
			return
		}
		rate, err := m.Positive("rate")
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("rate", rate)
	}
	read("pump: {rate: 2.5}\n")
	read("pump: {rate: fast}\n")
	read("pump:\n  rate: 1\n  rate: 2\n")
	read("pump: {rtae: 1}\n")
	read("pump: &p {rate: 1}\n")
	read("pump: {rate: 1}\n---\npump: {rate: 2}\n")
	read("")
	// Output:
	// rate 2.5
	// pump.yaml:1:14: rate in pump: want a number, got "fast"
	// pump.yaml:3:3: duplicate key "rate" in pump (first at line 2)
	// pump.yaml:1:8: unknown key "rtae" in pump
	// pump.yaml:1:7: anchor &p: anchors and aliases are not supported in pump specs
	// pump.yaml:3:1: a second YAML document: a spec file holds exactly one
	// pump.yaml: empty document: want a mapping with the key "pump"
}
