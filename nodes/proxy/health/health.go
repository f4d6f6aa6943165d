// Package health runs HAProxy 2.6-style server health checks: a TCP connect
// or an HTTP request ("option httpchk") every "inter", with HAProxy's health
// counter deciding when a server goes DOWN ("fall" failures) or UP ("rise"
// successes), and its check statuses (L4OK, L4CON, L7STS, …) as the reasons.
//
// The scheduling clock is injectable so that state transitions can be tested
// without waiting.
package health

import (
	"fmt"
	"time"
)

// Status is a check result code, as HAProxy's stats page and logs show it.
type Status string

// The check statuses halab produces, with HAProxy 2.6's meanings.
const (
	StatusInit    Status = "INI"     // no check yet
	StatusSockErr Status = "SOCKERR" // socket error before connecting
	StatusL4OK    Status = "L4OK"    // TCP connection established
	StatusL4Tout  Status = "L4TOUT"  // TCP connect timed out
	StatusL4Con   Status = "L4CON"   // TCP connection refused or failed
	StatusL7OK    Status = "L7OK"    // expected HTTP status
	StatusL7Sts   Status = "L7STS"   // unexpected HTTP status
	StatusL7Rsp   Status = "L7RSP"   // invalid or missing HTTP response
	StatusL7Tout  Status = "L7TOUT"  // HTTP response timed out
)

// descriptions are HAProxy's texts for each status (check_statuses[]).
var descriptions = map[Status]string{
	StatusInit:    "Initializing",
	StatusSockErr: "Socket error",
	StatusL4OK:    "Layer4 check passed",
	StatusL4Tout:  "Layer4 timeout",
	StatusL4Con:   "Layer4 connection problem",
	StatusL7OK:    "Layer7 check passed",
	StatusL7Sts:   "Layer7 wrong status",
	StatusL7Rsp:   "Layer7 invalid response",
	StatusL7Tout:  "Layer7 timeout",
}

// Description returns HAProxy's description of the status.
func (s Status) Description() string { return descriptions[s] }

// Result is the outcome of one check.
type Result struct {
	Status Status
	// Code is the HTTP status of a layer-7 check (0 otherwise).
	Code int
	// Info is HAProxy's check description: the error ("Connection refused")
	// or the HTTP reason phrase of an unexpected status.
	Info     string
	Duration time.Duration
	// At is when the check ended.
	At time.Time
}

// Passed reports whether the result counts as a success.
func (r Result) Passed() bool { return r.Status == StatusL4OK || r.Status == StatusL7OK }

// Reason renders the result as HAProxy appends it to a state-change log line
// (srv_append_status): `reason: Layer4 connection problem, info: "Connection
// refused", check duration: 0ms`.
func (r Result) Reason() string {
	s := "reason: " + r.Status.Description()
	if r.Status == StatusL7OK || r.Status == StatusL7Sts || r.Status == StatusL7Rsp {
		if r.Code != 0 {
			s += fmt.Sprintf(", code: %d", r.Code)
		}
	}
	if r.Info != "" {
		s += fmt.Sprintf(", info: %q", r.Info)
	}
	return s + fmt.Sprintf(", check duration: %dms", r.Duration.Milliseconds())
}

// Health is HAProxy's health counter for one server (check->health). It runs
// from 0 to rise+fall-1: at rise or more the server is UP. A success adds one
// and, once rise is reached, jumps to the top; a failure removes one and,
// below rise, drops to 0 (DOWN). A checked server starts UP at exactly rise,
// "up, but will fall down at first failure", as HAProxy 2.6 does.
type Health struct {
	rise, fall int
	value      int
	up         bool
}

// NewHealth returns the counter of a server that starts UP, as in HAProxy.
func NewHealth(rise, fall int) *Health {
	if rise < 1 {
		rise = 1
	}
	if fall < 1 {
		fall = 1
	}
	return &Health{rise: rise, fall: fall, value: rise, up: true}
}

// Up reports whether the server is UP.
func (h *Health) Up() bool { return h.up }

// Value returns the counter, from 0 to rise+fall-1.
func (h *Health) Value() int { return h.value }

// Full reports whether the counter is at its top (a fully healthy server,
// checked every "inter"; otherwise "fastinter" or "downinter" apply).
func (h *Health) Full() bool { return h.value == h.rise+h.fall-1 }

// Observe applies one check result and reports whether the server changed
// state (UP to DOWN or DOWN to UP).
func (h *Health) Observe(passed bool) bool {
	if passed {
		if h.value < h.rise+h.fall-1 {
			h.value++
			if h.value >= h.rise {
				h.value = h.rise + h.fall - 1
			}
		}
		if !h.up && h.value >= h.rise {
			h.up = true
			return true
		}
		return false
	}
	if h.value > 0 {
		h.value--
		if h.value < h.rise {
			h.value = 0
		}
	}
	if h.up && h.value == 0 {
		h.up = false
		return true
	}
	return false
}

// Status renders the counter as HAProxy's stats page does: "UP", "DOWN",
// or a transition such as "UP 1/3" (going down) and "DOWN 1/2" (going up).
func (h *Health) Status() string {
	switch {
	case h.up && h.Full():
		return "UP"
	case h.up:
		return fmt.Sprintf("UP %d/%d", h.value-h.rise+1, h.fall)
	case h.value == 0:
		return "DOWN"
	default:
		return fmt.Sprintf("DOWN %d/%d", h.value, h.rise)
	}
}

// forceDown and reset implement maintenance: entering it drops the counter
// to 0, leaving it restarts at rise ("start OK but check immediately").
func (h *Health) forceDown() { h.value, h.up = 0, false }

func (h *Health) reset() { h.value, h.up = h.rise, true }
