package learn

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/halab/halab/nodes/probe"
)

// Block is a piece of the live lab on the screen: a configuration file, a
// command and what it printed, figures computed from the lab.
type Block struct {
	// Title says what it is, in the course's language (a command is
	// written as NODE$ COMMAND).
	Title string
	// Lines are the lab's text as it is.
	Lines []string
}

// Acted is what an action did, for its check.
type Acted struct {
	// Start is when the action began, Done when what it did was in force
	// (a fault applied). The checks measure from Done: a fault may wait
	// for another halab process's lock on the machine before it lands,
	// and once it returns it is in force (a power-off's own part of that
	// is milliseconds).
	Start, Done time.Time
	// Out holds the commands' outputs by a name the check knows (a node's
	// name, or NODE/what).
	Out map[string]Output
	// Probe is the client probe's status just before the action, when the
	// check compares counts.
	Probe *probe.Status
}

// Result is a check's verdict.
type Result struct {
	Pass bool
	// Seen says, sentence by sentence in the course's language, what the
	// check saw: the evidence for ✓ or ✗.
	Seen []string
}

// The four kinds of a step's parts, registered by name below.
type (
	// Prepare brings the lab to the state a step starts from, reporting
	// what it had to do, and what it waits for meanwhile.
	Prepare func(ctx context.Context, e *Env, out func(Block), waiting func(string)) error
	// Show reads what a step shows before its action.
	Show func(ctx context.Context, e *Env) ([]Block, error)
	// Action does what the step's key does, reporting each command run
	// and what it printed.
	Action func(ctx context.Context, e *Env, out func(Block)) (Acted, error)
	// Check waits, within a bound, for what the action should bring
	// about, saying through waiting what it waits for meanwhile.
	Check func(ctx context.Context, e *Env, a Acted, waiting func(string)) Result
)

// The registries, by the names course.yaml uses. Each is filled by the
// file that implements its entries.
var (
	prepares = map[string]Prepare{}
	shows    = map[string]Show{}
	actions  = map[string]Action{}
	checks   = map[string]Check{}
)

// Names lists the registered names of each kind, sorted: for the tests
// that hold course.yaml to them.
func Names() map[string][]string {
	return map[string][]string{
		"prepare": slices.Sorted(maps.Keys(prepares)),
		"show":    slices.Sorted(maps.Keys(shows)),
		"action":  slices.Sorted(maps.Keys(actions)),
		"check":   slices.Sorted(maps.Keys(checks)),
	}
}

// unknownParts says which of a step's names are not registered.
func unknownParts(s Step) []string {
	var out []string
	for _, p := range []struct {
		kind, name string
		ok         bool
	}{
		{"prepare", s.Prepare, prepares[s.Prepare] != nil},
		{"show", s.Show, shows[s.Show] != nil},
		{"action", s.Action, actions[s.Action] != nil},
		{"check", s.Check, checks[s.Check] != nil},
	} {
		if !p.ok {
			out = append(out, fmt.Sprintf("step %s: no %s called %q", s.ID, p.kind, p.name))
		}
	}
	return out
}

// Phase is where a running step is.
type Phase int

// The phases of a step run.
const (
	PhasePrepare Phase = iota + 1
	PhaseAction
	PhaseCheck
)

// Progress is news of a running step.
type Progress struct {
	Phase Phase
	// Block is output to show, when not nil.
	Block *Block
	// Waiting says what the check waits for now, when not empty.
	Waiting string
}

// ShowStep reads what step s shows before its action.
func (e *Env) ShowStep(ctx context.Context, s Step) ([]Block, error) {
	show := shows[s.Show]
	if show == nil {
		return nil, fmt.Errorf("step %s: no show called %q", s.ID, s.Show)
	}
	return show(ctx, e)
}

// RunStep prepares the lab for step s, runs its action and then its
// check, reporting as it goes (from the calling goroutine). It returns the
// check's verdict; an error says the step could not be run (the lab could
// not be prepared, the action failed, ctx ended).
func (e *Env) RunStep(ctx context.Context, s Step, report func(Progress)) (Result, error) {
	if bad := unknownParts(s); len(bad) > 0 {
		return Result{}, fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	out := func(p Phase) func(Block) {
		return func(b Block) { report(Progress{Phase: p, Block: &b}) }
	}
	waiting := func(p Phase) func(string) {
		return func(w string) { report(Progress{Phase: p, Waiting: w}) }
	}
	report(Progress{Phase: PhasePrepare})
	if err := prepares[s.Prepare](ctx, e, out(PhasePrepare), waiting(PhasePrepare)); err != nil {
		return Result{}, err
	}
	report(Progress{Phase: PhaseAction})
	a, err := actions[s.Action](ctx, e, out(PhaseAction))
	if err != nil {
		return Result{}, err
	}
	report(Progress{Phase: PhaseCheck})
	res := checks[s.Check](ctx, e, a, waiting(PhaseCheck))
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// waitFor polls cond every e.Poll until it holds or limit has passed,
// telling waiting what it waits for (what, with the time waited so far).
// It returns how long it waited and whether cond held.
func (e *Env) waitFor(ctx context.Context, limit time.Duration, what string, waiting func(string), cond func() bool) (time.Duration, bool) {
	start := e.Clock.Now()
	for first := true; ; first = false {
		if cond() {
			if first {
				return 0, true
			}
			return e.Clock.Now().Sub(start), true
		}
		waited := e.Clock.Now().Sub(start)
		if waited >= limit || ctx.Err() != nil {
			return waited, false
		}
		if waiting != nil {
			waiting(e.Texts.T("wait.for", "what", what, "waited", e.Texts.Dur(waited), "limit", e.Texts.Dur(limit)))
		}
		if e.Clock.Sleep(ctx, min(e.Poll, limit-waited)) != nil {
			return e.Clock.Now().Sub(start), false
		}
	}
}

// command runs argv in node and reports it as a block: the command, what
// it printed, and its exit status when not 0.
func (e *Env) command(ctx context.Context, out func(Block), node string, argv ...string) Output {
	o, err := e.exec(ctx, node, argv...)
	if err != nil {
		o = Output{Stderr: err.Error(), Code: -1}
	}
	b := Block{Title: node + "$ " + strings.Join(argv, " ")}
	b.Lines = append(b.Lines, lines(o.Stdout)...)
	b.Lines = append(b.Lines, lines(o.Stderr)...)
	if o.Code != 0 {
		b.Lines = append(b.Lines, e.Texts.T("out.exit", "code", fmt.Sprint(o.Code)))
	}
	out(b)
	return o
}

// lines splits text into lines without the last empty one, tabs expanded
// (a terminal cell is a cell).
func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = expandTabs(strings.TrimRight(l, "\r"))
	}
	return ls
}

func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

// verdict builds a Result from checks: it passes when every one does, and
// says each with ✓ or ✗.
type verdict struct {
	res  Result
	some bool
}

func newVerdict() *verdict { return &verdict{res: Result{Pass: true}} }

// check records one expectation: ok, and the sentence saying what was
// seen.
func (v *verdict) check(ok bool, seen string) {
	v.some = true
	mark := "✓ "
	if !ok {
		mark = "✗ "
		v.res.Pass = false
	}
	v.res.Seen = append(v.res.Seen, mark+seen)
}

// note records a sentence that is no expectation.
func (v *verdict) note(seen string) { v.res.Seen = append(v.res.Seen, "· "+seen) }

func (v *verdict) result() Result {
	if !v.some {
		v.res.Pass = false
	}
	return v.res
}
