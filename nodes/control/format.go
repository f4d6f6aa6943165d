package control

import (
	"strconv"
	"time"
)

// FormatDuration renders a duration for people, with the precision a
// failover measurement needs at each scale: "0.42 ms", "1.1 ms", "12 ms",
// "3.21 s", "125 s". Event messages, the dashboard and drill reports all
// say durations this way.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + FormatDuration(-d)
	}
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d == 0:
		return "0 s"
	case d >= 100*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 0, 64) + " s"
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	case d >= 10*time.Millisecond:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	case d >= time.Millisecond:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
}
