package fsm

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// Instance is the state machine of one VRRP instance. It does no I/O and
// reads no clock: every input carries the time, and every input returns the
// actions to execute. It is not safe for concurrent use; the daemon owns it
// from one goroutine.
type Instance struct {
	cfg   Config
	warns []string

	base   uint8 // base priority (lowered to 254 on an owner conflict)
	eff    uint8 // effective priority
	state  State
	mai    time.Duration // Master_Adver_Interval
	tracks []TrackStatus
	// wantMaster is keepalived's wantstate MASTER: set by state MASTER,
	// lost for good by a weight-0 fault (down_instance sets wantstate
	// FAULT, try_up_instance then BACKUP).
	wantMaster bool

	// Backup: the Master_Down_Timer.
	downDeadline time.Time
	downSince    time.Time     // when it was last set, for reasons
	zeroFrom     netip.Addr    // it was set to Skew_Time by this sender's priority-0 advert
	ignored      ignoredAdvert // lower priority adverts discarded since it was set
	preemptTime  time.Time     // preempt_delay: preempt no earlier than this (zero: not running)

	// Master: the Adver_Timer.
	advertDeadline time.Time

	garp []delayedGARP // pending delayed gratuitous ARP bursts

	masterAddr netip.Addr
	masterPrio uint8
	last       TransitionRecord
}

type ignoredAdvert struct {
	from  netip.Addr
	prio  uint8
	count int
}

type delayedGARP struct {
	at    time.Time
	count int
}

// New returns an instance in [Initialize] for the configuration, normalized
// by [Config.Normalize] (its warnings are kept in [Instance.Warnings]).
func New(cfg Config) (*Instance, error) {
	c, warns, err := cfg.Normalize()
	if err != nil {
		return nil, err
	}
	in := &Instance{cfg: c, warns: warns, base: c.Priority, mai: c.AdvertInterval}
	for _, t := range c.Tracks {
		in.tracks = append(in.tracks, TrackStatus{Track: t, State: t.Initial})
	}
	in.eff = in.computePriority()
	return in, nil
}

// Config returns the normalized configuration.
func (in *Instance) Config() Config {
	c := in.cfg
	c.Tracks = append([]Track(nil), c.Tracks...)
	return c
}

// Warnings returns what [Config.Normalize] changed, in keepalived's words.
func (in *Instance) Warnings() []string { return append([]string(nil), in.warns...) }

// State returns the current state.
func (in *Instance) State() State { return in.state }

// Priority returns the effective priority: the base priority plus the
// weights of the tracked items, clamped to 1..254, or 255 for the address
// owner (keepalived vrrp_set_effective_priority). Adverts carry it.
func (in *Instance) Priority() uint8 { return in.eff }

// MasterAddress returns the router believed to be master and its priority:
// this router in Master; in Backup the sender of the last advert with a
// non-zero priority (keepalived's master_saddr), forgotten when it sends
// priority 0. ok is false when no master is known.
func (in *Instance) MasterAddress() (addr netip.Addr, priority uint8, ok bool) {
	switch in.state {
	case Master:
		return in.cfg.LocalAddress, in.eff, true
	case Backup:
		return in.masterAddr, in.masterPrio, in.masterAddr.IsValid()
	}
	return netip.Addr{}, 0, false
}

// LastTransition returns the last state change and when it happened; ok is
// false before the first one.
func (in *Instance) LastTransition() (rec TransitionRecord, ok bool) {
	return in.last, !in.last.At.IsZero()
}

// Tracks returns the tracked items with their current states.
func (in *Instance) Tracks() []TrackStatus { return append([]TrackStatus(nil), in.tracks...) }

// Start is RFC 5798 §6.4.1's Startup event, as keepalived 2.2.7's
// vrrp_init_state does it:
//   - a weight-0 track failing, or not reported yet → FAULT;
//   - address owner (priority 255) with state MASTER → MASTER at once: send
//     an advert, add the VIPs, gratuitous ARP;
//   - otherwise → BACKUP with the Master_Down_Timer at
//     Master_Down_Interval, also for state MASTER with a priority below
//     255 (keepalived 2.2.7 does not jump to MASTER for it).
//
// Start on a started instance only fires the timers due at now.
func (in *Instance) Start(now time.Time) []Action {
	if in.state != Initialize {
		return in.runTimers(now)
	}
	in.base = in.cfg.Priority
	in.mai = in.cfg.AdvertInterval
	in.preemptTime = time.Time{}
	in.garp = nil
	in.masterAddr, in.masterPrio = netip.Addr{}, 0
	in.wantMaster = in.cfg.InitialState == Master
	in.eff = in.computePriority()

	if why := in.downReason(); why != "" {
		if in.hasFault() {
			in.wantMaster = false // vrrp_init_state: state FAULT ⇒ wantstate FAULT
		}
		return in.enterFault(now, why)
	}
	if in.wantMaster && in.base == PriorityOwner {
		return in.becomeMaster(now, "initial state MASTER, address owner (priority 255)")
	}
	why := "initial state BACKUP"
	if in.cfg.InitialState == Master {
		why = fmt.Sprintf("initial state MASTER but priority %d < 255: keepalived waits like a backup", in.eff)
	}
	return in.enterBackup(now, why+", master down timer "+secs(in.masterDown()))
}

