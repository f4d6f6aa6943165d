package probe

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/halab/halab/nodes/control"
)

// Status is the probe's status detail (GET /status, and the "stats" and
// "reset" actions' result).
type Status struct {
	// Target is the URL requested.
	Target string `json:"target"`
	// Rate is the current rate in requests per second (0 = paused).
	Rate int `json:"rate"`
	// Timeout is the per-request deadline (connect + answer).
	Timeout time.Duration `json:"timeout"`
	// Bucket is the aggregation width of probe events.
	Bucket time.Duration `json:"bucket"`
	// Running is false once the probe stopped sending (bound reached, or
	// stopping).
	Running bool `json:"running"`
	// Sent, OK and Failed count requests since the start or the last reset.
	Sent   int64 `json:"sent"`
	OK     int64 `json:"ok"`
	Failed int64 `json:"failed"`
	// InFlight is the number of requests waiting for an answer.
	InFlight int `json:"in_flight"`
	// Skipped counts scheduled requests not sent because too many were in
	// flight (never expected; it means the node is overloaded).
	Skipped int64 `json:"skipped,omitempty"`
	// Errors counts failures by kind ("timeout", "refused", "http 503", …).
	Errors map[string]int64 `json:"errors,omitempty"`
	// Last10s and Last60s are the answers completed in those windows.
	Last10s Window `json:"last_10s"`
	Last60s Window `json:"last_60s"`
	// Answered says a request succeeded since the start or the last reset;
	// LastAnswer is when the latest one completed.
	Answered   bool      `json:"answered"`
	LastAnswer time.Time `json:"last_answer,omitzero"`
	// LB and Web name who served the latest successful answer.
	LB  string `json:"lb,omitempty"`
	Web string `json:"web,omitempty"`
	// Current is the outage in progress (Open, Length and Failed so far), or nil.
	Current *control.Outage `json:"current_outage,omitempty"`
	// Last and Longest are the latest and the longest closed outages.
	Last    *control.Outage `json:"last_outage,omitempty"`
	Longest *control.Outage `json:"longest_outage,omitempty"`
	// Outages are the closed outages, oldest first (at most 100).
	Outages []control.Outage `json:"outages,omitempty"`
	// LastBucket is the latest published bucket.
	LastBucket *control.ProbeBucket `json:"last_bucket,omitempty"`
}

// Window counts the answers completed in the last Seconds seconds.
type Window struct {
	Seconds int   `json:"seconds"`
	OK      int64 `json:"ok"`
	Failed  int64 `json:"failed"`
	// Ratio is OK / (OK + Failed); 0 when there was no answer at all.
	Ratio float64 `json:"ratio"`
}

// bucketMessage says a bucket in one short sentence:
// "10 ok, 0 failed, p50 1.1 ms, via lb1".
func bucketMessage(b *control.ProbeBucket) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%d ok, %d failed", b.OK, b.Failed)
	if b.OK > 0 {
		s.WriteString(", p50 ")
		s.WriteString(fmtDur(b.P50))
	}
	if len(b.ByLB) > 0 {
		s.WriteString(", via ")
		s.WriteString(strings.Join(slices.Sorted(maps.Keys(b.ByLB)), "+"))
	}
	if len(b.Errors) > 0 {
		s.WriteString(" (")
		for i, k := range slices.Sorted(maps.Keys(b.Errors)) {
			if i > 0 {
				s.WriteString(", ")
			}
			fmt.Fprintf(&s, "%s %d", k, b.Errors[k])
		}
		s.WriteString(")")
	}
	return s.String()
}

// fmtDur renders a duration for people: "0.42 ms", "1.1 ms", "12 ms",
// "3.21 s".
func fmtDur(d time.Duration) string { return control.FormatDuration(d) }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
