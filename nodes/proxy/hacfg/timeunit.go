package hacfg

import (
	"fmt"
	"time"
)

// maxTimer is the largest timer HAProxy accepts: 2^31-1 ms (~24.8 days).
const maxTimer = 2147483647 * time.Millisecond

// ParseTime parses a HAProxy time value: an unsigned integer followed by an
// optional unit, "us", "ms" (the default), "s", "m", "h" or "d", as described
// in section 2.5 of HAProxy's configuration manual. Microseconds are rounded
// up to the next millisecond, as HAProxy's timers count milliseconds.
func ParseTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("missing time value")
	}
	i := 0
	var n uint64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + uint64(s[i]-'0')
		if n > uint64(maxTimer/time.Microsecond) {
			return 0, fmt.Errorf("timer overflow in %q, maximum value is 2147483647 ms (~24.8 days)", s)
		}
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("unexpected character '%c' in %q: a time starts with a number", s[0], s)
	}
	var unit time.Duration
	switch rest := s[i:]; rest {
	case "", "ms":
		unit = time.Millisecond
	case "us":
		d := time.Duration(n) * time.Microsecond
		return (d + time.Millisecond - 1).Truncate(time.Millisecond), nil
	case "s":
		unit = time.Second
	case "m":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = 24 * time.Hour
	default:
		return 0, fmt.Errorf("unexpected character '%c' in %q: units are us, ms, s, m, h, d", rest[0], s)
	}
	if n > uint64(maxTimer/unit) {
		return 0, fmt.Errorf("timer overflow in %q, maximum value is 2147483647 ms (~24.8 days)", s)
	}
	return time.Duration(n) * unit, nil
}
