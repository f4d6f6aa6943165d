package fsm

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestRandomInputsKeepInvariants drives instances of several configurations
// with random inputs at random times and checks, after every input, the
// invariants of checkInvariants plus the consistency of the actions: the
// transitions chain from the previous state to the current one, the VIPs
// are held exactly in MASTER, adverts with a priority are only sent in
// MASTER and priority 0 only when leaving it.
func TestRandomInputsKeepInvariants(t *testing.T) {
	configs := map[string]Config{
		"v2":        baseCfg(),
		"v3 100ms":  with(baseCfg(), func(c *Config) { c.Version = 3; c.AdvertInterval = 100 * ms }),
		"owner":     with(baseCfg(), func(c *Config) { c.Priority = 255; c.Tracks = []Track{{Name: "if", Weight: 0}} }),
		"nopreempt": with(baseCfg(), func(c *Config) { c.NoPreempt = true }),
		"delay":     with(baseCfg(), func(c *Config) { c.PreemptDelay = 3 * s }),
		"quiet": with(baseCfg(), func(c *Config) {
			c.LowerPrioNoAdvert, c.HigherPrioSendAdvert, c.GARPMasterDelay = true, true, -1
		}),
		"tracks": with(baseCfg(), func(c *Config) {
			c.Tracks = []Track{
				{Name: "w0", Weight: 0, Initial: TrackOK},
				{Name: "plus", Weight: 60, Initial: TrackUnknown},
				{Name: "minus", Weight: -120},
				{Name: "rev", Weight: 30, Reverse: true, Initial: TrackOK},
				{Name: "rev0", Weight: 0, Reverse: true, Initial: TrackFailed},
			}
		}),
	}
	for name, cfg := range configs {
		for seed := uint64(1); seed <= 20; seed++ {
			t.Run(fmt.Sprintf("%s/%d", name, seed), func(t *testing.T) {
				randomRun(t, cfg, rand.New(rand.NewPCG(seed, 42)))
			})
		}
	}
}

func randomRun(t *testing.T, cfg Config, r *rand.Rand) {
	in, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	vips := false
	for i := range 400 {
		// Time: stay, a little, up to the next deadline, or past it.
		switch r.IntN(4) {
		case 1:
			now = now.Add(time.Duration(r.IntN(1500)) * ms)
		case 2:
			if d := in.NextDeadline(); !d.IsZero() {
				now = d
			}
		case 3:
			now = now.Add(time.Duration(r.IntN(8000)) * ms)
		}
		prev := in.State()
		var acts []Action
		var what string
		switch k := r.IntN(20); {
		case k == 0:
			acts, what = in.Start(now), "start"
		case k == 1 && r.IntN(4) == 0:
			acts, what = in.Stop(now), "stop"
		case k < 5:
			acts, what = in.Tick(now), "tick"
		case k < 14:
			from := lb0
			if r.IntN(2) == 0 {
				from = lb2
			}
			prio := []uint8{0, 1, 50, 99, 100, 101, 150, 254, 255}[r.IntN(9)]
			a := AdvertIn{From: from, Priority: prio, Interval: []time.Duration{s, 100 * ms, 2 * s}[r.IntN(3)]}
			acts, what = in.Advert(now, a), fmt.Sprintf("advert %+v", a)
		default:
			if len(in.tracks) == 0 {
				acts, what = in.Tick(now), "tick"
				break
			}
			tr := in.tracks[r.IntN(len(in.tracks))].Name
			ok := r.IntN(2) == 0
			acts, err = in.TrackChanged(now, tr, ok)
			if err != nil {
				t.Fatal(err)
			}
			what = fmt.Sprintf("track %s %v", tr, ok)
		}
		ctx := fmt.Sprintf("input %d (%s at %v) from %v: %#v", i, what, now.Sub(t0), prev, acts)
		cur, lastFrom := prev, prev
		for _, a := range acts {
			switch a := a.(type) {
			case Transition:
				if a.From != cur || a.From == a.To || a.Reason == "" {
					t.Fatalf("%s: bad transition %+v from %v", ctx, a, cur)
				}
				cur, lastFrom = a.To, a.From
			case SendAdvert:
				if a.Priority != 0 && cur != Master {
					t.Fatalf("%s: advert %d sent in %v", ctx, a.Priority, cur)
				}
				if a.Priority == 0 && (cur == Master || lastFrom != Master) {
					t.Fatalf("%s: priority 0 sent in %v (from %v)", ctx, cur, lastFrom)
				}
			case AddVIPs:
				if vips || cur != Master {
					t.Fatalf("%s: AddVIPs in %v, held %v", ctx, cur, vips)
				}
				vips = true
			case RemoveVIPs:
				if !vips || cur == Master {
					t.Fatalf("%s: RemoveVIPs in %v, held %v", ctx, cur, vips)
				}
				vips = false
			case SendGratuitousARP:
				if cur != Master || a.Count != in.cfg.GARPMasterRepeat {
					t.Fatalf("%s: gratuitous ARP %+v in %v", ctx, a, cur)
				}
			case PriorityChanged:
				if a.From == a.To || a.To == 0 {
					t.Fatalf("%s: bad priority change %+v", ctx, a)
				}
			}
		}
		if cur != in.State() {
			t.Fatalf("%s: transitions end in %v, state is %v", ctx, cur, in.State())
		}
		if vips != (in.State() == Master) {
			t.Fatalf("%s: VIPs held %v in %v", ctx, vips, in.State())
		}
		if p := in.Priority(); p == 0 || (in.base == PriorityOwner && p != PriorityOwner) {
			t.Fatalf("%s: priority %d (base %d)", ctx, p, in.base)
		}
		checkInvariants(t, in, now)
	}
}
