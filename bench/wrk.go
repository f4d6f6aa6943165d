package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// WrkResult is what one wrk run measured.
type WrkResult struct {
	RequestsPerSec float64
	P50, P99       time.Duration
	Non2xx         int
}

// RunWrk runs wrk (Debian's) inside namespace against url and parses its
// report. It is bounded by its own duration.
func RunWrk(namespace, url string, threads, conns int, d time.Duration) (WrkResult, error) {
	var out bytes.Buffer
	cmd := exec.Command("wrk", "-t"+strconv.Itoa(threads), "-c"+strconv.Itoa(conns),
		"-d"+strconv.Itoa(int(d.Seconds()))+"s", "--latency", "--timeout", "2s", url)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := StartIn(namespace, cmd); err != nil {
		return WrkResult{}, err
	}
	if err := cmd.Wait(); err != nil {
		return WrkResult{}, fmt.Errorf("wrk: %v\n%s", err, out.String())
	}
	return ParseWrk(out.String())
}

// ParseWrk reads requests per second, the latency percentiles and the
// count of non-2xx answers from wrk's report.
func ParseWrk(report string) (WrkResult, error) {
	var r WrkResult
	sc := bufio.NewScanner(strings.NewReader(report))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.RequestsPerSec, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			r.P50 = parseWrkDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.P99 = parseWrkDuration(f[1])
		case len(f) >= 5 && f[0] == "Non-2xx":
			r.Non2xx, _ = strconv.Atoi(f[len(f)-1])
		}
	}
	if r.RequestsPerSec == 0 {
		return r, fmt.Errorf("wrk printed no Requests/sec:\n%s", report)
	}
	return r, nil
}

func parseWrkDuration(s string) time.Duration {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}} {
		if strings.HasSuffix(s, u.suffix) {
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, u.suffix), 64)
			if err == nil {
				return time.Duration(math.Round(v * float64(u.unit)))
			}
		}
	}
	return 0
}
