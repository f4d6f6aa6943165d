package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/halab/halab/lab"
)

// drillWith is a valid drill file with the given steps (each a YAML flow
// mapping on its own line, from line 6).
func drillWith(steps ...string) string {
	var b strings.Builder
	b.WriteString("name: t\ntitle: T\nteaches: something\nlab: seed\nsteps:\n")
	for _, s := range steps {
		b.WriteString("  - " + s + "\n")
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }

func TestParseSteps(t *testing.T) {
	tests := []struct {
		step string
		want Step
	}{
		{`fault: "crash lb1"`, Step{Kind: StepFault, Words: "crash lb1", Fault: &lab.Fault{Kind: lab.FaultCrash, Node: "lb1"}}},
		{`fault: "link lb1 enp0s9  down"`, Step{Kind: StepFault, Words: "link lb1 enp0s9 down", Fault: &lab.Fault{Kind: lab.FaultLinkDown, Node: "lb1", Interface: "enp0s9"}}},
		{`fault: kill lb1 proxy`, Step{Kind: StepFault, Words: "kill lb1 proxy", Fault: &lab.Fault{Kind: lab.FaultKill, Node: "lb1", Component: "proxy"}}},
		{`fault: partition lb1 lb2`, Step{Kind: StepFault, Words: "partition lb1 lb2", Fault: &lab.Fault{Kind: lab.FaultPartition, Node: "lb1", Peer: "lb2"}}},
		{`restore: lb1`, Step{Kind: StepRestore, Words: "restore lb1", Fault: &lab.Fault{Kind: lab.FaultRestore, Node: "lb1"}}},
		{`heal: true`, Step{Kind: StepHeal, Words: "heal", Fault: &lab.Fault{Kind: lab.FaultHeal}}},
		{`wait: 2s`, Step{Kind: StepWait, Wait: 2 * time.Second}},
		{`wait: 1.5s`, Step{Kind: StepWait, Wait: 1500 * time.Millisecond}},
		{`traffic: {rate: 100}`, Step{Kind: StepTraffic, Rate: 100}},
		{`traffic: {rate: 0}`, Step{Kind: StepTraffic, Rate: 0}},
		{`say: "text shown"`, Step{Kind: StepSay, Text: "text shown"}},
		{`vip_on: {node: lb2, within: 4s}`, Step{Kind: ExpectVIPOn, Nodes: []string{"lb2"}, Within: 4 * time.Second}},
		{`vip_on: {nodes: [lb1, lb2], within: 5s}`, Step{Kind: ExpectVIPOn, Nodes: []string{"lb1", "lb2"}, Within: 5 * time.Second}},
		{`vip_on: {nodes: []}`, Step{Kind: ExpectVIPOn, Nodes: []string{}}},
		{`state: {node: lb1, state: MASTER, within: 5s}`, Step{Kind: ExpectState, Nodes: []string{"lb1"}, State: "MASTER", Within: 5 * time.Second}},
		{`state: {node: lb1, state: backup}`, Step{Kind: ExpectState, Nodes: []string{"lb1"}, State: "BACKUP"}},
		{`success: {at_least: 99%, over: 5s}`, Step{Kind: ExpectSuccess, AtLeast: ptr(0.99), Over: 5 * time.Second}},
		{`success: {at_most: 1, over: 2s}`, Step{Kind: ExpectSuccess, AtMost: ptr(0.01), Over: 2 * time.Second}},
		{`success: {at_least: 90%, at_most: 99.5%, over: 2s}`, Step{Kind: ExpectSuccess, AtLeast: ptr(0.9), AtMost: ptr(0.995), Over: 2 * time.Second}},
		{`failed: {at_most: 1, over: 8s}`, Step{Kind: ExpectFailed, MaxFailed: 1, Over: 8 * time.Second}},
		{`outage: {at_most: 3.7s}`, Step{Kind: ExpectOutage, MaxOutage: 3700 * time.Millisecond}},
		{`no_split_brain: {for: 5s}`, Step{Kind: ExpectNoSplitBrain, Over: 5 * time.Second}},
		{`backend: {server: webserver1, state: down, within: 7s}`, Step{Kind: ExpectBackend, Server: "webserver1", State: "DOWN", Within: 7 * time.Second}},
		{`backend: {node: lb2, server: webserver1, state: UP}`, Step{Kind: ExpectBackend, Nodes: []string{"lb2"}, Server: "webserver1", State: "UP"}},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			d, err := ParseDrill("t.yaml", []byte(drillWith(tt.step)))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Line, tt.want.Column = 6, 5
			if diff := cmp.Diff(tt.want, d.Steps[0]); diff != "" {
				t.Errorf("step (-want +got):\n%s", diff)
			}
			if d.Steps[0].String() == "" {
				t.Error("empty String()")
			}
		})
	}
}

