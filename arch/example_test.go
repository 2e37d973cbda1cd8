package arch_test

import (
	"fmt"

	"cosim/arch"
)

// Parse a spec, then ask it what a sweep needs: the BER at a voltage and the
// memory whose bits flip.
func ExampleParse() {
	spec, err := arch.Parse("tiny.yaml", []byte(`
architecture:
  version: cosim/1
  name: tiny
  technology: 65nm
  device: itrs-lop
  clock-mhz: 200
  voltage:
    nominal-v: 0.8
    ber: {a: 22.12, b: -68.14, c: 0}
  subtree:
    - name: chip
      local:
        - name: weight_sram
          class: SRAM
          attributes: {depth: 8192, width: 64, word-bits: 16, datatypes: [weights], voltage-domain: scaled}
        - name: buffer
          class: SRAM
          attributes: {depth: 4096, width: 64, word-bits: 16, datatypes: [inputs, outputs]}
        - name: mac
          class: mac
          attributes:
            datawidth: 16
            energy: {op-pj: 0.2, source: "an example"}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	mem, err := spec.FaultyWeightMemory()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: V_nom %.1f V, BER(0.40 V) = %.2e, faulty weights in %s (%d KiB)\n",
		spec.Name, spec.NominalV, spec.BER.BER(0.40), mem.Name, mem.DepthWords*mem.WidthBits/8/1024)
	// Output:
	// tiny: V_nom 0.8 V, BER(0.40 V) = 5.88e-03, faulty weights in weight_sram (64 KiB)
}
