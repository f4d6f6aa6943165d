package fsm

import (
	"testing"
	"time"
)

// RFC 5798 §6.4 transitions, with keepalived's timer values.

// v2, priority 100, advert 1 s: Master_Down_Interval = 3 + 156/256 s.
const down100 = 3*s + 609375*us

func TestStartupBackupThenMasterOnTimer(t *testing.T) {
	steps := []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "initial state BACKUP, master down timer 3.61 s")}, state: Backup, next: down100},
		{at: down100, in: tick, want: becameMaster(Backup, "master down timer expired after 3.61 s", 100), state: Master, next: down100 + s},
	}
	// The Adver_Timer: one advert a second.
	for k := 1; k <= 4; k++ {
		steps = append(steps, step{at: down100 + time.Duration(k)*s, in: tick, want: []Action{SendAdvert{100}}, state: Master, next: down100 + time.Duration(k+1)*s})
	}
	// garp_master_delay 5 s: the second burst, due with the fifth advert.
	steps = append(steps, step{at: down100 + 5*s, in: tick,
		want:  []Action{SendGratuitousARP{Count: 5, Delayed: true}, SendAdvert{100}},
		state: Master, next: down100 + 6*s})
	in := runScript(t, baseCfg(), steps)
	if rec, ok := in.LastTransition(); !ok || rec.At != t0.Add(down100) || rec.To != Master {
		t.Errorf("LastTransition = %+v, %v", rec, ok)
	}
	if a, p, ok := in.MasterAddress(); a != lb1 || p != 100 || !ok {
		t.Errorf("MasterAddress = %v %v %v, want ourselves", a, p, ok)
	}
}

func TestAddressOwnerStartsMaster(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) { c.Priority = 255 })
	runScript(t, cfg, []step{
		{at: 0, in: start, want: becameMaster(Initialize, "initial state MASTER, address owner (priority 255)", 255), state: Master, next: s},
		{at: s, in: tick, want: []Action{SendAdvert{255}}, state: Master, next: 2 * s},
	})
	// An owner explicitly configured "state BACKUP" waits like a backup:
	// 3 s + 1/256 s.
	cfg.InitialState = Backup
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup, next: 3*s + 3906*us},
	})
}

func TestStateMasterBelowOwnerWaitsLikeBackup(t *testing.T) {
	// keepalived 2.2.7 vrrp_init_state: state MASTER, priority 101 →
	// BACKUP with the full 3 + 155/256 s.
	cfg := with(baseCfg(), func(c *Config) { c.InitialState = Master; c.Priority = 101 })
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup,
			"initial state MASTER but priority 101 < 255: keepalived waits like a backup, master down timer 3.61 s")},
			state: Backup, next: 3*s + 605468*us},
		{at: 3*s + 605468*us, in: tick, want: becameMaster(Backup, "", 101), state: Master},
	})
}

func TestBackupStaysOnHigherOrEqualAdvert(t *testing.T) {
	in := runScript(t, baseCfg(), []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup, next: down100},
		{at: 1 * s, in: adv(lb2, 101), state: Backup, next: 1*s + down100},
		{at: 2 * s, in: adv(lb2, 100), state: Backup, next: 2*s + down100},    // equal, higher address
		{at: 3 * s, in: adv(lb0, 100), state: Backup, next: 3*s + down100},    // equal, lower address
		{at: 3*s + down100 - 1, in: tick, state: Backup, next: 3*s + down100}, // not yet
	})
	if a, p, ok := in.MasterAddress(); a != lb0 || p != 100 || !ok {
		t.Errorf("MasterAddress = %v %v %v, want %v 100", a, p, ok, lb0)
	}
	if d, ok := in.MasterDownDeadline(); !ok || d != t0.Add(3*s+down100) {
		t.Errorf("MasterDownDeadline = %v %v", d, ok)
	}
	runSteps(t, in, []step{
		{at: 3*s + down100, in: tick, want: becameMaster(Backup, "master down timer expired after 3.61 s", 100), state: Master},
	})
}

func TestBackupPriorityZeroAdvertSkew(t *testing.T) {
	in := runScript(t, baseCfg(), []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: adv(lb2, 150), state: Backup, next: 1*s + down100},
		{at: 2 * s, in: adv(lb2, 0),
			want:  []Action{Notice{"Backup received priority 0 advertisement from 192.168.10.102, master down timer set to skew time 0.61 s"}},
			state: Backup, next: 2*s + 609375*us},
	})
	if _, _, ok := in.MasterAddress(); ok {
		t.Error("master still known after its priority-0 advert")
	}
	runSteps(t, in, []step{
		{at: 2*s + 609375*us, in: tick, state: Master,
			want: becameMaster(Backup, "priority-0 advert from 192.168.10.102 (master stopped), took over after skew time 0.61 s", 100)},
	})
}

// master returns steps that make baseCfg master at down100.
func master() []step {
	return []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: down100, in: tick, want: becameMaster(Backup, "", 100), state: Master, next: down100 + s},
	}
}

func TestMasterToBackupOnHigherPriority(t *testing.T) {
	runScript(t, baseCfg(), append(master(),
		step{at: 4 * s, in: adv(lb2, 110), state: Backup, next: 4*s + down100,
			want: []Action{tr(Master, Backup, "higher priority 110 advert from 192.168.10.102"), RemoveVIPs{}}},
		step{at: 5 * s, in: adv(lb2, 110), state: Backup, next: 5*s + down100},
		// The delayed GARP burst is still pending, and does nothing in BACKUP.
		step{at: 6 * s, in: adv(lb2, 110), state: Backup, next: down100 + 5*s},
		step{at: down100 + 5*s, in: tick, state: Backup, next: 6*s + down100},
	))
}

