package scenarios

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/lab"
)

// Drill is a parsed drill file: what it teaches, which labs it is written
// for, and its steps in order.
type Drill struct {
	// Name is the drill's short name ("master-poweroff").
	Name string `json:"name"`
	// Title is one line for lists and report headings.
	Title string `json:"title"`
	// Teaches is a sentence on what the drill teaches.
	Teaches string `json:"teaches"`
	// Description is optional longer text.
	Description string `json:"description,omitempty"`
	// Labs are the labs the drill is written for (built-in lab names, or
	// lab file names without .yaml).
	Labs []string `json:"labs"`
	// NoSplitBrain asks that no two nodes hold the VIP at once at any time
	// of the drill (a whole-drill expectation).
	NoSplitBrain bool `json:"no_split_brain,omitempty"`
	// Steps are the drill's acts and expectations, in order.
	Steps []Step `json:"steps"`
	// Source names the file the drill came from.
	Source string `json:"source"`
}

// StepKind says what a step does; it is the step's key in the drill file.
type StepKind string

// The step kinds: acts change the lab or the traffic, expectations check it.
const (
	// StepFault applies a fault in `halab fault` words ("crash lb1").
	StepFault StepKind = "fault"
	// StepRestore powers a crashed node on again.
	StepRestore StepKind = "restore"
	// StepHeal removes every partition, loss and delay.
	StepHeal StepKind = "heal"
	// StepWait waits a fixed time.
	StepWait StepKind = "wait"
	// StepTraffic changes the client probe's request rate.
	StepTraffic StepKind = "traffic"
	// StepSay shows a sentence to the user.
	StepSay StepKind = "say"

	// ExpectVIPOn expects exactly the given nodes to hold the VIP, within a time.
	ExpectVIPOn StepKind = "vip_on"
	// ExpectState expects a node's VRRP state, within a time.
	ExpectState StepKind = "state"
	// ExpectSuccess expects the share of successful requests over the next window.
	ExpectSuccess StepKind = "success"
	// ExpectFailed expects at most N failed requests over the next window.
	ExpectFailed StepKind = "failed"
	// ExpectOutage expects the longest outage since measurement began to be
	// at most a time.
	ExpectOutage StepKind = "outage"
	// ExpectNoSplitBrain expects that no two nodes hold the VIP at once over
	// the next window.
	ExpectNoSplitBrain StepKind = "no_split_brain"
	// ExpectBackend expects the proxies' health checks to report a server
	// UP or DOWN, within a time.
	ExpectBackend StepKind = "backend"
)

// stepKinds lists every kind in the order the documentation gives them.
var stepKinds = []StepKind{StepFault, StepRestore, StepHeal, StepWait, StepTraffic, StepSay,
	ExpectVIPOn, ExpectState, ExpectSuccess, ExpectFailed, ExpectOutage, ExpectNoSplitBrain, ExpectBackend}

// VRRP states a state expectation may name. StateDown means the node's
// VRRP daemon does not answer (killed, stopped, or the node powered off).
const (
	StateMaster = "MASTER"
	StateBackup = "BACKUP"
	StateFault  = "FAULT"
	StateDown   = "DOWN"
)

// Step is one step of a drill. Kind says which fields matter.
type Step struct {
	Kind StepKind `json:"kind"`
	// Line and Column are where the step stands in the drill file.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Fault is the fault of fault, restore and heal steps.
	Fault *lab.Fault `json:"fault,omitempty"`
	// Words are the fault as written ("crash lb1").
	Words string `json:"words,omitempty"`
	// Wait is how long a wait step waits.
	Wait time.Duration `json:"wait,omitempty"`
	// Rate is the request rate a traffic step sets (0 pauses).
	Rate int `json:"rate,omitempty"`
	// Text is what a say step says.
	Text string `json:"text,omitempty"`
	// Nodes are the expected VIP holders (vip_on; empty means nobody), the
	// node of a state expectation, or the proxies a backend expectation
	// asks (empty: every load balancer).
	Nodes []string `json:"nodes,omitempty"`
	// State is the expected VRRP state (state), or UP/DOWN (backend).
	State string `json:"state,omitempty"`
	// Server is the proxy server a backend expectation is about.
	Server string `json:"server,omitempty"`
	// Within bounds how long vip_on, state and backend expectations wait.
	Within time.Duration `json:"within,omitempty"`
	// Over is the window of success, failed and no_split_brain.
	Over time.Duration `json:"over,omitempty"`
	// AtLeast and AtMost bound a success ratio (0 to 1); nil when absent.
	AtLeast *float64 `json:"at_least,omitempty"`
	AtMost  *float64 `json:"at_most,omitempty"`
	// MaxFailed is the most failed requests a failed expectation allows.
	MaxFailed int `json:"max_failed,omitempty"`
	// MaxOutage is the longest outage an outage expectation allows.
	MaxOutage time.Duration `json:"max_outage,omitempty"`
}

// IsExpectation reports whether the step checks the lab rather than acting on it.
func (s Step) IsExpectation() bool {
	switch s.Kind {
	case ExpectVIPOn, ExpectState, ExpectSuccess, ExpectFailed, ExpectOutage, ExpectNoSplitBrain, ExpectBackend:
		return true
	}
	return false
}

