package vrrp

import (
	"context"
	"fmt"
	"sync"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp/fsm"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// processTrackName is the fsm track of a vrrp_track_process: "process NAME".
func processTrackName(name string) string { return "process " + name }

// newProcessTrackers makes the start-up scan of every vrrp_track_process an
// instance tracks, before the instances exist, so that each starts with the
// tracked processes' state known (keepalived: init_track_processes, then
// initialise_tracking_priorities).
func (d *daemon) newProcessTrackers(cfg *kaconf.Config) error {
	d.procs = map[string]*processTracker{}
	for _, ic := range cfg.Instances {
		for _, tp := range ic.TrackProcesses {
			if d.procs[tp.Name] != nil {
				continue
			}
			t, err := newProcessTracker(tp.Process, procRoot)
			if err != nil {
				return fmt.Errorf("%s: vrrp_track_process %s: %w", tp.Process.Pos, tp.Name, err)
			}
			d.procs[tp.Name] = t
			d.log.Info(fmt.Sprintf("vrrp_track_process %s at start: %s - quorum %s", tp.Name, t.describe(len(t.pids)), heldOrNot(t.up())))
		}
	}
	return nil
}

// processTracks are the state machine's tracks for an instance's
// track_process lines, in the state the start-up scan found. With weight 0
// a tracked process without its quorum holds the instance in FAULT from the
// start (keepalived: "entering FAULT state (tracked process NAME quorum not
// achieved)").
func (d *daemon) processTracks(ic *kaconf.Instance) []fsm.Track {
	var tracks []fsm.Track
	for _, tp := range ic.TrackProcesses {
		initial := fsm.TrackUnknown
		if t := d.procs[tp.Name]; t != nil {
			initial = fsm.TrackFailed
			if t.up() {
				initial = fsm.TrackOK
			}
		}
		tracks = append(tracks, fsm.Track{Name: processTrackName(tp.Name), Weight: tp.Weight, Reverse: tp.WeightReverse, Initial: initial})
	}
	return tracks
}

// runProcessTrackers follows each tracked vrrp_track_process and hands
// every change of its quorum to the instances tracking it, as track
// changes, exactly like script results.
func (d *daemon) runProcessTrackers(ctx context.Context, wg *sync.WaitGroup) {
	for name, t := range d.procs {
		var ins []*instance
		for _, in := range d.instances {
			for _, tp := range in.cfg.TrackProcesses {
				if tp.Name == name {
					ins = append(ins, in)
				}
			}
		}
		if len(ins) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.run(ctx, d.log, func(up bool, count int) {
				d.reportProcess(ctx, t, ins, up, count)
			})
		}()
	}
}

// reportProcess logs a quorum change as keepalived does ("Quorum lost for
// tracked process proxy") and sends it to the instances.
func (d *daemon) reportProcess(ctx context.Context, t *processTracker, ins []*instance, up bool, count int) {
	why := fmt.Sprintf("quorum %s (%s)", gainedOrLost(up), t.describe(count))
	msg := fmt.Sprintf("Quorum %s for tracked process %s: %s", gainedOrLost(up), t.cfg.Name, t.describe(count))
	level := "info"
	if up {
		d.log.Info(msg)
	} else {
		level = "warn"
		d.log.Warn(msg)
	}
	d.ctl.Publish(control.Event{Kind: control.KindLog, Level: level, Message: msg})
	for _, in := range ins {
		select {
		case in.tracks <- trackResult{name: processTrackName(t.cfg.Name), ok: up, why: why}:
		case <-ctx.Done():
			return
		}
	}
}

func gainedOrLost(up bool) string {
	if up {
		return "gained"
	}
	return "lost"
}

func heldOrNot(up bool) string {
	if up {
		return "held"
	}
	return "not held"
}
