package vrrp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// Options configure a VRRP daemon run.
type Options struct {
	// ConfigPath is the keepalived.conf to read.
	ConfigPath string
	// Node names this router in events.
	Node string
	// Control receives events and status; never nil.
	Control *control.Server
	// Logger receives keepalived-style log lines.
	Logger *slog.Logger
}

// Run reads the configuration, starts every instance and its tracking, and
// runs until ctx is done; then it stops every instance gracefully
// (priority-0 advert from a master, addresses released) and returns nil.
// A configuration with errors is refused before anything is started, with
// every problem named by file and line.
func Run(ctx context.Context, opts Options) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctl := opts.Control
	if ctl == nil {
		ctl = control.NewServer(opts.Node, "vrrp")
	}
	cfg, err := kaconf.ParseFile(opts.ConfigPath)
	if cfg == nil {
		return err
	}
	for _, w := range cfg.Warnings {
		log.Warn(w.String())
		ctl.Logf("warn", "%s", w.String())
	}
	if err != nil {
		return fmt.Errorf("%s has errors:\n%w", opts.ConfigPath, err)
	}
	if len(cfg.Instances) == 0 {
		return fmt.Errorf("%s has no vrrp_instance: nothing to run", opts.ConfigPath)
	}

	d := &daemon{log: log, ctl: ctl, node: opts.Node}
	if err := d.newProcessTrackers(cfg); err != nil {
		return err
	}
	for _, ic := range cfg.Instances {
		in, err := newInstance(ic, d)
		if err != nil {
			d.closeAll()
			return fmt.Errorf("%s:%d: vrrp_instance %s: %w", ic.Pos.File, ic.Pos.Line, ic.Name, err)
		}
		d.instances = append(d.instances, in)
	}
	ctl.SetStatus(d.status)

	runCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	// Tracking runs until the instances have stopped: they need no more
	// results after that.
	d.startTracking(runCtx, cfg, &wg)
	var instancesDone sync.WaitGroup
	for _, in := range d.instances {
		instancesDone.Add(1)
		go func() {
			defer instancesDone.Done()
			in.run(ctx)
		}()
	}
	names := make([]string, len(d.instances))
	for i, in := range d.instances {
		names[i] = in.name
	}
	ctl.SetReady(fmt.Sprintf("vrrp running %s", strings.Join(names, ", ")))
	instancesDone.Wait()
	cancel()
	wg.Wait()
	var errs []error
	for _, in := range d.instances {
		if in.fatal != nil {
			errs = append(errs, fmt.Errorf("(%s) %w", in.name, in.fatal))
		}
	}
	return errors.Join(errs...)
}

// daemon is what the instances of one run share.
type daemon struct {
	log       *slog.Logger
	ctl       *control.Server
	node      string
	instances []*instance
	procs     map[string]*processTracker // by vrrp_track_process name
}

func (d *daemon) closeAll() {
	for _, in := range d.instances {
		in.close()
	}
}

// Status is the daemon's status detail on the control socket.
type Status struct {
	// Summary is one line for `halab status`: each instance's state,
	// priority and addresses held.
	Summary   string           `json:"summary"`
	Instances []InstanceStatus `json:"instances"`
}

func (d *daemon) status() any {
	st := Status{}
	for _, in := range d.instances {
		st.Instances = append(st.Instances, in.snapshot())
	}
	st.Summary = Summarize(st.Instances)
	return st
}

// Summarize is Status.Summary for these instances: each one's state,
// priority and the addresses it holds.
func Summarize(instances []InstanceStatus) string {
	parts := make([]string, 0, len(instances))
	for _, is := range instances {
		part := fmt.Sprintf("%s %s prio %d", is.Name, is.State, is.Priority)
		if held := is.HeldVIPs(); len(held) > 0 {
			part += " · VIP " + strings.Join(held, ",")
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}
