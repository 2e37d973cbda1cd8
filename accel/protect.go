package accel

import (
	"fmt"

	"cosim/arch"
	"cosim/ecc"
)

// protectionCost is a component that a protection adds to the price list,
// doing what the weight memory `of` does (the same accesses).
type protectionCost struct {
	ComponentCost
	of int // index of the protected memory in the price list
}

// protectionCosts prices protection p of the faulty weight memory of s for
// b-bit weight codes, given the price list costs of s. It returns the
// components p adds, and may rescale the memory's own entry (msb):
//   - secded: `<mem>.ecc-check-bits`, the 8 check bits beside every 64-bit
//     word, priced as 8/64 = 12.5 % of the memory's access energy and
//     leakage (a 72-bit-wide array taken as linear in width, not re-priced
//     by CACTI), in the memory's voltage domain; and `<mem>.ecc-codec`, the
//     encoder on every write and the decoder on every read at the nominal
//     voltage;
//   - zero-space: `<mem>.ecc-codec` only (no extra bit; check bits are
//     computed offline, so writes cost no encoding);
//   - msb: `<mem>.msb-reliable`, the share r of the memory's bits kept in
//     reliable cells at the nominal voltage (r = reliable codes per word /
//     word bits), the memory itself keeping 1 − r.
func protectionCosts(s *arch.Spec, p ecc.Protection, bits int, costs []ComponentCost) ([]protectionCost, error) {
	p = p.WithDefaults()
	if p.Scheme == ecc.None {
		return nil, nil
	}
	mem, err := s.FaultyWeightMemory()
	if err != nil {
		return nil, err
	}
	if err := p.Check(bits, mem.WidthBits); err != nil {
		return nil, fmt.Errorf("accel: %s: %w", mem.Name, err)
	}
	of := -1
	for i, c := range costs {
		if c.Name == mem.Name {
			of = i
		}
	}
	m := costs[of]
	scaled := func(name string, share float64, domain arch.Domain, note string) protectionCost {
		c := m
		c.Name, c.Domain = name, domain
		c.ReadPJ, c.WritePJ, c.LeakageMW = share*m.ReadPJ, share*m.WritePJ, share*m.LeakageMW
		c.Provenance = fmt.Sprintf("%s: %.4g × %s's energies (%s)", note, share, mem.Name, m.Provenance)
		return protectionCost{ComponentCost: c, of: of}
	}
	codec := protectionCost{ComponentCost: ComponentCost{Name: mem.Name + ".ecc-codec", Class: arch.Overhead, Instances: mem.Instances,
		Domain: arch.Nominal, ReadPJ: p.DecoderPJ, WritePJ: p.EncoderPJ,
		Provenance: fmt.Sprintf("%s codec at the nominal voltage: decoder %g pJ per word read, encoder %g pJ per word written (%s)", p.Scheme, p.DecoderPJ, p.EncoderPJ, p.Source)}, of: of}
	switch p.Scheme {
	case ecc.SECDED:
		return []protectionCost{scaled(mem.Name+".ecc-check-bits", 8.0/float64(mem.WidthBits), m.Domain, "8 check bits per 64-bit word, width taken as linear"), codec}, nil
	case ecc.ZeroSpace:
		codec.WritePJ = 0
		return []protectionCost{codec}, nil
	}
	share := float64(p.ReliableSlots(bits, mem.WidthBits)) / float64(mem.WidthBits)
	rel := scaled(mem.Name+".msb-reliable", share, arch.Nominal, fmt.Sprintf("the MSBs of %d codes per %d-bit word in reliable cells", p.ReliableSlots(bits, mem.WidthBits), mem.WidthBits))
	costs[of].ReadPJ *= 1 - share
	costs[of].WritePJ *= 1 - share
	costs[of].LeakageMW *= 1 - share
	costs[of].Provenance += fmt.Sprintf("; × %.4g, the share of its bits not kept reliable (msb)", 1-share)
	return []protectionCost{rel}, nil
}
