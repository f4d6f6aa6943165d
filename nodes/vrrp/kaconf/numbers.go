package kaconf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// keepalived's whitespace: " \t\f\n\r\v".
const whiteSpace = " \t\f\n\r\v"

// parseUnsigned reads a decimal unsigned number in [min, max] the way
// keepalived's read_unsigned does (leading white space and a '+' allowed,
// a '-' refused). The error says what is wrong in keepalived's words.
func parseUnsigned(s string, min, max uint64) (uint64, error) {
	t := strings.TrimLeft(s, whiteSpace)
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("negative number '%s'", s)
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(t, "+"), 10, 64)
	switch {
	case errorIsRange(err) || (err == nil && n > 1<<32-1):
		return 0, fmt.Errorf("number '%s' outside unsigned integer range", s)
	case err != nil:
		return 0, fmt.Errorf("invalid number '%s'", s)
	case n < min || n > max:
		return 0, fmt.Errorf("number '%s' outside range [%d, %d]", s, min, max)
	}
	return n, nil
}

// parseInt reads a decimal signed number in [min, max] the way keepalived's
// read_int does.
func parseInt(s string, min, max int64) (int64, error) {
	t := strings.TrimLeft(s, whiteSpace)
	n, err := strconv.ParseInt(t, 10, 64)
	switch {
	case errorIsRange(err) || (err == nil && (n < -1<<31 || n > 1<<31-1)):
		return 0, fmt.Errorf("number '%s' outside integer range", s)
	case err != nil:
		return 0, fmt.Errorf("invalid number '%s'", s)
	case n < min || n > max:
		return 0, fmt.Errorf("number '%s' outside range [%d, %d]", s, min, max)
	}
	return n, nil
}

func errorIsRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// parseSeconds reads a decimal number of seconds with at most six decimal
// places, in [min, max], the way keepalived's read_decimal_unsigned reads
// timers (advert_int, preempt_delay). More decimal places are rounded to
// six and reported in rounded, as keepalived warns "number '%s' has too
// many decimal places".
func parseSeconds(s string, min, max time.Duration) (d time.Duration, rounded bool, err error) {
	const places = 6
	if strings.HasPrefix(s, "-") {
		return 0, false, fmt.Errorf("negative number '%s'", s)
	}
	whole, frac, _ := strings.Cut(s, ".")
	roundUp := false
	if len(frac) > places {
		rounded, roundUp = true, frac[places] >= '5'
		frac = frac[:places]
	}
	digits := whole + frac + strings.Repeat("0", places-len(frac))
	if strings.Trim(digits, "0123456789") != "" {
		return 0, rounded, fmt.Errorf("invalid number '%s'", s)
	}
	micros, perr := strconv.ParseUint(digits, 10, 64)
	if perr != nil || micros > uint64(1<<63-1)/uint64(time.Microsecond) {
		return 0, rounded, fmt.Errorf("number '%s' outside unsigned decimal range", s)
	}
	if roundUp {
		micros++
	}
	d = time.Duration(micros) * time.Microsecond
	if d < min || d > max {
		return 0, rounded, fmt.Errorf("number '%s' outside range [%.6f, %.6f]", s, min.Seconds(), max.Seconds())
	}
	return d, rounded, nil
}