func TestMasterTieBreakByAddress(t *testing.T) {
	// Equal priority from a higher address (192.168.10.102 > .101): yield.
	runScript(t, baseCfg(), append(master(),
		step{at: 4 * s, in: adv(lb2, 100), state: Backup, next: 4*s + down100,
			want: []Action{tr(Master, Backup, "equal priority 100 advert from higher address 192.168.10.102"), RemoveVIPs{}}},
	))
	// Equal priority from a lower address (.100): assert, as for a lower
	// priority.
	runScript(t, baseCfg(), append(master(),
		step{at: 4 * s, in: adv(lb0, 100), state: Master, next: 5 * s,
			want: []Action{SendAdvert{100}, SendGratuitousARP{Count: 5}}},
	))
}

func TestMasterAssertsOnLowerPriority(t *testing.T) {
	runScript(t, baseCfg(), append(master(),
		step{at: 4 * s, in: adv(lb2, 50), state: Master, next: 5 * s,
			want: []Action{
				Notice{"Received advert from 192.168.10.102 with lower priority 50, ours 100, forcing new election"},
				SendAdvert{100}, SendGratuitousARP{Count: 5}}},
		step{at: 5 * s, in: tick, want: []Action{SendAdvert{100}}, state: Master, next: 6 * s},
		step{at: 6 * s, in: tick, want: []Action{SendAdvert{100}}, state: Master, next: 7 * s},
		step{at: 7 * s, in: tick, want: []Action{SendAdvert{100}}, state: Master, next: 8 * s},
		step{at: 8 * s, in: tick, want: []Action{SendAdvert{100}}, state: Master, next: down100 + 5*s},
		step{at: down100 + 5*s, in: tick, want: []Action{SendGratuitousARP{Count: 5, Delayed: true}}, state: Master, next: 9 * s},
		// garp_lower_prio_delay: the second lower-priority burst.
		step{at: 9 * s, in: tick, want: []Action{SendGratuitousARP{Count: 5, Delayed: true}, SendAdvert{100}}, state: Master, next: 10 * s},
	))
}

func TestMasterPriorityZeroAdvert(t *testing.T) {
	runScript(t, baseCfg(), append(master(),
		step{at: 4 * s, in: adv(lb2, 0), want: []Action{SendAdvert{100}}, state: Master, next: 5 * s},
	))
}

func TestShutdown(t *testing.T) {
	// Master: priority-0 advert, VIPs released, every timer stopped.
	in := runScript(t, baseCfg(), append(master(),
		step{at: 4 * s, in: stop, state: Initialize, next: noTimer,
			want: []Action{tr(Master, Initialize, "shutdown"), SendAdvert{0}, RemoveVIPs{}}},
		step{at: 5 * s, in: stop, state: Initialize, next: noTimer},
		step{at: 6 * s, in: adv(lb2, 100), state: Initialize, next: noTimer},
		step{at: 7 * s, in: tick, state: Initialize, next: noTimer},
	))
	// and it can start again.
	runSteps(t, in, []step{{at: 8 * s, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup, next: 8*s + down100}})

	// Backup: just stop.
	runScript(t, baseCfg(), []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: stop, want: []Action{tr(Backup, Initialize, "shutdown")}, state: Initialize, next: noTimer},
	})
}

func TestStopFiresDueTimersFirst(t *testing.T) {
	runScript(t, baseCfg(), []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 10 * s, in: stop, state: Initialize, next: noTimer, want: append(becameMaster(Backup, "", 100),
			tr(Master, Initialize, "shutdown"), SendAdvert{0}, RemoveVIPs{})},
	})
}

func TestAdvertsIgnoredBeforeStart(t *testing.T) {
	runScript(t, baseCfg(), []step{
		{at: 0, in: adv(lb2, 200), state: Initialize, next: noTimer},
		{at: 1 * s, in: tick, state: Initialize, next: noTimer},
	})
}

func TestV3LearnsMasterAdverInterval(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) { c.Version = 3 })
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup, next: down100},
		// The master advertises every 10 cs: 3 × 100 ms + 156 × 10 × 625/16 µs.
		{at: 1 * s, in: adv3(lb2, 150, 100*ms), state: Backup, next: 1*s + 300*ms + 60937*us},
		{at: 1*s + 360937*us, in: tick, want: becameMaster(Backup, "master down timer expired after 0.36 s", 100), state: Master,
			next: 2*s + 360937*us}, // our own interval again
	})
	// v2 ignores the advertised interval (the caller drops a mismatch).
	runScript(t, baseCfg(), []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: adv3(lb2, 150, 100*ms), state: Backup, next: 1*s + down100},
	})
}

func TestV3MasterToBackupLearnsInterval(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) { c.Version = 3 })
	in := runScript(t, cfg, append(master(),
		// NextDeadline is the pending delayed GARP burst (a no-op now).
		step{at: 4 * s, in: adv3(lb2, 200, 2*s), state: Backup, next: down100 + 5*s,
			want: []Action{tr(Master, Backup, ""), RemoveVIPs{}}},
	))
	if got := in.MasterAdverInterval(); got != 2*s {
		t.Errorf("MasterAdverInterval = %v, want 2s", got)
	}
	// 3 × 2 s + 156 × 200 × 625/16 µs.
	if d, _ := in.MasterDownDeadline(); d != t0.Add(4*s+6*s+1218750*us) {
		t.Errorf("MasterDownDeadline = %v", d.Sub(t0))
	}
}