// String says the step in words, as reports show it.
func (s Step) String() string {
	switch s.Kind {
	case StepFault:
		return "fault: " + s.Words
	case StepRestore:
		return "restore " + s.Fault.Node
	case StepHeal:
		return "heal"
	case StepWait:
		return "wait " + fmtDur(s.Wait)
	case StepTraffic:
		return fmt.Sprintf("traffic: %d requests/s", s.Rate)
	case StepSay:
		return "say: " + s.Text
	case ExpectVIPOn:
		return fmt.Sprintf("expect the VIP on %s%s", holderWords(s.Nodes), within(s.Within))
	case ExpectState:
		return fmt.Sprintf("expect %s in %s%s", s.Nodes[0], s.State, within(s.Within))
	case ExpectSuccess:
		var b []string
		if s.AtLeast != nil {
			b = append(b, "at least "+fmtPercent(*s.AtLeast))
		}
		if s.AtMost != nil {
			b = append(b, "at most "+fmtPercent(*s.AtMost))
		}
		return fmt.Sprintf("expect %s of requests to succeed over %s", strings.Join(b, " and "), fmtDur(s.Over))
	case ExpectFailed:
		return fmt.Sprintf("expect at most %d failed %s over %s", s.MaxFailed, plural(s.MaxFailed, "request"), fmtDur(s.Over))
	case ExpectOutage:
		return "expect the longest outage so far to be at most " + fmtDur(s.MaxOutage)
	case ExpectNoSplitBrain:
		return "expect no split brain for " + fmtDur(s.Over)
	case ExpectBackend:
		who := "every proxy"
		if len(s.Nodes) > 0 {
			who = strings.Join(s.Nodes, ", ")
		}
		return fmt.Sprintf("expect %s to see server %s %s%s", who, s.Server, s.State, within(s.Within))
	}
	return string(s.Kind)
}

func within(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return " within " + fmtDur(d)
}

// holderWords names a set of VIP holders: "lb1", "lb1 and lb2", "no node".
func holderWords(nodes []string) string {
	switch len(nodes) {
	case 0:
		return "no node"
	case 1:
		return nodes[0]
	}
	return strings.Join(nodes[:len(nodes)-1], ", ") + " and " + nodes[len(nodes)-1]
}

// ListBuiltins parses every built-in drill, sorted by name.
func ListBuiltins() ([]*Drill, error) {
	var out []*Drill
	for _, name := range assets.DrillNames() {
		d, err := LoadBuiltin(name)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// LoadBuiltin loads the built-in drill called name (see ListBuiltins).
func LoadBuiltin(name string) (*Drill, error) {
	data, err := fs.ReadFile(assets.Drills, name+".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in drill %q; built-in drills are: %s", name, strings.Join(assets.DrillNames(), ", "))
	}
	return ParseDrill("drills/"+name+".yaml (built-in)", data)
}

// LoadFile loads and checks the drill file at path.
func LoadFile(path string) (*Drill, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read drill file: %w", err)
	}
	return ParseDrill(path, data)
}

// labBaseName is the name a lab is known by for drills: its built-in name
// or its file's name without .yaml, whatever --name it runs under.
func labBaseName(l *lab.Lab) string {
	src := strings.TrimSuffix(l.Source, " (built-in)")
	src = strings.TrimPrefix(src, "embedded:")
	return strings.TrimSuffix(strings.TrimSuffix(path.Base(src), ".yaml"), ".yml")
}

// AppliesTo reports whether the drill is written for lab l: l is one of
// its labs (by built-in name, file name or running name).
func (d *Drill) AppliesTo(l *lab.Lab) bool {
	return slices.Contains(d.Labs, labBaseName(l)) || slices.Contains(d.Labs, l.Name)
}

// CheckLab reports every node, component and interface the drill names
// that lab l does not have, at once.
func (d *Drill) CheckLab(l *lab.Lab) error {
	var ps []lab.Problem
	bad := func(s Step, format string, args ...any) {
		ps = append(ps, lab.Problem{File: d.Source, Line: s.Line, Column: s.Column, Message: fmt.Sprintf(format, args...)})
	}
	lbNode := func(s Step, name string) {
		n, err := l.Node(name)
		switch {
		case err != nil:
			bad(s, "%v", err)
		case n.Role != lab.RoleLB:
			bad(s, "%s is a %s node, not a load balancer", name, n.Role)
		}
	}
	for _, s := range d.Steps {
		switch s.Kind {
		case StepFault, StepRestore:
			checkFault(l, s, bad)
		case ExpectVIPOn, ExpectState:
			for _, n := range s.Nodes {
				lbNode(s, n)
			}
		case ExpectBackend:
			for _, n := range s.Nodes {
				lbNode(s, n)
			}
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return &lab.ValidationError{Problems: ps}
}

// checkFault checks the nodes, component and interface a fault names.
func checkFault(l *lab.Lab, s Step, bad func(Step, string, ...any)) {
	f := s.Fault
	if f == nil || f.Kind == lab.FaultHeal {
		return
	}
	n, err := l.Node(f.Node)
	if err != nil {
		bad(s, "%v", err)
		return
	}
	if f.Component != "" && n.Component(f.Component) == nil {
		var kinds []string
		for _, c := range n.Components {
			kinds = append(kinds, c.Kind)
		}
		bad(s, "%s runs no %s; it runs %s", n.Name, f.Component, strings.Join(kinds, ", "))
	}
	if f.Interface != "" {
		var names []string
		found := false
		for _, i := range n.Interfaces {
			names = append(names, i.Name)
			found = found || i.Name == f.Interface
		}
		if !found {
			bad(s, "%s has no interface %s; it has %s", n.Name, f.Interface, strings.Join(names, ", "))
		}
	}
	if f.Peer != "" {
		if _, err := l.Node(f.Peer); err != nil {
			bad(s, "%v", err)
		}
	}
}
