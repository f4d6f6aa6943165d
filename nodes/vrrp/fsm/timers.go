package fsm

import (
	"net/netip"
	"time"
)

const centisecond = 10 * time.Millisecond

// SkewTime is RFC 5798 §6.1 Skew_Time for an effective priority and a
// Master_Adver_Interval, with keepalived's integer arithmetic
// (VRRP_TIMER_SKEW_CALC in vrrp.h, microseconds):
//
//   - v3: (256 − priority) × Master_Adver_Interval / 256, the interval
//     truncated to whole centiseconds first: (256−p) × cs × 625 / 16 µs.
//     Priority 100, 10 cs: 156 × 10 × 625 / 16 = 60937 µs (60.9375 ms,
//     truncated).
//   - v2: (256 − priority) / 256 seconds whatever the advert interval
//     (RFC 3768 §6.1): (256−p) × 1 000 000 / 256 µs. Priority 100:
//     609375 µs.
func SkewTime(version int, priority uint8, masterAdverInterval time.Duration) time.Duration {
	p := 256 - int64(priority)
	if version == 3 {
		cs := int64(masterAdverInterval / centisecond)
		return time.Duration(p*cs*625/16) * time.Microsecond
	}
	return time.Duration(p*1_000_000/256) * time.Microsecond
}

// MasterDownInterval is RFC 5798 §6.1 Master_Down_Interval =
// 3 × Master_Adver_Interval + Skew_Time (keepalived VRRP_MS_DOWN_TIMER, where
// the 3 is down_timer_adverts). v2, priority 100, advert 1 s: 3.609375 s;
// v3, priority 100, advert 100 ms: 360.937 ms.
func MasterDownInterval(version int, priority uint8, masterAdverInterval time.Duration, downTimerAdverts int) time.Duration {
	if downTimerAdverts <= 0 {
		downTimerAdverts = DefaultDownTimerAdverts
	}
	return time.Duration(downTimerAdverts)*masterAdverInterval + SkewTime(version, priority, masterAdverInterval)
}

// skew and masterDown use the instance's current effective priority and
// Master_Adver_Interval.
func (in *Instance) skew() time.Duration {
	return SkewTime(in.cfg.Version, in.eff, in.mai)
}

func (in *Instance) masterDown() time.Duration {
	return MasterDownInterval(in.cfg.Version, in.eff, in.mai, in.cfg.DownTimerAdverts)
}

// NextDeadline is when the daemon must call [Instance.Tick] next: the
// earliest of the Master_Down_Timer (Backup), the Adver_Timer (Master) and a
// pending delayed gratuitous ARP burst. The zero time means no timer runs
// (Initialize, Fault without pending bursts). Every input first runs the
// timers that are due, so after any call NextDeadline is later than the
// time passed to it.
func (in *Instance) NextDeadline() time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	switch in.state {
	case Backup:
		consider(in.downDeadline)
	case Master:
		consider(in.advertDeadline)
	}
	for _, g := range in.garp {
		consider(g.at)
	}
	return next
}

// MasterDownDeadline is when the Master_Down_Timer expires, and true, while
// the instance is in Backup (the dashboard shows it counting down); the
// zero time and false otherwise.
func (in *Instance) MasterDownDeadline() (time.Time, bool) {
	if in.state != Backup {
		return time.Time{}, false
	}
	return in.downDeadline, true
}

// MasterAdverInterval is RFC 5798 Master_Adver_Interval: the configured
// interval, or in v3 the one learned from the master's adverts while Backup.
func (in *Instance) MasterAdverInterval() time.Duration { return in.mai }

// runTimers fires, in deadline order, every timer due at now
// (keepalived fires a timer when sands <= now), and returns their actions.
func (in *Instance) runTimers(now time.Time) []Action {
	var acts []Action
	for {
		next := in.NextDeadline()
		if next.IsZero() || next.After(now) {
			return acts
		}
		acts = append(acts, in.fire(now, next)...)
	}
}

// fire runs the timer due at deadline.
func (in *Instance) fire(now, deadline time.Time) []Action {
	for i, g := range in.garp {
		if g.at.Equal(deadline) {
			in.garp = append(in.garp[:i], in.garp[i+1:]...)
			// vrrp_gratuitous_arp_thread (and its lower-priority twin):
			// vrrp_send_link_update sends only while the VIPs are set,
			// that is, in MASTER.
			if in.state == Master {
				return []Action{SendGratuitousARP{Count: g.count, Delayed: true}}
			}
			return nil
		}
	}
	switch in.state {
	case Master:
		// vrrp_state_master_tx, then vrrp_init_instance_sands from now.
		in.advertDeadline = now.Add(in.cfg.AdvertInterval)
		return []Action{SendAdvert{Priority: in.eff}}
	case Backup:
		return in.becomeMaster(now, in.downExpiredReason())
	}
	panic("fsm: timer due in state " + in.state.String())
}

// restartDownTimer sets the Master_Down_Timer to d from now.
func (in *Instance) restartDownTimer(now time.Time, d time.Duration) {
	in.downSince = now
	in.downDeadline = now.Add(d)
	in.zeroFrom = netip.Addr{}
	in.ignored = ignoredAdvert{}
}