// Stop is RFC 5798 §6.4.2/§6.4.3's Shutdown event (keepalived on SIGTERM,
// restore_vrrp_interfaces): a master sends an advert with priority 0 and
// removes the VIPs; every state goes to Initialize and all timers stop.
// Timers already due at now fire first.
func (in *Instance) Stop(now time.Time) []Action {
	acts := in.runTimers(now)
	if in.state == Initialize {
		return acts
	}
	prev := in.state
	acts = append(acts, in.transition(now, Initialize, "shutdown"))
	if prev == Master {
		acts = append(acts, SendAdvert{Priority: PriorityStop}, RemoveVIPs{})
	}
	in.downDeadline, in.advertDeadline = time.Time{}, time.Time{}
	in.garp = nil
	return acts
}

// Tick fires the timers due at now (keepalived's read-timeout dispatcher):
// in Backup the Master_Down_Timer (→ MASTER), in Master the Adver_Timer
// (send an advert), and delayed gratuitous ARP bursts. Call it at
// [Instance.NextDeadline]; calling it early or late is harmless (a late
// call fires the timer once and reschedules it from now, as keepalived).
func (in *Instance) Tick(now time.Time) []Action {
	return in.runTimers(now)
}

// transition changes the state and returns the Transition action.
func (in *Instance) transition(now time.Time, to State, reason string) Action {
	tr := Transition{From: in.state, To: to, Reason: reason}
	in.state = to
	in.last = TransitionRecord{Transition: tr, At: now}
	return tr
}

// becomeMaster is vrrp_state_goto_master + vrrp_state_master_tx +
// vrrp_state_become_master: advert first (so that the old master releases
// the VIPs before our gratuitous ARPs), then the VIPs, then a burst of
// garp_master_repeat gratuitous ARPs and another after garp_master_delay.
func (in *Instance) becomeMaster(now time.Time, reason string) []Action {
	acts := []Action{in.transition(now, Master, reason)}
	in.mai = in.cfg.AdvertInterval
	in.advertDeadline = now.Add(in.cfg.AdvertInterval)
	in.downDeadline = time.Time{}
	acts = append(acts, SendAdvert{Priority: in.eff}, AddVIPs{},
		SendGratuitousARP{Count: in.cfg.GARPMasterRepeat})
	if in.cfg.GARPMasterDelay > 0 {
		in.garp = append(in.garp, delayedGARP{at: now.Add(in.cfg.GARPMasterDelay), count: in.cfg.GARPMasterRepeat})
	}
	return acts
}

// enterBackup goes to Backup with a full Master_Down_Interval
// (vrrp_state_leave_master / vrrp_state_leave_fault / vrrp_init_state).
func (in *Instance) enterBackup(now time.Time, reason string) []Action {
	prev := in.state
	acts := []Action{in.transition(now, Backup, reason)}
	if prev == Master {
		acts = append(acts, RemoveVIPs{})
	}
	in.advertDeadline = time.Time{}
	in.preemptTime = time.Time{}
	in.restartDownTimer(now, in.masterDown())
	return acts
}

// enterFault is down_instance: from MASTER keepalived 2.2.7 sends two
// priority-0 adverts (one in vrrp_state_leave_master, one in
// vrrp_restore_interface) and removes the VIPs; in FAULT no timer runs.
func (in *Instance) enterFault(now time.Time, reason string) []Action {
	prev := in.state
	acts := []Action{in.transition(now, Fault, reason)}
	if prev == Master {
		acts = append(acts, SendAdvert{Priority: PriorityStop}, SendAdvert{Priority: PriorityStop}, RemoveVIPs{})
	}
	in.downDeadline, in.advertDeadline = time.Time{}, time.Time{}
	in.mai = in.cfg.AdvertInterval
	in.masterAddr, in.masterPrio = netip.Addr{}, 0
	return acts
}

// leaveFault is try_up_instance + vrrp_state_leave_fault: BACKUP with a full
// Master_Down_Interval, or MASTER at once for an address owner that still
// wants MASTER (one that was only waiting for its first track results).
func (in *Instance) leaveFault(now time.Time, reason string) []Action {
	in.mai = in.cfg.AdvertInterval
	if in.wantMaster && in.base == PriorityOwner {
		return in.becomeMaster(now, reason)
	}
	return in.enterBackup(now, reason)
}

// downExpiredReason explains a Master_Down_Timer expiry.
func (in *Instance) downExpiredReason() string {
	after := secs(in.downDeadline.Sub(in.downSince))
	switch {
	case in.zeroFrom.IsValid():
		return fmt.Sprintf("priority-0 advert from %s (master stopped), took over after skew time %s", in.zeroFrom, after)
	case in.ignored.count > 0:
		return fmt.Sprintf("preempting lower priority %d master %s: master down timer expired after %s",
			in.ignored.prio, in.ignored.from, after)
	}
	return "master down timer expired after " + after
}

// secs formats a duration as seconds with two decimals: "3.61 s".
func secs(d time.Duration) string {
	if d < 100*time.Millisecond {
		// Short timers (a skew at priority 254 is about a millisecond) keep
		// their digits: "1.2 ms", not "0.00 s".
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}
