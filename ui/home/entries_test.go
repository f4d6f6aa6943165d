package home

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/ui/fake"
	"github.com/halab/halab/ui/internal/screentest"
	"github.com/halab/halab/ui/styles"
)

func TestBuiltinEntries(t *testing.T) {
	es := BuiltinEntries()
	if len(es) == 0 || es[0].Source != assets.LabNames()[0] {
		t.Fatalf("built-in entries %+v", es)
	}
	for _, e := range es {
		if !e.Builtin || e.Err != nil || e.Lab == nil || e.Name() != e.Source || e.Label() != e.Source {
			t.Errorf("built-in %s: %+v", e.Source, e)
		}
	}
}

func TestScanFiles(t *testing.T) {
	dir := t.TempDir()
	// A valid lab file: the seed lab with its configuration files.
	err := fs.WalkDir(assets.Labs, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == "." || !(path == "seed.yaml" || strings.HasPrefix(path, "seed")) {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, path), 0o755)
		}
		data, err := fs.ReadFile(assets.Labs, path)
		if err != nil {
			return err
		}
		if path == "seed.yaml" {
			path = "mylab.yaml"
			data = []byte(strings.Replace(string(data), "name: seed", "name: mylab", 1))
		}
		return os.WriteFile(filepath.Join(dir, path), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"broken.yml":   "name: Bad\ncolour: red\n",
		"notes.txt":    "not a lab",
		".hidden.yaml": "name: x\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	es := ScanFiles(dir)
	var got []string
	for _, e := range es {
		got = append(got, e.Label())
	}
	if diff := cmp.Diff([]string{"broken.yml", "mylab.yaml"}, got); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	bad, good := es[0], es[1]
	var ve *lab.ValidationError
	if !errors.As(bad.Err, &ve) || bad.Lab != nil || bad.Name() != "broken" || problemCount(bad.Err) != plural(len(ve.Problems), "problem") {
		t.Errorf("broken.yml: %+v", bad)
	}
	if !strings.HasPrefix(ve.Problems[0].String(), filepath.Join(dir, "broken.yml")+":") {
		t.Errorf("a problem without its file: %s", ve.Problems[0])
	}
	if good.Err != nil || good.Name() != "mylab" || good.Source != filepath.Join(dir, "mylab.yaml") {
		t.Errorf("mylab.yaml: %+v", good)
	}
	if ScanFiles(filepath.Join(dir, "nowhere")) != nil {
		t.Error("files in a directory that does not exist")
	}
}

func TestProviders(t *testing.T) {
	ps := Providers(seedLab(t))
	if len(ps) != 2 || ps[0].Name != "netns" || ps[0].Unavailable != "" || ps[1].Name != "ssh" ||
		!strings.Contains(ps[1].Unavailable, "no ssh: section") {
		t.Errorf("providers %+v", ps)
	}
	e := EntryFor("x.yaml", false, seedLab(t), errors.New("broken"))
	if e.Lab != nil || e.Providers[1].Unavailable != "the lab does not load" || problemCount(e.Err) != "does not load" {
		t.Errorf("entry of a lab that does not load: %+v", e)
	}
}

func TestRunningFromState(t *testing.T) {
	created := t0.Add(-time.Minute)
	st := fake.SeedState(created)
	st.Faults = []lab.Fault{{Kind: lab.FaultCrash, Node: "lb1"}}
	want := RunningLab{Name: "seed", Title: st.Lab.Title, Provider: "netns", Phase: "up", Created: created,
		Nodes: []string{"client", "lb1", "lb2", "web1"}, Faults: st.Faults, VIP: "172.16.0.200"}
	if diff := cmp.Diff(want, RunningFromState(st)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	st.Nodes = nil // still building: the nodes come from the lab
	if got := RunningFromState(st).Nodes; len(got) != 4 {
		t.Errorf("nodes of a lab being built: %v", got)
	}
}

func TestVRRPState(t *testing.T) {
	for _, tc := range []struct {
		step lab.Step
		want string
	}{
		{ElectionStep("lb1", "MASTER", "holds VIP 172.16.0.200"), "MASTER"},
		{ElectionStep("lb2", "BACKUP", ""), "BACKUP"},
		{lab.Step{Node: "lb1", Message: "BACKUP → MASTER: master down timer expired after 3.61 s"}, "MASTER"},
		{lab.Step{Node: "lb2", Message: "(LB_VIP) Entering MASTER STATE"}, "MASTER"},
		{lab.Step{Node: "lb2", Message: "INIT → BACKUP: initial state BACKUP"}, "BACKUP"},
		{lab.Step{Node: "lb1", Message: "track script failed: FAULT"}, "FAULT"},
		{lab.Step{Node: "lb1", Message: "vrrp ready (pid 12)"}, ""},
		{lab.Step{Node: "lb1", Message: "master elected"}, ""},
		{lab.Step{Message: "MASTER somewhere"}, ""},             // no node
		{lab.Step{Node: lab.SwitchNode, Message: "MASTER"}, ""}, // the switch
		{lab.Step{Node: "lb1", Message: "MASTERFUL"}, ""},
	} {
		if got := vrrpState(tc.step); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.step, got, tc.want)
		}
	}
}

