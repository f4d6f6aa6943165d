package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/nodes/control"
)

// vmRSS reads a process's resident set size.
func vmRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// peakRSS samples pid's RSS every 100 ms until stop is closed.
func peakRSS(pid int, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, vmRSS(pid))
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// BenchmarkProxyThroughVIP loads the seed lab's VIP from the client with wrk
// (-t2 -c64, 5 s rounds), against halab's proxy on lb1 (port 80) and real
// HAProxy started on the same node with the same haproxy.cfg (port 8080), in
// front of the same web1, alternating for 3 rounds.
func BenchmarkProxyThroughVIP(b *testing.B) {
	roottest.Require(b)
	for _, tool := range []string{"wrk", "haproxy"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s is not installed", tool)
		}
	}
	name := roottest.LabName("bpx")
	roottest.MustRun(b, "up", "--no-ui", "-q", "--name", name)
	defer roottest.Run(b, "down", "--lab", name)
	if _, err := WaitAddress("halab-"+name+"-lb1", vip, 10*time.Second); err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join("/run/halab", name)
	// Quiet the probe: only wrk's requests are measured.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := control.NewClient(filepath.Join(dir, "client", "probe.sock")).Do(ctx, "rate", map[string]int{"rate": 0}, nil); err != nil {
		b.Fatal(err)
	}
	// The same haproxy.cfg, bound to another port of the VIP.
	cfg, err := assets.Labs.Open("seed/haproxy.cfg")
	if err != nil {
		b.Fatal(err)
	}
	var text strings.Builder
	buf := make([]byte, 4096)
	for n, err := cfg.Read(buf); n > 0 || err == nil; n, err = cfg.Read(buf) {
		text.Write(buf[:n])
	}
	cfg.Close()
	refCfg := filepath.Join(b.TempDir(), "haproxy.cfg")
	os.WriteFile(refCfg, []byte(strings.Replace(text.String(), "bind 172.16.0.200:80", "bind 172.16.0.200:8080", 1)), 0o644)
	ref := exec.Command("haproxy", "-db", "-f", refCfg)
	ref.Stdout, ref.Stderr = os.Stderr, os.Stderr
	if err := StartIn("halab-"+name+"-lb1", ref); err != nil {
		b.Fatal(err)
	}
	defer func() { ref.Process.Kill(); ref.Wait() }()
	time.Sleep(500 * time.Millisecond)

	var proxyPID int
	var haproxyPIDs []int
	for _, pid := range NamespacePIDs([]string{"halab-" + name + "-lb1"}) {
		switch comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) {
		case "halab-proxy":
			proxyPID = pid
		case "haproxy":
			haproxyPIDs = append(haproxyPIDs, pid)
		}
	}
	client := "halab-" + name + "-client"
	var halab, haproxy []WrkResult
	var peaks []int64
	var halabCPU, haproxyCPU cpuPerRequest
	runHalab := func() {
		stop := make(chan struct{})
		peak := peakRSS(proxyPID, stop)
		before := cpuOf(proxyPID)
		h, err := RunWrk(client, "http://172.16.0.200:80/", 2, 64, 5*time.Second)
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		halabCPU.add(cpuOf(proxyPID)-before, h)
		peaks = append(peaks, <-peak)
		halab = append(halab, h)
	}
	runHAProxy := func() {
		before := cpuOf(haproxyPIDs...)
		k, err := RunWrk(client, "http://172.16.0.200:8080/", 2, 64, 5*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		haproxyCPU.add(cpuOf(haproxyPIDs...)-before, k)
		haproxy = append(haproxy, k)
	}
	// ABBA order: neither program always goes first.
	for i := 0; i < 3*b.N; i++ {
		if i%2 == 0 {
			runHalab()
			runHAProxy()
		} else {
			runHAProxy()
			runHalab()
		}
	}
	h, k := medianWrk(halab), medianWrk(haproxy)
	sort.Slice(peaks, func(i, j int) bool { return peaks[i] < peaks[j] })
	rss := peaks[len(peaks)-1]
	b.ReportMetric(h.RequestsPerSec, "halab-req/s")
	b.ReportMetric(k.RequestsPerSec, "haproxy-req/s")
	b.ReportMetric(float64(h.P99.Microseconds())/1000, "halab-p99-ms")
	b.ReportMetric(float64(k.P99.Microseconds())/1000, "haproxy-p99-ms")
	b.ReportMetric(float64(rss)/1e6, "halab-proxy-rss-MB")
	fmt.Printf("\nproxy through the VIP, wrk -t2 -c64, 3 alternating rounds of 5 s, medians (backend: web1)\n")
	fmt.Printf("| | halab proxy | HAProxy 2.6 | ratio |\n|---|---|---|---|\n")
	fmt.Printf("| requests/s | %.0f | %.0f | %.2f× |\n", h.RequestsPerSec, k.RequestsPerSec, h.RequestsPerSec/k.RequestsPerSec)
	fmt.Printf("| p50 | %v | %v | %.2f× |\n", h.P50, k.P50, float64(h.P50)/float64(k.P50))
	fmt.Printf("| p99 | %v | %v | %.2f× |\n", h.P99, k.P99, float64(h.P99)/float64(k.P99))
	fmt.Printf("| CPU per request (the proxy's processes) | %.1f µs | %.1f µs | %.2f× |\n", halabCPU.micros(), haproxyCPU.micros(), halabCPU.micros()/haproxyCPU.micros())
	fmt.Printf("| proxy RSS under load (peak) | %.1f MB | | |\n", float64(rss)/1e6)
	for i := range halab {
		fmt.Printf("  round %d: halab %.0f req/s p99 %v; haproxy %.0f req/s p99 %v\n", i+1, halab[i].RequestsPerSec, halab[i].P99, haproxy[i].RequestsPerSec, haproxy[i].P99)
	}
}

func medianWrk(rs []WrkResult) WrkResult {
	pick := func(get func(WrkResult) float64) float64 { return medianBy(rs, get) }
	return WrkResult{
		RequestsPerSec: pick(func(r WrkResult) float64 { return r.RequestsPerSec }),
		P50:            time.Duration(pick(func(r WrkResult) float64 { return float64(r.P50) })),
		P99:            time.Duration(pick(func(r WrkResult) float64 { return float64(r.P99) })),
	}
}

// cpuPerRequest sums a proxy's CPU time and the requests it served.
type cpuPerRequest struct {
	cpu  time.Duration
	reqs float64
}

func (c *cpuPerRequest) add(cpu time.Duration, r WrkResult) {
	c.cpu += cpu
	c.reqs += r.RequestsPerSec * 5
}

func (c *cpuPerRequest) micros() float64 { return float64(c.cpu.Microseconds()) / c.reqs }

// cpuOf sums the CPU time of processes.
func cpuOf(pids ...int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		t, _ := cpuTime(pid)
		total += t
	}
	return total
}
