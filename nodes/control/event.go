package control

import (
	"fmt"
	"time"
)

// Kind says what an Event is about; it selects which payload field is set.
type Kind string

// The event kinds every halab component and the lab itself publish.
const (
	// KindLog is a plain sentence (component start, warnings, configuration notes).
	KindLog Kind = "log"
	// KindReady says a component finished starting and serves its job.
	KindReady Kind = "ready"
	// KindVRRPState is a VRRP state transition with its reason (RFC 5798 §6.4).
	KindVRRPState Kind = "vrrp-state"
	// KindVRRPPriority is a change of a VRRP instance's effective priority
	// by tracking (keepalived's "Changing effective priority from 103 to 101").
	KindVRRPPriority Kind = "vrrp-priority"
	// KindVRRPTimer is the master-down timer's deadline while a backup counts.
	KindVRRPTimer Kind = "vrrp-timer"
	// KindVIP is a virtual address added to or removed from an interface.
	KindVIP Kind = "vip"
	// KindBackend is a proxy server going up or down after its health checks.
	KindBackend Kind = "backend"
	// KindProbe is one aggregated bucket of client requests.
	KindProbe Kind = "probe"
	// KindOutage is an outage seen by the client probe, opened or closed.
	KindOutage Kind = "outage"
	// KindExit is a component process that ended (or became unreachable).
	KindExit Kind = "exit"
	// KindFault is a fault injected into the lab or removed from it.
	KindFault Kind = "fault"
)

// Event is one typed, timestamped fact published by a component or by the
// lab. Exactly one payload pointer matching Kind is set (none for KindLog,
// KindReady, which carry only Message).
type Event struct {
	// Seq numbers the events of one publisher, from 1, without gaps.
	Seq uint64 `json:"seq"`
	// Time is when the fact happened, on the publisher's clock.
	Time time.Time `json:"time"`
	// Node is the lab node the publisher runs on ("lb1").
	Node string `json:"node,omitempty"`
	// Component is the publishing component ("vrrp", "proxy", "web", "probe", "lab").
	Component string `json:"component,omitempty"`
	// Kind selects the payload.
	Kind Kind `json:"kind"`
	// Level is "info", "warn" or "error".
	Level string `json:"level,omitempty"`
	// Message says the fact in one human sentence.
	Message string `json:"message"`

	VRRP    *VRRPState   `json:"vrrp,omitempty"`
	Timer   *VRRPTimer   `json:"timer,omitempty"`
	VIP     *VIPChange   `json:"vip,omitempty"`
	Backend *Backend     `json:"backend,omitempty"`
	Probe   *ProbeBucket `json:"probe,omitempty"`
	Outage  *Outage      `json:"outage,omitempty"`
	Exit    *Exit        `json:"exit,omitempty"`
	Fault   *Fault       `json:"fault,omitempty"`
}

// String renders the event as one log line: time, node, message.
func (e Event) String() string {
	who := e.Node
	if e.Component != "" && e.Component != e.Node {
		who += "/" + e.Component
	}
	return fmt.Sprintf("%s  %-12s %s", e.Time.Format("15:04:05.000"), who, e.Message)
}

// VRRPState is a VRRP instance's transition, as keepalived logs
// "(LB_VIP) Entering MASTER STATE".
type VRRPState struct {
	Instance string `json:"instance"`
	From     string `json:"from"`
	To       string `json:"to"`
	Reason   string `json:"reason"`
	// Priority is the effective priority after tracking weights.
	Priority int `json:"priority"`
}

// VRRPTimer is a backup's master-down timer (RFC 5798 §6.4.2): when it
// expires at Deadline, the backup becomes master. Running is false when the
// timer was reset or stopped.
type VRRPTimer struct {
	Instance string        `json:"instance"`
	Deadline time.Time     `json:"deadline"`
	Interval time.Duration `json:"interval"`
	Running  bool          `json:"running"`
}

// VIPChange is a virtual address added to or removed from an interface.
type VIPChange struct {
	Address   string `json:"address"`
	Interface string `json:"interface"`
	Added     bool   `json:"added"`
}

// Backend is a proxy server's health as HAProxy reports it
// ("Server webserverapp/webserver1 is DOWN, reason: Layer4 connection problem").
type Backend struct {
	Backend string `json:"backend"`
	Server  string `json:"server"`
	Up      bool   `json:"up"`
	Reason  string `json:"reason"`
}

// ProbeBucket aggregates the client requests started in one bucket
// (100 ms by default) of the probe's timeline.
type ProbeBucket struct {
	Start  time.Time     `json:"start"`
	Width  time.Duration `json:"width"`
	OK     int           `json:"ok"`
	Failed int           `json:"failed"`
	P50    time.Duration `json:"p50"`
	P99    time.Duration `json:"p99"`
	Max    time.Duration `json:"max"`
	// ByLB counts successful answers per load balancer that served them.
	ByLB map[string]int `json:"by_lb,omitempty"`
	// ByWeb counts successful answers per web server that produced them.
	ByWeb map[string]int `json:"by_web,omitempty"`
	// Errors counts failures by kind ("timeout", "refused", "http 503", …).
	Errors map[string]int `json:"errors,omitempty"`
}

// Outage is a span without a successful answer seen by the probe: outage is
// the longest interval between two consecutive successful answers.
type Outage struct {
	Start  time.Time     `json:"start"`
	End    time.Time     `json:"end,omitempty"`
	Length time.Duration `json:"length"`
	Failed int           `json:"failed"`
	Open   bool          `json:"open"`
}

// Exit is a component process that ended.
type Exit struct {
	PID    int    `json:"pid"`
	Status string `json:"status"`
}

// Fault is a fault injected into the lab (Active) or removed from it.
type Fault struct {
	Name   string `json:"name"`
	Target string `json:"target"`
	Active bool   `json:"active"`
}
