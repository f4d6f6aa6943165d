package learn_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/learn"
	"github.com/halab/halab/learn/fake"
)

// leftover finds a message key the language lacks ([key]) or a
// placeholder nothing filled ({name}).
var leftover = regexp.MustCompile(`\[[a-z]+\.[a-z_]+\]|\{[a-z_]+\}`)

func newEnv(t *testing.T, lang string, f *fake.Lab) (*learn.Env, *learn.Course) {
	t.Helper()
	c, err := learn.Load(lang)
	if err != nil {
		t.Fatal(err)
	}
	e, err := learn.NewEnv(f, c, f.Clock)
	if err != nil {
		t.Fatal(err)
	}
	return e, c
}

// run runs one step and returns its verdict and everything it reported.
func run(t *testing.T, e *learn.Env, s learn.Step) (learn.Result, []string, error) {
	t.Helper()
	var said []string
	res, err := e.RunStep(context.Background(), s, func(p learn.Progress) {
		if p.Block != nil {
			said = append(said, p.Block.Title)
			said = append(said, p.Block.Lines...)
		}
		if p.Waiting != "" {
			said = append(said, p.Waiting)
		}
	})
	return res, said, err
}

// TestStepsOnFakeLab runs every step in order on the simulated lab, in
// each language: each shows something, runs, and its check passes,
// saying what it saw with nothing left untranslated.
func TestStepsOnFakeLab(t *testing.T) {
	// What each step's verdict says, in English.
	want := map[string][]string{
		"topology": {"all 6 interfaces up", "all 6 components answer"},
		"web":      {"lb1 got web1's page", "lb2 got web1's page", "client did not get through (curl exit 7)"},
		"proxy":    {"lb2's proxy listens on 172.16.0.200:80 without holding the VIP", "lb1: net.ipv4.ip_nonlocal_bind = 1"},
		"vrrp":     {"VRID 51 and 51", "lb1 is MASTER at priority 103", "lb2 is BACKUP at priority 102", `"Truncating auth_pass to 8 characters"`, "Initial state master is incompatible with AH authentication - clearing"},
		"vip":      {"lb1: 172.16.0.200/32 on enp0s9", "lb2: no 172.16.0.200"},
		"client":   {"200 OK", "answered by lb1", "the probe over the next 1 s: 100 answered, 0 failed (100 %)"},
		"failover": {"172.16.0.200 on lb2 3.60 s after the power-off (master-down interval 3.60 s)", "(LB_VIP) Entering MASTER STATE", "outage: 3.60 s, 360 requests failed"},
		"preempt":  {"lb1 took the VIP back 3.70 s after powering on", "lb2: (LB_VIP) Entering BACKUP STATE", "requests failed during the handover: 0"},
		"track":    {"priority 103 → 101, below lb2's 102", "172.16.0.200 on lb2 4.80 s after the kill (expected 3.60 s to 5.60 s)", "proxy on lb1 started again: lb1 took the VIP back"},
		"tune":     {"split brain: lb1 and lb2 both hold 172.16.0.200, 3.60 s after the partition", "healed: lb2 heard lb1's higher priority"},
	}
	for _, lang := range learn.Languages {
		t.Run(lang, func(t *testing.T) {
			f := fake.New()
			e, c := newEnv(t, lang, f)
			for _, s := range c.Steps {
				blocks, err := e.ShowStep(context.Background(), s)
				if err != nil {
					t.Fatalf("%s: show: %v", s.ID, err)
				}
				if len(blocks) == 0 || len(blocks[0].Lines) == 0 {
					t.Errorf("%s: shows nothing", s.ID)
				}
				var texts []string
				for _, b := range blocks {
					texts = append(texts, b.Title)
				}
				texts = append(texts, e.Texts.Expand(s.Title), e.Texts.Expand(s.Text), e.Texts.Expand(s.ActionLabel))
				res, said, err := run(t, e, s)
				if err != nil {
					t.Fatalf("%s: %v", s.ID, err)
				}
				if !res.Pass {
					t.Errorf("%s: check failed: %s", s.ID, strings.Join(res.Seen, "\n"))
				}
				texts = append(append(texts, said...), res.Seen...)
				for _, x := range texts {
					if m := leftover.FindString(x); m != "" {
						t.Errorf("%s: %q left in %q", s.ID, m, x)
					}
				}
				if lang != learn.English {
					continue
				}
				seen := strings.Join(res.Seen, "\n")
				for _, w := range want[s.ID] {
					if !strings.Contains(seen, w) {
						t.Errorf("%s: the verdict does not say %q:\n%s", s.ID, w, seen)
					}
				}
			}
			if faults := f.State().Faults; len(faults) != 0 {
				t.Errorf("faults left in force after the last step: %v", faults)
			}
		})
	}
}

