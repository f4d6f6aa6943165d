package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
)

// tmuxSession drives the real binary in a real terminal.
type tmuxSession struct {
	t    *testing.T
	name string
}

func newTmux(t *testing.T, cols, rows int, command string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed (apt-get install tmux)")
	}
	s := &tmuxSession{t: t, name: fmt.Sprintf("halab-e2e-%d", time.Now().UnixNano()%1e9)}
	out, err := exec.Command("tmux", "new-session", "-d", "-s", s.name, "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows),
		"env TERM=xterm-256color "+command+"; sleep 60").CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", s.name).Run() })
	return s
}

func (s *tmuxSession) screen() string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", s.name).Output()
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	args := append([]string{"send-keys", "-t", s.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys: %v: %s", err, out)
	}
}

// waitFor waits until every pattern matches the screen at once.
func (s *tmuxSession) waitFor(what string, limit time.Duration, patterns ...string) string {
	s.t.Helper()
	var res []*regexp.Regexp
	for _, p := range patterns {
		res = append(res, regexp.MustCompile(p))
	}
	var screen string
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		screen = s.screen()
		ok := true
		for _, re := range res {
			ok = ok && re.MatchString(screen)
		}
		if ok {
			return screen
		}
	}
	s.t.Fatalf("the screen never showed %s (%v) within %v; it shows:\n%s", what, patterns, limit, screen)
	return ""
}

// TestDashboardEndToEnd runs `halab up` in tmux: the dashboard shows lb1
// MASTER holding the VIP with requests succeeding; a crash of lb1 from
// another shell shows lb2 taking the VIP, the outage with its length, and
// success again; restoring lb1 shows it preempt; quitting with teardown
// removes the lab.
func TestDashboardEndToEnd(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("tui")
	t.Cleanup(func() { roottest.Run(t, "down", "--lab", name) })
	s := newTmux(t, 160, 48, roottest.Binary(t)+" up --name "+name)

	s.waitFor("lb1 MASTER with the VIP and answers", 15*time.Second,
		`VIP 172\.16\.0\.200 on ◉ lb1`, `lb1\s+MASTER\s+prio 103`, `lb2\s+BACKUP\s+prio 102`, `via lb1`, `no outage now`)

	roottest.MustRun(t, "fault", "--lab", name, "crash", "lb1")
	s.waitFor("lb1 powered off", 3*time.Second, `POWERED OFF`)
	screen := s.waitFor("lb2 MASTER with the VIP, the outage measured, answers again", 8*time.Second,
		`VIP 172\.16\.0\.200 on ◉ lb2`, `lb2\s+MASTER\s+prio 102`, `last \d+\.\d\d s, \d+ failed`, `no outage now`, `via lb2`)
	m := regexp.MustCompile(`last (\d+\.\d\d) s, (\d+) failed`).FindStringSubmatch(screen)
	t.Logf("outage shown on the dashboard: %s s, %s requests failed", m[1], m[2])

	roottest.MustRun(t, "fault", "--lab", name, "restore", "lb1")
	s.waitFor("lb1 preempting back", 10*time.Second, `VIP 172\.16\.0\.200 on ◉ lb1`, `lb1\s+MASTER\s+prio 103`, `lb2\s+BACKUP`)

	s.keys("q")
	s.waitFor("the quit question", 3*time.Second, `(?i)tear.*down|keep`)
	s.keys("d")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(s.screen(), "lab "+name+" removed") {
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(s.screen(), "lab "+name+" removed") {
		t.Fatalf("quitting with teardown did not remove the lab:\n%s", s.screen())
	}
	assertGone(t, name)
}
