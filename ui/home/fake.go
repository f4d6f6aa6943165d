package home

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/halab/halab/lab"
)

// Fake is a Manager without labs, for tests and demos: Start reports the
// steps the netns provider would and records the lab as
// running; Destroy forgets it. Failures are set with FailStart and
// FailDestroy. It is safe for concurrent use.
type Fake struct {
	// StepDelay is the pause before each step (none by default).
	StepDelay time.Duration
	// Now is the clock stamped on steps and new labs (default time.Now).
	Now func() time.Time

	mu         sync.Mutex
	builtins   []LabEntry
	files      map[string][]LabEntry
	running    []RunningLab
	startErr   map[string]fakeFailure
	destroyErr map[string]error
	calls      []string
}

type fakeFailure struct {
	after int
	err   error
}

// NewFake returns a fake with halab's built-in labs, no lab files and no
// lab running.
func NewFake() *Fake {
	return &Fake{builtins: BuiltinEntries(), files: map[string][]LabEntry{},
		startErr: map[string]fakeFailure{}, destroyErr: map[string]error{}}
}

// SetFiles sets the lab files Files(dir) lists.
func (f *Fake) SetFiles(dir string, entries ...LabEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[dir] = entries
}

// SetRunning sets the labs running.
func (f *Fake) SetRunning(labs ...RunningLab) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running = labs
}

// FailStart makes Start of source report its first after steps, then
// fail with err (after 0: at once, as a validation error does).
func (f *Fake) FailStart(source string, after int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.startErr[source] = fakeFailure{after, err}
}

// FailDestroy makes Destroy of name fail with err.
func (f *Fake) FailDestroy(name string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.destroyErr[name] = err
}

// Calls lists the operations asked for: "start SOURCE PROVIDER",
// "destroy NAME".
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Builtins lists the built-in labs.
func (f *Fake) Builtins() []LabEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.builtins)
}

// Files lists the lab files set for dir.
func (f *Fake) Files(dir string) []LabEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.files[dir])
}

// Running lists the labs running.
func (f *Fake) Running() []RunningLab {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.running)
}

func (f *Fake) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// lookup finds a lab entry by source.
func (f *Fake) lookup(source string) (LabEntry, bool) {
	for _, e := range f.builtins {
		if e.Source == source {
			return e, true
		}
	}
	for _, es := range f.files {
		for _, e := range es {
			if e.Source == source {
				return e, true
			}
		}
	}
	return LabEntry{}, false
}

// report sends steps one by one, stamped, after delay each, and returns
// how many it sent; it stops when ctx is done.
func (f *Fake) report(ctx context.Context, steps []lab.Step, progress lab.Progress, delay time.Duration) (int, error) {
	for i, s := range steps {
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
			}
		}
		if err := ctx.Err(); err != nil {
			return i, err
		}
		s.Time = f.now()
		if progress != nil {
			progress(s)
		}
	}
	return len(steps), nil
}

// Start pretends to build the lab at source.
func (f *Fake) Start(ctx context.Context, source, provider string, progress lab.Progress) error {
	f.mu.Lock()
	f.calls = append(f.calls, "start "+source+" "+provider)
	e, ok := f.lookup(source)
	fail, failing := f.startErr[source]
	up := slices.ContainsFunc(f.running, func(r RunningLab) bool { return r.Name == e.Name() })
	f.mu.Unlock()
	switch {
	case !ok:
		return fmt.Errorf("no lab %q", source)
	case e.Err != nil:
		return e.Err
	case failing && fail.after == 0:
		return fail.err
	case provider != "netns":
		return fmt.Errorf("provider %q is not supported; supported: netns", provider)
	case up:
		return fmt.Errorf("lab %s: lab is already up; watch it with `halab status --lab %s` or remove it with `sudo halab down --lab %s`", e.Name(), e.Name(), e.Name())
	}
	steps := buildSteps(e.Lab)
	if failing {
		steps = steps[:min(fail.after, len(steps))]
	}
	n, err := f.report(ctx, steps, progress, f.StepDelay)
	if err == nil && failing {
		err = fail.err
	}
	if err != nil {
		if n > 0 {
			f.report(context.WithoutCancel(ctx), removeSteps(e.Name(), nodeNames(e.Lab), "failed: "+err.Error()+"; removing what was built"), progress, 0)
		}
		return err
	}
	r := RunningLab{Name: e.Name(), Title: e.Lab.Title, Provider: provider, Phase: "up", Created: f.now(),
		Nodes: nodeNames(e.Lab), VIP: e.Lab.VIP.Address.String(), VIPKnown: true}
	if m := firstVRRP(e.Lab); m != "" {
		r.VIPHolders = []string{m}
	}
	f.mu.Lock()
	f.running = append(f.running, r)
	f.mu.Unlock()
	return nil
}

