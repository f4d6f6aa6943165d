package scenarios

import (
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/nodes/control"
)

// fmtDur renders a duration for people: "0.61 s", "3.61 s", "120 ms",
// "1.5 ms".
func fmtDur(d time.Duration) string { return control.FormatDuration(d) }

// fmtSecs renders a duration as seconds with three decimals ("3.609 s"),
// for bounds and tables where milliseconds matter.
func fmtSecs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
}

// fmtOffset renders a time since the start of measurement: "+3.62 s".
func fmtOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return sign + strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}

// fmtPercent renders a ratio (0..1) as a percentage: "99%", "99.5%".
func fmtPercent(r float64) string {
	s := strconv.FormatFloat(r*100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
