package fsm

import (
	"testing"
	"time"
)

// Preemption (vrrp_state_backup) and keepalived's master options.

// lb2 of the tutorial: 100 + 2 = 102; Master_Down_Interval 3 + 154/256 s.
const down102 = 3*s + 601562*us

func lb2Cfg() Config {
	return with(baseCfg(), func(c *Config) {
		c.LocalAddress = lb2
		c.Tracks = []Track{chk(2)}
	})
}

func TestPreemptLowerAdvertDiscardedTimerRuns(t *testing.T) {
	// lb1 advertises 103, then (haproxy killed) 101: lb2 discards the 101
	// adverts without restarting its timer and takes over one
	// Master_Down_Interval after the last 103 advert, not at once.
	in := runScript(t, lb2Cfg(), []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: adv(lb1, 103), state: Backup, next: 1*s + down102},
		{at: 2 * s, in: adv(lb1, 103), state: Backup, next: 2*s + down102},
		{at: 3 * s, in: adv(lb1, 101), state: Backup, next: 2*s + down102,
			want: []Action{Notice{"received lower priority (101) advert from 192.168.10.101 - discarding"}}},
		{at: 4 * s, in: adv(lb1, 101), state: Backup, next: 2*s + down102},
		{at: 5 * s, in: adv(lb1, 101), state: Backup, next: 2*s + down102},
	})
	if a, p, _ := in.MasterAddress(); a != lb1 || p != 101 {
		t.Errorf("MasterAddress = %v %d, want lb1 101", a, p)
	}
	runSteps(t, in, []step{
		{at: 2*s + down102, in: tick, state: Master,
			want: becameMaster(Backup, "preempting lower priority 101 master 192.168.10.101: master down timer expired after 3.60 s", 102)},
		// lb1, still master, advertises 101: lb2 asserts itself.
		{at: 6 * s, in: adv(lb1, 101), state: Master, want: []Action{SendAdvert{102}, SendGratuitousARP{Count: 5}}},
	})
}

func TestNoPreemptLowerAdvertRestartsTimer(t *testing.T) {
	cfg := with(lb2Cfg(), func(c *Config) { c.NoPreempt = true })
	runScript(t, cfg, []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: adv(lb1, 50), state: Backup, next: 1*s + down102},
		{at: 2 * s, in: adv(lb1, 50), state: Backup, next: 2*s + down102},
		{at: 5 * s, in: adv(lb1, 50), state: Backup, next: 5*s + down102},
	})
}

func TestPreemptDelay(t *testing.T) {
	cfg := with(lb2Cfg(), func(c *Config) { c.PreemptDelay = 10 * s })
	steps := []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: adv(lb1, 101), state: Backup, next: 1*s + down102,
			want: []Action{Notice{"start preempt delay (10.00 s): lower priority 101 master 192.168.10.101"}}},
	}
	// Until 11 s the lower adverts restart the timer like higher ones.
	for k := 2; k <= 10; k++ {
		at := time.Duration(k) * s
		steps = append(steps, step{at: at, in: adv(lb1, 101), state: Backup, next: at + down102})
	}
	// From 11 s on they are discarded; takeover 3.60 s after the 10 s one.
	steps = append(steps,
		step{at: 11 * s, in: adv(lb1, 101), state: Backup, next: 10*s + down102},
		step{at: 12 * s, in: adv(lb1, 101), state: Backup, next: 10*s + down102},
		step{at: 13 * s, in: adv(lb1, 101), state: Backup, next: 10*s + down102},
		step{at: 10*s + down102, in: tick, state: Master, want: becameMaster(Backup, "", 102)},
	)
	runScript(t, cfg, steps)

	// A higher or equal advert stops the delay; it starts again from the
	// next lower one.
	steps = []step{
		{at: 0, in: start, want: []Action{tr(Initialize, Backup, "")}, state: Backup},
		{at: 1 * s, in: adv(lb1, 101), state: Backup, next: 1*s + down102},
		{at: 2 * s, in: adv(lb1, 102), state: Backup, next: 2*s + down102, want: []Action{Notice{"stop preempt delay"}}},
	}
	for k := 3; k <= 12; k++ { // restarted at 3 s: runs until 13 s
		at := time.Duration(k) * s
		steps = append(steps, step{at: at, in: adv(lb1, 101), state: Backup, next: at + down102})
	}
	steps = append(steps, step{at: 13 * s, in: adv(lb1, 101), state: Backup, next: 12*s + down102})
	runScript(t, cfg, steps)
}

func TestLowerPrioNoAdvert(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) { c.LowerPrioNoAdvert = true; c.GARPLowerPrioRepeat = -1 })
	runScript(t, cfg, append(master(),
		// No answer, and the Adver_Timer keeps its time.
		step{at: 4 * s, in: adv(lb2, 50), state: Master, next: down100 + s},
		step{at: 4*s + 100*ms, in: adv(lb2, 0), want: []Action{SendAdvert{100}}, state: Master, next: down100 + s},
	))
}

func TestHigherPrioSendAdvert(t *testing.T) {
	cfg := with(baseCfg(), func(c *Config) { c.HigherPrioSendAdvert = true })
	runScript(t, cfg, append(master(),
		step{at: 4 * s, in: adv(lb2, 150), state: Backup,
			want: []Action{SendAdvert{100}, tr(Master, Backup, "higher priority 150 advert from 192.168.10.102"), RemoveVIPs{}}},
	))
}

func TestTwoAddressOwners(t *testing.T) {
	// keepalived: "CONFIGURATION ERROR: … both configured as address
	// owner … reducing local priority" to 254, then yield to the 255.
	cfg := with(baseCfg(), func(c *Config) { c.Priority = 255 })
	in := runScript(t, cfg, []step{
		{at: 0, in: start, want: becameMaster(Initialize, "", 255), state: Master},
		{at: 500 * ms, in: adv(lb2, 255), state: Backup,
			want: []Action{PriorityChanged{From: 255, To: 254}, tr(Master, Backup, "higher priority 255 advert from 192.168.10.102"), RemoveVIPs{}}},
	})
	if in.Priority() != 254 {
		t.Errorf("Priority = %d, want 254", in.Priority())
	}
	// Whatever the addresses: once at 254, the other owner is higher.
	runScript(t, cfg, []step{
		{at: 0, in: start, want: becameMaster(Initialize, "", 255), state: Master},
		{at: 500 * ms, in: adv(lb0, 255), state: Backup,
			want: []Action{PriorityChanged{From: 255, To: 254}, tr(Master, Backup, ""), RemoveVIPs{}}},
	})
}

func TestEqualPriorityFromOwnAddress(t *testing.T) {
	runScript(t, baseCfg(), append(master(),
		step{at: 4 * s, in: adv(lb1, 100), state: Master, next: 5 * s,
			want: []Action{Notice{"WARNING - equal priority advert received from remote host with our IP address 192.168.10.101."}}},
	))
}
