package fsm

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The scenario tests feed a script of timed inputs to one instance and check
// the actions, the state and NextDeadline after each, and after every step
// the invariants of checkInvariants.

var t0 = time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)

var (
	lb1 = netip.MustParseAddr("192.168.10.101")
	lb2 = netip.MustParseAddr("192.168.10.102")
	lb0 = netip.MustParseAddr("192.168.10.100")
)

const (
	ms = time.Millisecond
	us = time.Microsecond
	s  = time.Second
)

// input is one input of a script.
type input interface {
	apply(in *Instance, now time.Time) ([]Action, error)
}

type startIn struct{}
type stopIn struct{}
type tickIn struct{}
type advIn AdvertIn
type trackIn struct {
	name string
	ok   bool
}

func (startIn) apply(in *Instance, now time.Time) ([]Action, error) { return in.Start(now), nil }
func (stopIn) apply(in *Instance, now time.Time) ([]Action, error)  { return in.Stop(now), nil }
func (tickIn) apply(in *Instance, now time.Time) ([]Action, error)  { return in.Tick(now), nil }
func (a advIn) apply(in *Instance, now time.Time) ([]Action, error) {
	return in.Advert(now, AdvertIn(a)), nil
}
func (t trackIn) apply(in *Instance, now time.Time) ([]Action, error) {
	return in.TrackChanged(now, t.name, t.ok)
}

// Shorthands for scripts.
var (
	start = startIn{}
	stop  = stopIn{}
	tick  = tickIn{}
)

func adv(from netip.Addr, prio uint8) advIn { return advIn{From: from, Priority: prio, Interval: s} }
func adv3(from netip.Addr, prio uint8, interval time.Duration) advIn {
	return advIn{From: from, Priority: prio, Interval: interval}
}
func trackOK(name string) trackIn   { return trackIn{name, true} }
func trackFail(name string) trackIn { return trackIn{name, false} }

func tr(from, to State, reason string) Transition {
	return Transition{From: from, To: to, Reason: reason}
}

// becameMaster is what becoming master does with the default GARP settings.
func becameMaster(from State, reason string, prio uint8) []Action {
	return []Action{tr(from, Master, reason), SendAdvert{prio}, AddVIPs{}, SendGratuitousARP{Count: 5}}
}

// noTimer as step.next asserts NextDeadline is zero.
const noTimer = time.Duration(-1)

type step struct {
	at    time.Duration // since t0
	in    input
	want  []Action      // compared after normalize
	state State         // checked
	next  time.Duration // NextDeadline − t0; 0: not checked; noTimer: none
	err   error         // expected error (TrackChanged)
}

// normalize makes got comparable with want: a Transition or PriorityChanged
// whose wanted reason is "" matches any reason, and Notices are dropped
// unless want has one.
func normalize(want, got []Action) []Action {
	keepNotices := slices.ContainsFunc(want, func(a Action) bool { _, ok := a.(Notice); return ok })
	var out []Action
	for _, a := range got {
		if _, ok := a.(Notice); ok && !keepNotices {
			continue
		}
		out = append(out, a)
	}
	for i := range min(len(want), len(out)) {
		switch w := want[i].(type) {
		case Transition:
			if g, ok := out[i].(Transition); ok && w.Reason == "" {
				g.Reason = ""
				out[i] = g
			}
		case PriorityChanged:
			if g, ok := out[i].(PriorityChanged); ok && w.Reason == "" {
				g.Reason = ""
				out[i] = g
			}
		}
	}
	return out
}

// runScript runs steps against a new instance for cfg and returns it.
func runScript(t *testing.T, cfg Config, steps []step) *Instance {
	t.Helper()
	in, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	runSteps(t, in, steps)
	return in
}

func runSteps(t *testing.T, in *Instance, steps []step) {
	t.Helper()
	for i, st := range steps {
		now := t0.Add(st.at)
		got, err := st.in.apply(in, now)
		if !errors.Is(err, st.err) {
			t.Fatalf("step %d (%T at %v): error %v, want %v", i, st.in, st.at, err, st.err)
		}
		if diff := cmp.Diff(st.want, normalize(st.want, got)); diff != "" {
			t.Errorf("step %d (%T%+v at %v): actions (-want +got):\n%s\nall actions: %#v", i, st.in, st.in, st.at, diff, got)
		}
		if in.State() != st.state {
			t.Errorf("step %d (at %v): state %v, want %v", i, st.at, in.State(), st.state)
		}
		switch next := in.NextDeadline(); {
		case st.next == noTimer && !next.IsZero():
			t.Errorf("step %d (at %v): NextDeadline %v, want none", i, st.at, next.Sub(t0))
		case st.next > 0 && !next.Equal(t0.Add(st.next)):
			t.Errorf("step %d (at %v): NextDeadline %v, want %v", i, st.at, sinceT0(next), st.next)
		}
		checkInvariants(t, in, now)
	}
}

func sinceT0(t time.Time) any {
	if t.IsZero() {
		return "none"
	}
	return t.Sub(t0)
}

func clone(in *Instance) *Instance {
	c := *in
	c.tracks = slices.Clone(in.tracks)
	c.garp = slices.Clone(in.garp)
	c.cfg.Tracks = slices.Clone(in.cfg.Tracks)
	return &c
}

// checkInvariants checks what must hold after every input at now:
// NextDeadline is after now (due timers have fired), each state has exactly
// its timer, and NextDeadline is exact: a Tick just before it does nothing,
// a Tick at it consumes it.
func checkInvariants(t *testing.T, in *Instance, now time.Time) {
	t.Helper()
	next := in.NextDeadline()
	if !next.IsZero() && !next.After(now) {
		t.Fatalf("at %v: NextDeadline %v not after now", now.Sub(t0), next.Sub(t0))
	}
	down, inBackup := in.MasterDownDeadline()
	switch in.State() {
	case Backup:
		if !inBackup || down.IsZero() || in.advertDeadline != (time.Time{}) {
			t.Fatalf("at %v: Backup without its Master_Down_Timer alone", now.Sub(t0))
		}
	case Master:
		if inBackup || in.advertDeadline.IsZero() || in.downDeadline != (time.Time{}) {
			t.Fatalf("at %v: Master without its Adver_Timer alone", now.Sub(t0))
		}
	default:
		if inBackup || !in.advertDeadline.IsZero() || !in.downDeadline.IsZero() {
			t.Fatalf("at %v: protocol timer running in %v", now.Sub(t0), in.State())
		}
	}
	if next.IsZero() {
		return
	}
	early := clone(in)
	if acts := early.Tick(next.Add(-time.Nanosecond)); len(acts) != 0 || !early.NextDeadline().Equal(next) || early.State() != in.State() {
		t.Fatalf("at %v: Tick just before NextDeadline %v did something: %#v", now.Sub(t0), next.Sub(t0), acts)
	}
	due := clone(in)
	due.Tick(next)
	if n := due.NextDeadline(); !n.IsZero() && !n.After(next) {
		t.Fatalf("at %v: Tick at NextDeadline %v left the timer due (%v)", now.Sub(t0), next.Sub(t0), n.Sub(t0))
	}
}

// baseCfg is the tutorial's instance without tracking: v2, advert 1 s,
// priority 100, this router 192.168.10.101.
func baseCfg() Config {
	return Config{VRID: 51, Version: 2, Priority: 100, AdvertInterval: s, LocalAddress: lb1}
}

func with(c Config, f func(*Config)) Config {
	f(&c)
	return c
}
