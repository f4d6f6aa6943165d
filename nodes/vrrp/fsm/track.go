package fsm

import (
	"fmt"
	"time"
)

// weightOf is what a track adds to the base priority in its state
// (vrrp_track.c: process_script_update_priority, initialise_*_state):
// a positive weight while OK, a negative one while failing, with the sign
// flipped by reverse; nothing while unknown.
func weightOf(t TrackStatus) int {
	m := 1
	if t.Reverse {
		m = -1
	}
	switch {
	case t.Weight > 0 && t.State == TrackOK:
		return t.Weight * m
	case t.Weight < 0 && t.State == TrackFailed:
		return t.Weight * m
	}
	return 0
}

// faulting reports whether a weight-0 track holds the instance in FAULT:
// failing, or OK with reverse.
func faulting(t TrackStatus) bool {
	if t.Weight != 0 {
		return false
	}
	bad := TrackFailed
	if t.Reverse {
		bad = TrackOK
	}
	return t.State == bad
}

// computePriority is vrrp_set_effective_priority: the address owner keeps
// 255 whatever the weights; otherwise base + weights, clamped to 1..254.
func (in *Instance) computePriority() uint8 {
	if in.base == PriorityOwner {
		return PriorityOwner
	}
	total := int(in.base)
	for _, t := range in.tracks {
		total += weightOf(t)
	}
	return uint8(min(max(total, 1), PriorityOwner-1))
}

// hasFault reports whether a weight-0 track is faulting
// (keepalived's num_script_if_fault > 0).
func (in *Instance) hasFault() bool {
	for _, t := range in.tracks {
		if faulting(t) {
			return true
		}
	}
	return false
}

// downReason says why the instance must be in FAULT: a weight-0 track
// faulting, or one with no result yet (keepalived's num_script_init); ""
// if it may run.
func (in *Instance) downReason() string {
	for _, t := range in.tracks {
		if faulting(t) {
			return trackEvent(t, TrackUnknown)
		}
	}
	for _, t := range in.tracks {
		if t.Weight == 0 && t.State == TrackUnknown {
			return "waiting for the first result of track " + t.Name
		}
	}
	return ""
}

// trackEvent describes a track's change for reasons.
func trackEvent(t TrackStatus, old TrackState) string {
	word := "failed"
	if t.State == TrackOK {
		word = "recovered"
		if old == TrackUnknown || t.Reverse {
			word = "is OK"
		}
	}
	if t.Reverse {
		word += " (reverse)"
	}
	return "track " + t.Name + " " + word
}

// TrackChanged reports a tracked item's new state (a vrrp_script result
// after rise/fall, a tracked interface going up or down), with keepalived's
// weight semantics (see [Track]):
//   - weight ≠ 0: the effective priority changes ([PriorityChanged]); in
//     Backup the Master_Down_Timer moves by the change of Skew_Time; a
//     master just advertises the new priority from its next advert on.
//   - weight 0: the first faulting track sends the instance to FAULT
//     (from MASTER with priority-0 adverts, VIPs removed); when none is
//     faulting or unknown any more, it leaves FAULT for BACKUP and a full
//     Master_Down_Interval (the address owner waiting only for a first
//     result goes MASTER at once), as keepalived's down_instance and
//     try_up_instance.
//
// Reporting the state a track already has does nothing. Before Start and
// after Stop the state is only recorded. Timers due at now fire first.
func (in *Instance) TrackChanged(now time.Time, name string, ok bool) ([]Action, error) {
	i := -1
	for j := range in.tracks {
		if in.tracks[j].Name == name {
			i = j
		}
	}
	if i < 0 {
		return nil, fmt.Errorf("%w %q", ErrUnknownTrack, name)
	}
	acts := in.runTimers(now)
	st := TrackFailed
	if ok {
		st = TrackOK
	}
	t := &in.tracks[i]
	if t.State == st {
		return acts, nil
	}
	wasDown := in.downReason() != ""
	old := t.State
	t.State = st
	ev := trackEvent(*t, old)
	if in.state == Initialize {
		in.eff = in.computePriority()
		return acts, nil
	}
	if t.Weight != 0 {
		acts = append(acts, in.setPriority(ev)...)
		return append(acts, in.runTimers(now)...), nil
	}
	switch {
	case faulting(*t):
		in.wantMaster = false
		if !wasDown {
			acts = append(acts, in.enterFault(now, ev)...)
		}
	case wasDown && in.downReason() == "":
		acts = append(acts, in.leaveFault(now, ev)...)
	}
	return append(acts, in.runTimers(now)...), nil
}

// setPriority recomputes the effective priority after a change of the
// weights or of the base priority. In Backup, like
// vrrp_set_effective_priority, the Master_Down_Timer deadline moves by the
// difference of the Master_Down_Intervals, that is of the Skew_Times.
// (keepalived moves it by the new interval minus the last value it stored
// in ms_down_timer, which after a priority-0 advert or a discarded advert
// is not a full interval; halab shifts by the Skew_Time difference, the
// same in the usual case and never a jump of seconds.)
func (in *Instance) setPriority(reason string) []Action {
	old := in.eff
	now := in.computePriority()
	if now == old {
		return nil
	}
	oldSkew := in.skew()
	in.eff = now
	if in.state == Backup {
		in.downDeadline = in.downDeadline.Add(in.skew() - oldSkew)
	}
	return []Action{PriorityChanged{From: old, To: now,
		Reason: fmt.Sprintf("%s, priority %d→%d", reason, old, now)}}
}