// Destroy pretends to remove the running lab called name.
func (f *Fake) Destroy(ctx context.Context, name string, progress lab.Progress) error {
	f.mu.Lock()
	f.calls = append(f.calls, "destroy "+name)
	err := f.destroyErr[name]
	var nodes []string
	for _, r := range f.running {
		if r.Name == name {
			nodes = r.Nodes
		}
	}
	f.mu.Unlock()
	if _, err := f.report(ctx, removeSteps(name, nodes, ""), progress, f.StepDelay); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running = slices.DeleteFunc(f.running, func(r RunningLab) bool { return r.Name == name })
	return nil
}

// buildSteps are the steps the netns provider reports while building l,
// without times, then the VRRP election as a Manager reports it: the
// first load balancer becomes MASTER, the others BACKUP.
func buildSteps(l *lab.Lab) []lab.Step {
	step := func(node, format string, args ...any) lab.Step {
		return lab.Step{Node: node, Message: fmt.Sprintf(format, args...)}
	}
	steps := []lab.Step{
		step("", "created %d namespaces (halab-%s-*)", len(l.Nodes)+1, l.Name),
		step(lab.SwitchNode, "bridges up: %d networks", len(l.Networks)),
	}
	for _, n := range l.Nodes {
		for _, i := range n.Interfaces {
			steps = append(steps, step(n.Name, "%s %s on %s", i.Name, i.Address, i.Network))
		}
	}
	pid := 4100
	for _, kind := range lab.StartOrder {
		for _, n := range l.Nodes {
			if n.Component(kind) != nil {
				pid += 7
				steps = append(steps, step(n.Name, "%s ready (pid %d)", kind, pid))
			}
		}
	}
	master := firstVRRP(l)
	if master == "" {
		return steps
	}
	w := WaitingForMaster()
	w.Time = time.Time{}
	steps = append(steps, w)
	for _, n := range l.Nodes {
		if n.Component(lab.ComponentVRRP) == nil {
			continue
		}
		s := ElectionStep(n.Name, "BACKUP", "")
		if n.Name == master {
			s = ElectionStep(n.Name, "MASTER", "holds VIP "+l.VIP.Address.String())
		}
		s.Time = time.Time{}
		steps = append(steps, s)
	}
	return steps
}

// removeSteps are the steps of removing the lab name with its nodes,
// after a first step saying why, when why is not empty.
func removeSteps(name string, nodes []string, why string) []lab.Step {
	var steps []lab.Step
	if why != "" {
		steps = append(steps, lab.Step{Message: why})
	}
	names := []string{"halab-" + name + "-" + lab.SwitchNode}
	for _, n := range nodes {
		names = append(names, "halab-"+name+"-"+n)
	}
	return append(steps,
		lab.Step{Message: fmt.Sprintf("stopping %d processes", 2*len(nodes))},
		lab.Step{Message: fmt.Sprintf("removed %d namespaces: %s", len(names), strings.Join(names, " "))})
}

func nodeNames(l *lab.Lab) []string {
	var names []string
	for _, n := range l.Nodes {
		names = append(names, n.Name)
	}
	return names
}

// firstVRRP is the first node that runs VRRP, or "".
func firstVRRP(l *lab.Lab) string {
	for _, n := range l.Nodes {
		if n.Component(lab.ComponentVRRP) != nil {
			return n.Name
		}
	}
	return ""
}

// SetBuiltins replaces the built-in labs listed.
func (f *Fake) SetBuiltins(entries ...LabEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builtins = entries
}
