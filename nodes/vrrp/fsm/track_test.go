package fsm

import (
	"testing"
)

// keepalived's tracking: weights, FAULT, clamping (vrrp_track.c).

func chk(weight int) Track {
	return Track{Name: "chk_haproxy", Weight: weight, Initial: TrackOK}
}

func TestPositiveWeightAddsWhileOK(t *testing.T) {
	// The tutorial's lb1: 101 + 2 while haproxy runs.
	cfg := with(baseCfg(), func(c *Config) { c.Priority = 101; c.Tracks = []Track{chk(2)} })
	in := runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup, next: 3*s + 597656*us}, // 153/256 s
		{at: 3*s + 597656*us, in: tick, want: becameMaster(Backup, "", 103), state: Master, next: 4*s + 597656*us},
		{at: 4 * s, in: trackFail("chk_haproxy"), state: Master, next: 4*s + 597656*us,
			want: []Action{PriorityChanged{From: 103, To: 101, Reason: "track chk_haproxy failed, priority 103→101"}}},
		// Nothing is sent at once; the next advert carries 101.
		{at: 4*s + 597656*us, in: tick, want: []Action{SendAdvert{101}}, state: Master},
		{at: 5 * s, in: trackOK("chk_haproxy"), state: Master,
			want: []Action{PriorityChanged{From: 101, To: 103, Reason: "track chk_haproxy recovered, priority 101→103"}}},
		{at: 5 * s, in: trackOK("chk_haproxy"), state: Master}, // no change, nothing
	})
	if in.Priority() != 103 {
		t.Errorf("Priority = %d", in.Priority())
	}
}

func TestNegativeWeightSubtractsWhileFailing(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) {
		c.Tracks = []Track{{Name: "eth1", Weight: -20, Initial: TrackFailed}, {Name: "chk", Weight: -5, Initial: TrackOK}}
	})
	in := runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: trackOK("eth1"), want: []Action{PriorityChanged{From: 80, To: 100}}, state: Backup},
		{at: 2 * s, in: trackFail("chk"), want: []Action{PriorityChanged{From: 100, To: 95}}, state: Backup},
	})
	if in.Priority() != 95 {
		t.Errorf("Priority = %d", in.Priority())
	}
}

func TestReverseWeights(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) {
		c.Tracks = []Track{
			{Name: "plus", Weight: 10, Reverse: true, Initial: TrackOK},      // −10 while OK
			{Name: "minus", Weight: -7, Reverse: true, Initial: TrackFailed}, // +7 while failing
		}
	})
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: trackFail("plus"), want: []Action{PriorityChanged{From: 97, To: 107, Reason: "track plus failed (reverse), priority 97→107"}}, state: Backup},
		{at: 2 * s, in: trackOK("minus"), want: []Action{PriorityChanged{From: 107, To: 100}}, state: Backup},
	})
	// weight 0 reverse: FAULT while the item is OK.
	cfg.Tracks = []Track{{Name: "standby", Weight: 0, Reverse: true, Initial: TrackFailed}}
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: trackOK("standby"), want: []Action{tr(Backup, Fault, "track standby is OK (reverse)")}, state: Fault, next: noTimer},
		{at: 2 * s, in: trackFail("standby"), want: []Action{tr(Fault, Backup, "track standby failed (reverse)")}, state: Backup, next: 2*s + down100},
	})
}

func TestPriorityClamping(t *testing.T) {
	for _, tc := range []struct {
		name   string
		base   uint8
		tracks []Track
		want   uint8
	}{
		{"ceiling 254", 250, []Track{{Name: "a", Weight: 10, Initial: TrackOK}}, 254},
		{"floor 1", 5, []Track{{Name: "a", Weight: -10, Initial: TrackFailed}}, 1},
		{"owner keeps 255", 255, []Track{{Name: "a", Weight: -100, Initial: TrackFailed}}, 255},
		{"unknown adds nothing", 100, []Track{{Name: "a", Weight: 10}, {Name: "b", Weight: -10}}, 100},
		{"sum", 100, []Track{{Name: "a", Weight: 3, Initial: TrackOK}, {Name: "b", Weight: 4, Initial: TrackOK}, {Name: "c", Weight: -2, Initial: TrackFailed}}, 105},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := New(with(baseCfg(), func(c *Config) { c.Priority = tc.base; c.Tracks = tc.tracks }))
			if err != nil {
				t.Fatal(err)
			}
			in.Start(t0)
			if got := in.Priority(); got != tc.want {
				t.Errorf("Priority = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWeightZeroFaultFromMasterAndBack(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) { c.Tracks = []Track{chk(0)} })
	runScript(t, cfg, append(master(),
		// keepalived 2.2.7 sends priority 0 twice (vrrp_state_leave_master,
		// then vrrp_restore_interface) and removes the VIPs.
		step{at: 4 * s, in: trackFail("chk_haproxy"), state: Fault, next: down100 + 5*s,
			want: []Action{tr(Master, Fault, "track chk_haproxy failed"), SendAdvert{0}, SendAdvert{0}, RemoveVIPs{}}},
		// FAULT: adverts ignored, nothing sent, the delayed GARP is a no-op.
		step{at: 5 * s, in: adv(lb2, 50), state: Fault, next: down100 + 5*s},
		step{at: down100 + 5*s, in: tick, state: Fault, next: noTimer},
		// Leaving FAULT: BACKUP and a full Master_Down_Interval.
		step{at: 10 * s, in: trackOK("chk_haproxy"), state: Backup, next: 10*s + down100,
			want: []Action{tr(Fault, Backup, "track chk_haproxy recovered")}},
		step{at: 10*s + down100, in: tick, state: Master, want: becameMaster(Backup, "", 100)},
	))
}

func TestWeightZeroFaultFromBackup(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) { c.Tracks = []Track{chk(0), {Name: "eth0", Initial: TrackOK}} })
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: trackFail("eth0"), want: []Action{tr(Backup, Fault, "track eth0 failed")}, state: Fault, next: noTimer},
		{at: 2 * s, in: trackFail("chk_haproxy"), state: Fault, next: noTimer}, // already in FAULT
		{at: 3 * s, in: trackOK("eth0"), state: Fault, next: noTimer},          // chk still failing
		{at: 4 * s, in: trackOK("chk_haproxy"), want: []Action{tr(Fault, Backup, "")}, state: Backup, next: 4*s + down100},
	})
}

