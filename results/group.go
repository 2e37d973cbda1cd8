package results

import (
	"cmp"
	"fmt"
	"slices"
)

// Group is the points of one (model, method) pair.
type Group struct {
	Model, Method string
	Points        []Point
}

// Name is "model / method", or the model alone when the method is empty.
func (g Group) Name() string {
	if g.Method == "" {
		return g.Model
	}
	return g.Model + " / " + g.Method
}

// Groups splits pts by (model, method), sorted by model then method; within a group the points
// keep their order in pts.
func Groups(pts []Point) []Group {
	var out []Group
	index := map[[2]string]int{}
	for _, p := range pts {
		k := [2]string{p.Model, p.Method}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Group{Model: p.Model, Method: p.Method})
		}
		out[i].Points = append(out[i].Points, p)
	}
	slices.SortFunc(out, func(a, b Group) int {
		if c := cmp.Compare(a.Model, b.Model); c != 0 {
			return c
		}
		return cmp.Compare(a.Method, b.Method)
	})
	return out
}

// ChipGroups returns the Groups of the points of a sweep under chip faults, each sorted by
// voltage, and an error if there are no points, or if a group mixes points with and without chip
// accuracies or with different chip counts.
func ChipGroups(pts []Point) ([]Group, error) {
	out := Groups(pts)
	for i, g := range out {
		g.Points = slices.Clone(g.Points)
		slices.SortStableFunc(g.Points, func(a, b Point) int { return cmp.Compare(a.VddV, b.VddV) })
		n := len(g.Points[0].ChipAccs)
		for _, p := range g.Points {
			if len(p.ChipAccs) != n || n == 0 {
				return nil, fmt.Errorf("%s %s at %g V has %d chip accuracies (%d at %g V); a yield needs a sweep under chip faults, with the same chips at every voltage",
					p.Model, p.Method, p.VddV, len(p.ChipAccs), n, g.Points[0].VddV)
			}
		}
		out[i] = g
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the report has no operating points")
	}
	return out, nil
}
