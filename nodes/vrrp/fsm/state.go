package fsm

import (
	"fmt"
	"time"
)

// State is the state of a VRRP instance: the three states of RFC 3768 §6.4
// and RFC 5798 §6.4 (Initialize, Backup, Master) plus keepalived's FAULT.
type State int

// The states. The zero value is [Initialize].
const (
	// Initialize is RFC 5798 §6.4.1: not started, or stopped. No timer
	// runs and adverts are ignored (keepalived's INIT).
	Initialize State = iota
	// Backup is RFC 5798 §6.4.2: the Master_Down_Timer runs; the instance
	// takes over when it expires.
	Backup
	// Master is RFC 5798 §6.4.3: the instance holds the virtual addresses
	// and advertises every Advertisement_Interval.
	Master
	// Fault is keepalived's FAULT state: a tracked item with weight 0 is
	// failing (or has not reported yet). No adverts are sent, received
	// adverts are ignored and no timer runs (vrrp_scheduler.c,
	// vrrp_init_instance_sands).
	Fault
)

// String returns the name keepalived logs ("Entering MASTER STATE").
func (s State) String() string {
	switch s {
	case Initialize:
		return "INIT"
	case Backup:
		return "BACKUP"
	case Master:
		return "MASTER"
	case Fault:
		return "FAULT"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// TrackState is what is known of a tracked item (a vrrp_script,
// track_interface, track_process … of keepalived).
type TrackState int

// The track states. The zero value is [TrackUnknown].
const (
	// TrackUnknown: no result yet. keepalived starts every vrrp_script in
	// this state (SCRIPT_INIT_STATE_INIT): it adds no weight and subtracts
	// none, and a weight-0 script in it holds the instance in FAULT until
	// its first result (vrrp_track.c initialise_track_script_state,
	// vrrp_scheduler.c vrrp_init_state).
	TrackUnknown TrackState = iota
	// TrackOK: the item is up (script exit 0, interface up).
	TrackOK
	// TrackFailed: the item is down.
	TrackFailed
)

// String returns "unknown", "ok" or "failed".
func (s TrackState) String() string {
	switch s {
	case TrackUnknown:
		return "unknown"
	case TrackOK:
		return "ok"
	case TrackFailed:
		return "failed"
	}
	return fmt.Sprintf("TrackState(%d)", int(s))
}

// Track is one tracked item of an instance, with keepalived's weight
// semantics (vrrp_track.c): a positive weight is added to the priority while
// the item is OK; a negative weight is added (|weight| subtracted) while it is
// failing; weight 0 puts the instance in FAULT while the item fails.
// Reverse (keepalived's "weight N reverse") inverts the sense: a positive
// weight is subtracted while OK, a negative one added while failing, and
// with weight 0 the instance is in FAULT while the item is OK.
//
// The instance's own interface is tracked by keepalived with weight 0; give
// it a Track of its own (for example Name "interface eth0") and report its
// link state with [Instance.TrackChanged].
type Track struct {
	Name    string     // unique within the instance, used in reasons
	Weight  int        // -254..254; keepalived's parser limits scripts to ±253
	Reverse bool       // keepalived's "reverse" weight option
	Initial TrackState // state at Start; TrackUnknown for a script not yet run
}

// TrackStatus is a Track with its current state, for a status display.
type TrackStatus struct {
	Track
	State TrackState
}

// Action is an output of the state machine: something the daemon must do
// (send an advert, add or remove the virtual addresses, send gratuitous
// ARP) or record (a transition, a priority change, a notice). Inputs return
// actions in the order they must be executed. The concrete types are
// [SendAdvert], [AddVIPs], [RemoveVIPs], [SendGratuitousARP], [Transition],
// [PriorityChanged] and [Notice].
type Action interface{ isAction() }

// SendAdvert asks the daemon to send one VRRP advertisement with this
// priority (0 = "I am stopping", RFC 5798 §6.4.3 / §7.1) and the configured
// advert interval, AH sequence number incremented as usual.
type SendAdvert struct{ Priority uint8 }

// AddVIPs asks the daemon to add the virtual addresses (keepalived
// vrrp_state_become_master, RFC 5798 §6.4.1 "(+) ... ARP").
type AddVIPs struct{}

// RemoveVIPs asks the daemon to remove the virtual addresses (keepalived
// vrrp_restore_interface).
type RemoveVIPs struct{}

// SendGratuitousARP asks for Count gratuitous ARPs for every virtual
// address, back to back (keepalived vrrp_send_link_update with
// garp_master_repeat). Delayed marks the second burst, sent
// garp_master_delay after becoming master.
type SendGratuitousARP struct {
	Count   int
	Delayed bool
}

// Transition records a state change, with a reason for people ("master down
// timer expired after 3.61 s"). It comes before the side effects of the
// change in the action list. keepalived logs "Entering <To> STATE" here.
//
// A daemon using unicast peers should, like keepalived's try_up_instance,
// send one gratuitous ARP for its own source address on a FAULT → BACKUP
// transition, so the master can reach it again at once.
type Transition struct {
	From, To State
	Reason   string
}

// PriorityChanged records a change of the effective priority caused by a
// tracked item (keepalived logs "Changing effective priority from 103 to
// 101"). The next advert carries the new priority; nothing is sent at once,
// as in keepalived.
type PriorityChanged struct {
	From, To uint8
	Reason   string
}

// Notice is an informational message that keepalived 2.2.7 logs at the same
// point (e.g. "received lower priority (101) advert from 192.168.10.101 -
// discarding"). The daemon logs it; it changes nothing.
type Notice struct{ Text string }

func (SendAdvert) isAction()        {}
func (AddVIPs) isAction()           {}
func (RemoveVIPs) isAction()        {}
func (SendGratuitousARP) isAction() {}
func (Transition) isAction()        {}
func (PriorityChanged) isAction()   {}
func (Notice) isAction()            {}

// TransitionRecord is a [Transition] with the time it happened, as returned
// by [Instance.LastTransition].
type TransitionRecord struct {
	Transition
	At time.Time
}
