// Package live gives the walkthrough (package learn) a running lab,
// whichever provider built it: its recorded state, faults, the nodes'
// interfaces and the components' control sockets through the provider's
// lab.Access, and commands inside the nodes through `halab exec`, as a
// person would type them.
package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/halab/halab/lab"
	_ "github.com/halab/halab/lab/netns" // access to netns labs
	_ "github.com/halab/halab/lab/ssh"   // access to ssh labs
	"github.com/halab/halab/learn"
	"github.com/halab/halab/nodes/control"
)

// historyWait bounds reading a component's replayed events.
const historyWait = 2 * time.Second

// Lab is a running lab. It is safe for concurrent use.
type Lab struct {
	*lab.Handle
	halab string
}

var _ learn.Lab = (*Lab)(nil)

// Open opens access to the running lab called name; halab is the halab
// binary that runs commands in its nodes (`halab exec`). Close releases
// the access.
func Open(name, halab string) (*Lab, error) {
	h, err := lab.OpenHandle(name)
	if err != nil {
		return nil, err
	}
	return &Lab{Handle: h, halab: halab}, nil
}

// Interfaces reads node's interfaces from its kernel.
func (l *Lab) Interfaces(ctx context.Context, node string) ([]lab.InterfaceInfo, error) {
	return l.Access().Interfaces(ctx, node)
}

// Exec runs argv in node with `halab exec --lab NAME NODE -- ARGV…`.
func (l *Lab) Exec(ctx context.Context, node string, argv []string) (learn.Output, error) {
	args := append([]string{"exec", "--lab", l.Name(), node, "--"}, argv...)
	cmd := exec.CommandContext(ctx, l.halab, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	o := learn.Output{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return o, fmt.Errorf("%s: %v: %w", node, argv, ctx.Err())
	case errors.As(err, &ee):
		o.Code = ee.ExitCode()
	case err != nil:
		return o, fmt.Errorf("%s: halab exec %v: %w", node, argv, err)
	}
	return o, nil
}

// component finds node's component of kind in the recorded state.
func (l *Lab) component(node, kind string) (lab.ComponentState, error) {
	ns, err := l.State().Node(node)
	if err != nil {
		return lab.ComponentState{}, err
	}
	c, err := ns.Component(kind)
	if err != nil {
		return lab.ComponentState{}, err
	}
	return *c, nil
}

// Status asks node's component for its status.
func (l *Lab) Status(ctx context.Context, node, kind string, detail any) (control.Status, error) {
	c, err := l.component(node, kind)
	if err != nil {
		return control.Status{}, err
	}
	return l.Access().Control(node, c).Status(ctx, detail)
}

// errReplayed stops reading a stream once the replay is read.
var errReplayed = errors.New("replayed")

// History reads the events node's component replays: what it said since
// it started, up to its history's size.
func (l *Lab) History(ctx context.Context, node, kind string) ([]control.Event, error) {
	c, err := l.component(node, kind)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, historyWait)
	defer cancel()
	client := l.Access().Control(node, c)
	st, err := client.Status(ctx, nil)
	if err != nil {
		return nil, err
	}
	var out []control.Event
	if st.LastSeq == 0 {
		return nil, nil
	}
	_, err = client.Events(ctx, 0, func(e control.Event) error {
		out = append(out, e)
		if e.Seq >= st.LastSeq {
			return errReplayed
		}
		return nil
	})
	if err != nil && !errors.Is(err, errReplayed) {
		return out, fmt.Errorf("%s/%s: events: %w", node, kind, err)
	}
	return out, nil
}
