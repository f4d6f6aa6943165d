package fsm

import (
	"fmt"
	"net/netip"
	"time"
)

// AdvertIn is a received advertisement, already accepted by the caller as
// keepalived's vrrp_check_packet would: right VRID, version, checksum,
// authentication (and AH sequence number), TTL 255 for multicast, and in v2
// an advert interval equal to ours (keepalived drops a v2 advert whose
// interval differs: "advertisement interval mismatch"). A packet that fails
// those checks must not be passed here at all: in Backup keepalived does not
// restart its timer for it.
type AdvertIn struct {
	// From is the advert's IP source address (the sender's primary
	// address), compared with Config.LocalAddress on equal priorities.
	From netip.Addr
	// Priority is the advertised priority; 0 means the master is stopping.
	Priority uint8
	// Interval is the advertised Max Advert Interval. v3 backups learn
	// Master_Adver_Interval from it (RFC 5798 §6.4.2); v2 ignores it. A
	// zero or negative interval leaves Master_Adver_Interval unchanged.
	Interval time.Duration
}

// Advert processes a received advertisement (RFC 5798 §6.4.2, §6.4.3 and
// keepalived's vrrp_state_backup, vrrp_state_master_rx). In Initialize and
// Fault adverts are ignored. Timers due at now fire first.
//
// Backup:
//   - priority 0: the Master_Down_Timer is set to Skew_Time;
//   - priority ≥ ours, or nopreempt, or a preempt_delay still running:
//     learn Master_Adver_Interval (v3) and restart the Master_Down_Timer;
//     a lower priority starts preempt_delay, a higher or equal one stops
//     it;
//   - otherwise (lower priority, preempt allowed): discard it; the timer
//     is not restarted, so the backup preempts when it expires, up to one
//     Master_Down_Interval after the master's last higher-priority advert.
//     It does not take over at once (keepalived: "received lower priority
//     (101) advert from … - discarding").
//
// Master:
//   - priority 0: send an advert at once;
//   - higher priority, or equal priority from a higher address: learn
//     Master_Adver_Interval (v3), go to BACKUP and remove the VIPs
//     (keepalived sends one more advert first with higher_prio_send_advert);
//   - lower priority, or equal from a lower address: stay MASTER, answer
//     at once with an advert ("forcing new election", unless
//     lower_prio_no_advert) and a gratuitous ARP burst
//     (garp_lower_prio_repeat, again after garp_lower_prio_delay);
//   - equal priority 255 from another address: two address owners;
//     keepalived lowers its own priority to 254 and yields.
//
// In Master the Adver_Timer restarts from now after any advert, unless
// lower_prio_no_advert is set (vrrp_dispatcher_read).
func (in *Instance) Advert(now time.Time, a AdvertIn) []Action {
	acts := in.runTimers(now)
	switch in.state {
	case Backup:
		acts = append(acts, in.backupRx(now, a)...)
	case Master:
		acts = append(acts, in.masterRx(now, a)...)
	}
	return append(acts, in.runTimers(now)...)
}

func (in *Instance) learnInterval(a AdvertIn) {
	if in.cfg.Version == 3 && a.Interval > 0 {
		in.mai = a.Interval
	}
}

func (in *Instance) backupRx(now time.Time, a AdvertIn) []Action {
	if a.Priority == PriorityStop {
		in.restartDownTimer(now, in.skew())
		in.zeroFrom = a.From
		if in.masterAddr == a.From {
			in.masterAddr, in.masterPrio = netip.Addr{}, 0
		}
		return []Action{Notice{Text: fmt.Sprintf("Backup received priority 0 advertisement from %s, master down timer set to skew time %s", a.From, secs(in.skew()))}}
	}
	lower := a.Priority < in.eff
	delaying := in.cfg.PreemptDelay > 0 && (in.preemptTime.IsZero() || in.preemptTime.After(now))
	in.masterAddr, in.masterPrio = a.From, a.Priority
	if !lower || in.cfg.NoPreempt || delaying {
		var acts []Action
		in.learnInterval(a)
		if in.cfg.PreemptDelay > 0 {
			switch {
			case !lower && !in.preemptTime.IsZero():
				in.preemptTime = time.Time{}
				acts = append(acts, Notice{Text: "stop preempt delay"})
			case lower && in.preemptTime.IsZero():
				in.preemptTime = now.Add(in.cfg.PreemptDelay)
				acts = append(acts, Notice{Text: fmt.Sprintf("start preempt delay (%s): lower priority %d master %s",
					secs(in.cfg.PreemptDelay), a.Priority, a.From)})
			}
		}
		in.restartDownTimer(now, in.masterDown())
		return acts
	}
	in.ignored.from, in.ignored.prio = a.From, a.Priority
	in.ignored.count++
	return []Action{Notice{Text: fmt.Sprintf("received lower priority (%d) advert from %s - discarding", a.Priority, a.From)}}
}

