package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/fuzzseed"
	"github.com/halab/halab/lab"
)

// FuzzParseDrill feeds drill files to ParseDrill: it must never panic,
// must return either a drill or a *lab.ValidationError whose problems all
// name the file at a line of the input and a column, in file order; two
// parses must agree; and a drill it accepts must have a name and steps,
// each step placed in the input. Seeds: the built-in drills.
func FuzzParseDrill(f *testing.F) {
	for _, data := range fuzzseed.Files(f, assets.Drills, "*.yaml") {
		f.Add(data)
	}
	for _, s := range []string{"", "name: [", "- a", drillWith(`wait: 2`, `explode: x`), drillWith(`vip_on: {nodes: [a, a]}`),
		"a: &x [*x]\n", "steps: &s\n  - wait: 1s\n  - *s\n", drillWith(`fault: "loss lb1 enp0s9 150"`), drillWith(`{}`),
		"name: t\ntitle: T\nteaches: x\nlab: seed\nsteps:\n  - <<: {wait: 1s}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDrill("f.yaml", data)
		d2, err2 := ParseDrill("f.yaml", data)
		if fmt.Sprint(err) != fmt.Sprint(err2) || (d == nil) != (d2 == nil) || d != nil && fmt.Sprint(d.Steps) != fmt.Sprint(d2.Steps) {
			t.Fatalf("two parses disagree: %v / %v", err, err2)
		}
		lines := fuzzseed.YAMLLines(data)
		if err != nil {
			var ve *lab.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error %v is not a *lab.ValidationError with problems", err)
			}
			for i, p := range ve.Problems {
				if p.File != "f.yaml" || p.Message == "" || p.Line < 1 || p.Line > lines || p.Column < 1 {
					t.Fatalf("problem %+v is not placed in the %d-line input", p, lines)
				}
				if q := ve.Problems[max(i-1, 0)]; q.Line > p.Line || q.Line == p.Line && q.Column > p.Column {
					t.Fatalf("problems out of order: %v before %v", q, p)
				}
			}
			return
		}
		if d.Name == "" || d.Title == "" || len(d.Labs) == 0 || len(d.Steps) == 0 {
			t.Fatalf("accepted an incomplete drill: %+v", d)
		}
		for _, s := range d.Steps {
			if s.Line < 1 || s.Line > lines || s.Column < 1 {
				t.Fatalf("step %+v is not placed in the %d-line input", s, lines)
			}
			if s.String() == "" || strings.Contains(s.String(), "%!") {
				t.Fatalf("step %+v says %q", s, s.String())
			}
			if (s.Kind == StepFault || s.Kind == StepRestore || s.Kind == StepHeal) && s.Fault == nil {
				t.Fatalf("fault step without a fault: %+v", s)
			}
			if (s.Kind == ExpectState || s.Kind == ExpectVIPOn && s.Nodes == nil) && len(s.Nodes) == 0 {
				t.Fatalf("expectation without a node: %+v", s)
			}
		}
	})
}