func TestParseTopLevel(t *testing.T) {
	src := `name: master-poweroff
title: Power off the master
teaches: >
  what it
  teaches
description: more
lab: [seed, fast]
no_split_brain: true
steps:
  - wait: 1s
`
	d, err := ParseDrill("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Drill{Name: "master-poweroff", Title: "Power off the master", Teaches: "what it teaches", Description: "more",
		Labs: []string{"seed", "fast"}, NoSplitBrain: true, Source: "x.yaml",
		Steps: []Step{{Kind: StepWait, Wait: time.Second, Line: 10, Column: 5}}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("drill (-want +got):\n%s", diff)
	}
}

// TestParseErrors checks each problem's place and words; every file has
// one problem unless the test lists more.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line:col: substring"
	}{
		{"empty", "", []string{"1:1: the drill file is empty"}},
		{"syntax", "name: [x\n", []string{"1:1: did not find expected"}},
		{"syntax on a later line", "name: t\n  steps: [x\n", []string{"2:3: mapping values are not allowed"}},
		{"control character", "name: t\ntitle: \x01\n", []string{"2:8: control characters are not allowed"}},
		{"utf-16", "\xff\xfen\x00", []string{"1:1: the file is UTF-16 text"}},
		{"not a mapping", "- a\n", []string{"1:1: the drill: want a mapping of keys"}},
		{"missing keys", "name: x\n", []string{"1:1: the drill: title is missing", "1:1: the drill: teaches is missing", "1:1: the drill: lab is missing", "1:1: the drill: steps is missing"}},
		{"unknown top key", drillWith("wait: 1s") + "colour: red\n", []string{`7:1: unknown key "colour" in the drill`}},
		{"repeated key", "name: a\n" + drillWith("wait: 1s"), []string{`2:1: the drill: key "name" given twice (first at line 1)`}},
		{"bad name", strings.Replace(drillWith("wait: 1s"), "name: t", "name: Bad_Name", 1), []string{`1:7: name "Bad_Name"`}},
		{"no steps", "name: t\ntitle: T\nteaches: x\nlab: seed\nsteps: []\n", []string{"5:8: steps: the list is empty"}},
		{"steps not a list", "name: t\ntitle: T\nteaches: x\nlab: seed\nsteps: {wait: 1s}\n", []string{"5:8: steps: want a list of steps, got a mapping"}},
		{"empty lab list", strings.Replace(drillWith("wait: 1s"), "lab: seed", "lab: []", 1), []string{"4:6: lab: name at least one lab"}},
		{"no_split_brain not bool", strings.Replace(drillWith("wait: 1s"), "lab: seed", "lab: seed\nno_split_brain: yes please", 1), []string{"5:17: no_split_brain: want true or false"}},
		{"unknown step", drillWith("explode: lb1"), []string{`6:5: step 1: unknown step "explode"; a step is one of: fault, restore`}},
		{"two keys", drillWith("{wait: 1s, say: hi}"), []string{"6:16: step 1 has 2 keys (wait, say); a step does one thing"}},
		{"step not mapping", drillWith("wait"), []string{"6:5: step 1: want one key naming what the step does"}},
		{"empty step", drillWith("{}"), []string{"6:5: step 1 is empty"}},
		{"bad fault", drillWith(`fault: "explode lb1"`), []string{`6:12: step 1 (fault): unknown fault "explode"`}},
		{"fault word count", drillWith(`fault: "crash"`), []string{`6:12: step 1 (fault): "crash" takes 1 words, got 0`}},
		{"fault empty", drillWith(`fault: ""`), []string{"6:12: step 1 (fault): say which fault"}},
		{"fault mapping", drillWith(`fault: {crash: lb1}`), []string{"6:12: step 1 (fault): want a single value, got a mapping"}},
		{"restore empty", drillWith(`restore: ""`), []string{"6:14: step 1 (restore): name the node"}},
		{"heal false", drillWith(`heal: false`), []string{"6:11: step 1 (heal): write `heal: true`"}},
		{"heal text", drillWith(`heal: lb1`), []string{"6:11: step 1 (heal): want true or false"}},
		{"wait no unit", drillWith(`wait: 2`), []string{"6:11: step 1 (wait): 2 has no unit; write it like 2s or 2ms"}},
		{"wait garbage", drillWith(`wait: soon`), []string{`6:11: step 1 (wait): "soon" is not a duration`}},
		{"wait zero", drillWith(`wait: 0s`), []string{"6:11: step 1 (wait): 0s must be more than zero"}},
		{"wait negative", drillWith(`wait: -1s`), []string{"6:11: step 1 (wait): -1s must be more than zero"}},
		{"wait too long", drillWith(`wait: 2h`), []string{"6:11: step 1 (wait): 2h is longer than a drill may take"}},
		{"traffic no rate", drillWith(`traffic: {}`), []string{"6:14: step 1 (traffic): rate is missing"}},
		{"traffic bad rate", drillWith(`traffic: {rate: 5000}`), []string{"6:21: step 1 (traffic): rate: 5000 is out of range 0…1000"}},
		{"traffic text rate", drillWith(`traffic: {rate: fast}`), []string{"6:21: step 1 (traffic): rate: want a whole number"}},
		{"traffic unknown key", drillWith(`traffic: {rate: 1, burst: 2}`), []string{`6:24: unknown key "burst" in step 1 (traffic); known keys: rate`}},
		{"say empty", drillWith(`say: ""`), []string{"6:10: step 1 (say): the text is empty"}},
		{"vip_on nobody named", drillWith(`vip_on: {within: 1s}`), []string{"6:13: step 1 (vip_on): say which node holds the VIP"}},
		{"vip_on both", drillWith(`vip_on: {node: lb1, nodes: [lb2]}`), []string{"6:25: step 1 (vip_on): give node (one holder) or nodes"}},
		{"vip_on repeated node", drillWith(`vip_on: {nodes: [lb1, lb1]}`), []string{"6:27: step 1 (vip_on): nodes: lb1 is named twice"}},
		{"vip_on scalar", drillWith(`vip_on: lb1`), []string{"6:13: step 1 (vip_on): want a mapping of keys (node, nodes, within), got \"lb1\""}},
		{"state missing", drillWith(`state: {node: lb1}`), []string{"6:12: step 1 (state): state is missing"}},
		{"state bad", drillWith(`state: {node: lb1, state: LEADER}`), []string{`6:31: step 1 (state): state "LEADER": use MASTER, BACKUP, FAULT or DOWN`}},
		{"success no bound", drillWith(`success: {over: 2s}`), []string{"6:14: step 1 (success): give at_least (like 99%) or at_most"}},
		{"success no over", drillWith(`success: {at_least: 99%}`), []string{"6:14: step 1 (success): over is missing"}},
		{"success bad percent", drillWith(`success: {at_least: lots, over: 1s}`), []string{`6:25: step 1 (success): at_least: "lots" is not a percentage`}},
		{"success over 100", drillWith(`success: {at_least: 101%, over: 1s}`), []string{"6:25: step 1 (success): at_least: 101% is not a percentage from 0% to 100%"}},
		{"success impossible", drillWith(`success: {at_least: 99%, at_most: 50%, over: 1s}`), []string{"6:14: step 1 (success): at_least 99% is above at_most 50%"}},
		{"failed negative", drillWith(`failed: {at_most: -1, over: 1s}`), []string{"6:23: step 1 (failed): at_most: -1 is out of range"}},
		{"outage missing", drillWith(`outage: {}`), []string{"6:13: step 1 (outage): at_most is missing"}},
		{"outage no unit", drillWith(`outage: {at_most: 3.7}`), []string{"6:23: step 1 (outage): at_most: 3.7 has no unit"}},
		{"no_split_brain missing for", drillWith(`no_split_brain: {}`), []string{"6:21: step 1 (no_split_brain): for is missing"}},
		{"backend bad state", drillWith(`backend: {server: w, state: SICK}`), []string{`6:33: step 1 (backend): state "SICK": use UP or DOWN`}},
		{"within negative", drillWith(`vip_on: {node: lb1, within: -2s}`), []string{"6:33: step 1 (vip_on): within: -2s must be more than zero"}},
		{"several at once", drillWith(`wait: 2`, `explode: x`, `state: {node: lb1, state: x}`), []string{
			"6:11: step 1 (wait): 2 has no unit", `7:5: step 2: unknown step "explode"`, `8:31: step 3 (state): state "X"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDrill("t.yaml", []byte(tt.src))
			var ve *lab.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *lab.ValidationError", err)
			}
			if len(ve.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ve.Problems), len(tt.want), err)
			}
			for i, w := range tt.want {
				got := ve.Problems[i]
				where, msg, _ := strings.Cut(w, ": ")
				if at := strings.TrimPrefix(got.String(), "t.yaml:"); !strings.HasPrefix(at, where+": ") {
					t.Errorf("problem %d at %s, want %s:\n%s", i, at, where, got)
				}
				if !strings.Contains(got.Message, msg) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got.Message, msg)
				}
				if got.File != "t.yaml" {
					t.Errorf("problem %d file = %q", i, got.File)
				}
			}
		})
	}
}

func TestCheckLab(t *testing.T) {
	l, err := lab.LoadBuiltin("seed")
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDrill("t.yaml", []byte(drillWith(
		`fault: crash lb3`, `fault: kill lb1 database`, `fault: link lb1 eth7 down`,
		`vip_on: {node: web1}`, `state: {node: lb9, state: MASTER}`, `fault: partition lb1 lbX`, `fault: crash lb1`)))
	if err != nil {
		t.Fatal(err)
	}
	err = d.CheckLab(l)
	var ve *lab.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 6 {
		t.Fatalf("CheckLab = %v, want 6 problems", err)
	}
	for i, want := range []string{`no node "lb3"`, "lb1 runs no database; it runs proxy, vrrp", "lb1 has no interface eth7; it has enp0s8, enp0s9",
		"web1 is a web node, not a load balancer", `no node "lb9"`, `no node "lbX"`} {
		if p := ve.Problems[i]; !strings.Contains(p.Message, want) || p.Line != 6+i {
			t.Errorf("problem %d = %s, want line %d: %s", i, p, 6+i, want)
		}
	}
	if !d.AppliesTo(l) {
		t.Error("a drill for seed does not apply to the seed lab")
	}
	renamed := *l
	renamed.Name = "fo123"
	if !d.AppliesTo(&renamed) {
		t.Error("a drill for seed does not apply to the seed lab run under another name")
	}
	other := *l
	other.Name, other.Source = "mylab", "/tmp/mylab.yaml"
	if d.AppliesTo(&other) {
		t.Error("a drill for seed applies to mylab")
	}
}

func TestBuiltinDrills(t *testing.T) {
	drills, err := ListBuiltins()
	if err != nil {
		t.Fatal(err)
	}
	if len(drills) < 9 {
		t.Errorf("%d built-in drills, want at least 9", len(drills))
	}
	seed, err := lab.LoadBuiltin("seed")
	if err != nil {
		t.Fatal(err)
	}
	np, err := lab.LoadBuiltin("nopreempt")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drills {
		t.Run(d.Name, func(t *testing.T) {
			if d.Teaches == "" || d.Title == "" || !strings.HasSuffix(d.Teaches, ".") {
				t.Errorf("teaches %q / title %q: want a sentence and a title", d.Teaches, d.Title)
			}
			if !strings.Contains(d.Source, d.Name+".yaml") {
				t.Errorf("drill %s lives in %s", d.Name, d.Source)
			}
			l := seed
			if d.AppliesTo(np) {
				l = np
			}
			if !d.AppliesTo(l) {
				t.Fatalf("drill %s applies to neither seed nor nopreempt: %v", d.Name, d.Labs)
			}
			if err := d.CheckLab(l); err != nil {
				t.Error(err)
			}
			// Every drill leaves the lab as it found it: the faults it
			// applies are mended by its own steps.
			var inForce []lab.Fault
			for _, s := range d.Steps {
				if s.Fault != nil {
					inForce = lab.RecordFault(inForce, *s.Fault)
				}
			}
			if len(inForce) > 0 {
				t.Errorf("drill %s leaves faults in force: %v", d.Name, inForce)
			}
		})
	}
	if _, err := LoadBuiltin("nosuch"); err == nil || !strings.Contains(err.Error(), "master-poweroff") {
		t.Errorf("LoadBuiltin(nosuch) = %v, want the list of drills", err)
	}
}

func TestLoadFile(t *testing.T) {
	if _, err := LoadFile("testdata/does-not-exist.yaml"); err == nil {
		t.Error("LoadFile of a missing file worked")
	}
	d, err := LoadFile("../assets/drills/master-poweroff.yaml")
	if err != nil || d.Name != "master-poweroff" {
		t.Fatalf("LoadFile = %v, %v", d, err)
	}
}
