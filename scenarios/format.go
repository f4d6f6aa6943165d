package scenarios

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// fmtDur renders a duration for people: "0.61 s", "3.61 s", "120 ms",
// "1.5 ms".
func fmtDur(d time.Duration) string {
	if d < 0 {
		return "-" + fmtDur(-d)
	}
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d >= 100*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 0, 64) + " s"
	case d >= time.Second:
		return strconv.FormatFloat(math.Round(d.Seconds()*100)/100, 'f', -1, 64) + " s"
	case d >= 10*time.Millisecond:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	case d >= time.Millisecond:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	case d == 0:
		return "0 s"
	}
	return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
}

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