func TestInitialTrackStates(t *testing.T) {
	// A weight-0 script with no result yet holds the instance in FAULT
	// (vrrp_init_state, num_script_init) until its first result.
	cfg := with(baseCfg(), func(c *Config) { c.Tracks = []Track{{Name: "chk", Weight: 0}} })
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Fault, "waiting for the first result of track chk")}, state: Fault, next: noTimer},
		{at: 10 * ms, in: trackOK("chk"), want: []Action{tr(Fault, Backup, "track chk is OK")}, state: Backup, next: 10*ms + down100},
	})
	// The address owner then goes MASTER at once: it still wants MASTER.
	owner := with(cfg, func(c *Config) { c.Priority = 255 })
	runScript(t, owner, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Fault, "")}, state: Fault, next: noTimer},
		{at: 10 * ms, in: trackOK("chk"), want: becameMaster(Fault, "track chk is OK", 255), state: Master},
	})
	// An owner that really faulted comes back through BACKUP
	// (try_up_instance: wantstate was set to FAULT).
	owner.Tracks[0].Initial = TrackFailed
	runScript(t, owner, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Fault, "track chk failed")}, state: Fault, next: noTimer},
		{at: 1 * s, in: trackOK("chk"), want: []Action{tr(Fault, Backup, "track chk recovered")}, state: Backup, next: 1*s + 3*s + 3906*us},
	})
	// Tracks reported before Start are taken into account at Start.
	in, _ := New(with(baseCfg(), func(c *Config) { c.Tracks = []Track{{Name: "chk", Weight: 0}, {Name: "w", Weight: 5}} }))
	if _, err := in.TrackChanged(t0, "chk", true); err != nil {
		t.Fatal(err)
	}
	if _, err := in.TrackChanged(t0, "w", true); err != nil {
		t.Fatal(err)
	}
	runSteps(t, in, []step{{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup}})
	if in.Priority() != 105 {
		t.Errorf("Priority = %d, want 105", in.Priority())
	}
}

func TestUnknownTrack(t *testing.T) {
	runScript(t, baseCfg(), []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: trackFail("nope"), err: ErrUnknownTrack, state: Backup},
	})
}

func TestBackupPriorityChangeMovesDownTimerBySkew(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) { c.Tracks = []Track{chk(50)} })
	// 150: skew 106/256 s = 414062 µs.
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup, next: 3*s + 414062*us},
		{at: 1 * s, in: adv(lb2, 200), state: Backup, next: 4*s + 414062*us},
		// 150 → 100: the deadline moves by 609375 − 414062 µs.
		{at: 2 * s, in: trackFail("chk_haproxy"), want: []Action{PriorityChanged{From: 150, To: 100}}, state: Backup, next: 1*s + down100},
		// After a priority-0 advert, the Skew_Time deadline moves too.
		{at: 3 * s, in: adv(lb2, 0), state: Backup, next: 3*s + 609375*us},
		{at: 3*s + 100*ms, in: trackOK("chk_haproxy"), want: []Action{PriorityChanged{From: 100, To: 150}}, state: Backup, next: 3*s + 414062*us},
		{at: 3*s + 200*ms, in: trackFail("chk_haproxy"), want: []Action{PriorityChanged{From: 150, To: 100}}, state: Backup, next: 3*s + 609375*us},
		// A change that moves the deadline into the past fires it at once.
		{at: 3*s + 500*ms, in: trackOK("chk_haproxy"), state: Master,
			want: append([]Action{PriorityChanged{From: 100, To: 150}}, becameMaster(Backup, "", 150)...)},
	})
}
