package bench

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
)

// cpuTime is a process's user+system CPU time so far.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

// BenchmarkDashboardIdleCPU runs the dashboard on the seed lab in a real
// terminal (tmux, 160×48) while the probe sends 100 requests/s and nothing
// else happens, and reports the dashboard's CPU use over 10 s.
func BenchmarkDashboardIdleCPU(b *testing.B) {
	roottest.Require(b)
	if _, err := exec.LookPath("tmux"); err != nil {
		b.Skip("tmux is not installed")
	}
	name := roottest.LabName("bui")
	roottest.MustRun(b, "up", "--no-ui", "-q", "--name", name)
	defer roottest.Run(b, "down", "--lab", name)
	session := "halab-bench-" + name
	if out, err := exec.Command("tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48",
		"env TERM=xterm-256color "+roottest.Binary(b)+" ui --lab "+name).CombinedOutput(); err != nil {
		b.Fatalf("tmux: %v: %s", err, out)
	}
	defer exec.Command("tmux", "kill-session", "-t", session).Run()
	time.Sleep(3 * time.Second) // start-up and the history replay are not idle
	out, err := exec.Command("tmux", "list-panes", "-t", session, "-F", "#{pane_pid}").Output()
	if err != nil {
		b.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	const window = 10 * time.Second
	var total float64
	for i := 0; i < b.N; i++ {
		before, err := cpuTime(pid)
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(window)
		after, err := cpuTime(pid)
		if err != nil {
			b.Fatal(err)
		}
		total += float64(after-before) / float64(window) * 100
	}
	pct := total / float64(b.N)
	b.ReportMetric(pct, "cpu-%-of-one-core")
	fmt.Printf("\ndashboard idle (probe at 100 req/s, 160×48): %.1f %% of one core over %v\n", pct, window)
}