// TestChecksSeeABrokenLab: on a lab that does not behave, each check says
// ✗ and what it saw instead.
func TestChecksSeeABrokenLab(t *testing.T) {
	tests := []struct {
		broken, step string
		// before are the steps run first (their checks pass).
		before []string
		want   string
	}{
		{"curl", "web", nil, "✗ lb1 did not get web1's page (curl exit 7)"},
		{"curl", "client", nil, "✗ no page through 172.16.0.200 (curl exit 7"},
		{"nonlocal", "proxy", nil, "✗ lb2's proxy does not listen on 172.16.0.200:80"},
		{"failover", "failover", nil, "✗ 172.16.0.200 not on lb2 alone after 5.60 s: held by no node"},
		{"failover", "failover", nil, "✗ the client got no answer within 8 s of the VIP moving"},
		{"preempt", "preempt", []string{"failover"}, "✗ 172.16.0.200 not on lb1 alone after"},
		{"track", "track", nil, "✗ lb1's priority did not drop within 4 s"},
		{"split", "tune", nil, "✗ no split brain within 5.60 s: the VIP is on lb1"},
	}
	for _, tt := range tests {
		t.Run(tt.broken+"/"+tt.step, func(t *testing.T) {
			f := fake.New()
			e, c := newEnv(t, learn.English, f)
			for _, id := range tt.before {
				if res, _, err := run(t, e, c.Steps[c.Index(id)]); err != nil || !res.Pass {
					t.Fatalf("%s: %v %v", id, err, res.Seen)
				}
			}
			f.Break(tt.broken)
			res, _, err := run(t, e, c.Steps[c.Index(tt.step)])
			if err != nil {
				t.Fatal(err)
			}
			seen := strings.Join(res.Seen, "\n")
			if res.Pass {
				t.Errorf("the check passed on a lab with %s broken:\n%s", tt.broken, seen)
			}
			if !strings.Contains(seen, tt.want) {
				t.Errorf("the verdict does not say %q:\n%s", tt.want, seen)
			}
		})
	}
}

// TestPrepareBringsTheLabToTheStep: a step needing the master off powers
// it off first; a step needing the lab at rest mends what an earlier
// step left, and says so.
func TestPrepareBringsTheLabToTheStep(t *testing.T) {
	f := fake.New()
	e, c := newEnv(t, learn.English, f)
	res, said, err := run(t, e, c.Steps[c.Index("preempt")])
	if err != nil || !res.Pass {
		t.Fatalf("preempt on a lab at rest: %v %v", err, res.Seen)
	}
	if !strings.Contains(strings.Join(said, "\n"), "lb1 was on: powered off first") {
		t.Errorf("the prepare did not say it powered lb1 off:\n%s", strings.Join(said, "\n"))
	}
	if _, _, err := run(t, e, c.Steps[c.Index("failover")]); err != nil {
		t.Fatal(err)
	}
	res, said, err = run(t, e, c.Steps[c.Index("vip")])
	if err != nil || !res.Pass {
		t.Fatalf("vip after a failover: %v %v", err, res.Seen)
	}
	text := strings.Join(said, "\n")
	for _, w := range []string{"lb1 powered on again", "waited 3.70 s for lb1 to hold the VIP"} {
		if !strings.Contains(text, w) {
			t.Errorf("the prepare did not say %q:\n%s", w, text)
		}
	}
	var kinds []lab.FaultKind
	for _, x := range f.State().Faults {
		kinds = append(kinds, x.Kind)
	}
	if len(kinds) != 0 {
		t.Errorf("faults in force after mending: %v", kinds)
	}
}

// TestPrepareFailsOnALabThatDoesNotSettle: a lab whose VRRP daemons do
// not answer never settles; the step says why instead of acting.
func TestPrepareFailsOnALabThatDoesNotSettle(t *testing.T) {
	f := fake.New()
	e, c := newEnv(t, learn.Indonesian, f)
	f.Break("vrrp")
	_, _, err := run(t, e, c.Steps[c.Index("topology")])
	if err == nil || !strings.Contains(err.Error(), "lab belum stabil dalam 20 s: daemon VRRP di lb1 tidak menjawab") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.Faults()); n != 0 {
		t.Errorf("the failed prepare applied %d faults", n)
	}
}