func TestPlan(t *testing.T) {
	l := seedLab(t)
	p := newPlan(l)
	if p.current() != phaseNamespaces || p.fraction() != 0 || !p.hasVRRP {
		t.Fatalf("new plan: phase %d, %.2f", p.current(), p.fraction())
	}
	steps := buildSteps(l)
	var phases []phase
	for _, s := range steps {
		p.apply(s)
		phases = append(phases, p.current())
	}
	// 2 (namespaces, bridges) + 6 links + 6 components + waiting + 2 states.
	want := []phase{1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 5, 5}
	if diff := cmp.Diff(want, phases); diff != "" {
		t.Errorf("phases after each step (-want +got):\n%s", diff)
	}
	if p.fraction() != 1 || p.master() != "lb1" || p.states["lb2"] != "BACKUP" || !p.waiting {
		t.Errorf("plan at the end: %.2f, master %q, states %v", p.fraction(), p.master(), p.states)
	}
	// Unknown steps and nodes move nothing; a rollback is noticed.
	q := newPlan(l)
	for _, s := range []lab.Step{{Node: "nobody", Message: "eth0 up"}, {Message: "hello"}, {Node: "lb1", Message: "eth9 x"}} {
		q.apply(s)
	}
	if q.fraction() != 0 || q.rollback {
		t.Errorf("unknown steps moved the plan: %.2f", q.fraction())
	}
	q.apply(lab.Step{Message: "failed: boom; removing what was built"})
	if !q.rollback {
		t.Error("rollback not noticed")
	}
	// A lab without VRRP needs no election; a plan without a lab, nothing.
	if !newPlan(nil).done(phaseElection) || newPlan(nil).done(phaseNamespaces) {
		t.Error("plan without a lab")
	}
}

// TestNoColor checks every screen is without colour under NO_COLOR and
// still says each state in words and symbols.
func TestNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	want := map[string][]string{
		"list":                    {"▶ seed", "● up", "✕ 3 problems", "✓ try2", "◉ lb1", "⚠ 1 fault", "✕ ssh"},
		"build_progress":          {"✓ namespaces", "· VRRP", "proxy ●", "vrrp ·", "80 %", "████"},
		"build_done":              {"✓ VRRP", "lb1 MASTER · lb2 BACKUP", "100 %"},
		"build_failed_validation": {"✕ building try2 failed", "broken.yaml:27:12:"},
	}
	for _, sc := range screens {
		c := &clock{t: t0}
		f := fixture(t, c)
		m := New(f, Options{Now: c.Now})
		t.Cleanup(m.Close)
		send(m, m.readLists()())
		send(m, resizeMsg(160, 48))
		sc.drive(t, m, f, c)
		out := m.View().Content
		if cs := screentest.Colours(out); len(cs) > 0 {
			t.Errorf("%s: colour with NO_COLOR: %q", sc.name, cs[:min(len(cs), 5)])
		}
		for _, w := range want[sc.name] {
			if !strings.Contains(plain(m), w) {
				t.Errorf("%s: %q not on the screen", sc.name, w)
			}
		}
	}
	// With colour, there is some.
	c := &clock{t: t0}
	m := newModel(t, fixture(t, c), c, 100, 30)
	if m.st = styles.New(true); len(screentest.Colours(m.View().Content)) == 0 {
		t.Error("no colour in colour mode")
	}
}

func TestRenderSnapshot(t *testing.T) {
	c := &clock{t: t0}
	got := RenderSnapshot(fixture(t, c), ".", 100, 30, t0)
	if strings.Contains(got, "\x1b") || !strings.Contains(got, "built-in labs · 2") {
		t.Errorf("snapshot:\n%s", got)
	}
	screentest.CheckSize(t, got, 100, 30)
}