// compareAddr is vrrp_saddr_cmp: the sender's address against ours,
// numerically; addresses of different families compare equal.
func (in *Instance) compareAddr(from netip.Addr) int {
	a, b := from.Unmap(), in.cfg.LocalAddress.Unmap()
	if a.Is4() != b.Is4() {
		return 0
	}
	return a.Compare(b)
}

func (in *Instance) masterRx(now time.Time, a AdvertIn) []Action {
	var acts []Action
	cmp := in.compareAddr(a.From)
	higher := func() bool { return a.Priority > in.eff || (a.Priority == in.eff && cmp > 0) }

	if a.Priority == PriorityStop || (in.cfg.HigherPrioSendAdvert && higher()) {
		acts = append(acts, SendAdvert{Priority: in.eff})
		if a.Priority == PriorityStop {
			in.resetAdvertTimer(now)
			return append(acts, Notice{Text: fmt.Sprintf("Master received priority 0 message from %s", a.From)})
		}
	}
	if a.Priority == in.eff {
		switch {
		case cmp == 0:
			acts = append(acts, Notice{Text: fmt.Sprintf("WARNING - equal priority advert received from remote host with our IP address %s.", a.From)})
		case in.eff == PriorityOwner:
			acts = append(acts, Notice{Text: fmt.Sprintf("CONFIGURATION ERROR: local instance and a remote instance (%s) are both configured as address owner, please fix - reducing local priority", a.From)})
			in.base = PriorityOwner - 1
			acts = append(acts, in.setPriority("address owner conflict with "+a.From.String())...)
		}
	}
	switch {
	case a.Priority < in.eff || (a.Priority == in.eff && cmp < 0):
		text := fmt.Sprintf("Received advert from %s with lower priority %d, ours %d", a.From, a.Priority, in.eff)
		if !in.cfg.LowerPrioNoAdvert {
			text += ", forcing new election"
		}
		acts = append(acts, Notice{Text: text})
		if !in.cfg.LowerPrioNoAdvert {
			acts = append(acts, SendAdvert{Priority: in.eff})
		}
		if n := in.cfg.GARPLowerPrioRepeat; n > 0 {
			acts = append(acts, SendGratuitousARP{Count: n})
			if in.cfg.GARPLowerPrioDelay > 0 {
				in.garp = append(in.garp, delayedGARP{at: now.Add(in.cfg.GARPLowerPrioDelay), count: n})
			}
		}
	case higher():
		in.learnInterval(a)
		in.masterAddr, in.masterPrio = a.From, a.Priority
		why := fmt.Sprintf("higher priority %d advert from %s", a.Priority, a.From)
		if a.Priority == in.eff {
			why = fmt.Sprintf("equal priority %d advert from higher address %s", a.Priority, a.From)
		}
		return append(acts, in.enterBackup(now, why)...)
	}
	in.resetAdvertTimer(now)
	return acts
}

// resetAdvertTimer: after processing an advert in MASTER keepalived restarts
// the Adver_Timer from now, unless lower_prio_no_advert is set.
func (in *Instance) resetAdvertTimer(now time.Time) {
	if !in.cfg.LowerPrioNoAdvert {
		in.advertDeadline = now.Add(in.cfg.AdvertInterval)
	}
}
