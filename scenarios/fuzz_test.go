package scenarios

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/lab"
)

// FuzzParseDrill feeds drill files to ParseDrill: it must never panic,
// must return either a drill or a *lab.ValidationError whose problems all
// name the file, and a drill it accepts must have a name and steps.
func FuzzParseDrill(f *testing.F) {
	for _, name := range assets.DrillNames() {
		data, err := fs.ReadFile(assets.Drills, name+".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "name: [", "- a", drillWith(`wait: 2`, `explode: x`), drillWith(`vip_on: {nodes: [a, a]}`),
		"a: &x [*x]\n", "steps: &s\n  - wait: 1s\n  - *s\n", drillWith(`fault: "loss lb1 enp0s9 150"`), drillWith(`{}`),
		"name: t\ntitle: T\nteaches: x\nlab: seed\nsteps:\n  - <<: {wait: 1s}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDrill("f.yaml", data)
		if err != nil {
			var ve *lab.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error %v is not a *lab.ValidationError with problems", err)
			}
			for _, p := range ve.Problems {
				if p.File != "f.yaml" || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
			return
		}
		if d.Name == "" || d.Title == "" || len(d.Labs) == 0 || len(d.Steps) == 0 {
			t.Fatalf("accepted an incomplete drill: %+v", d)
		}
		for _, s := range d.Steps {
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
