package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halab/halab/internal/roottest"
	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
	"github.com/halab/halab/nodes/check"
	"github.com/halab/halab/nodes/control"
)

// namespacesAppear is a kill point: the first of lab name's namespaces exists.
func namespacesAppear(name string) func() bool {
	return func() bool { ns, _ := labLeftovers(name); return len(ns) > 0 }
}

// assertVisible checks that `halab status --json` shows what is left of
// lab name: the lab itself while its state is recorded, else each of its
// namespaces and its directory among the leftovers.
func assertVisible(t *testing.T, name string) {
	t.Helper()
	r := roottest.MustRun(t, "status", "--json")
	var s struct {
		Labs      []labStatus `json:"labs"`
		Leftovers []string    `json:"leftovers"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.Stdout)
	}
	namespaces, dir := labLeftovers(name)
	if _, err := lab.LoadState(name); err == nil {
		if !slices.ContainsFunc(s.Labs, func(l labStatus) bool { return l.Name == name }) {
			t.Errorf("halab status does not show lab %s, whose state is recorded", name)
		}
		return
	}
	if dir {
		namespaces = append(namespaces, lab.LabDir(name))
	}
	for _, left := range namespaces {
		if !slices.Contains(s.Leftovers, left) {
			t.Errorf("halab status does not show leftover %s; it shows %v", left, s.Leftovers)
		}
	}
}

// upAgainThenDown checks what `halab up` does over what a killed command
// left of lab name: with the lab's state or namespaces left it must refuse
// and say how to remove them; with at most a directory left it builds the
// lab over it. Then `halab down` must leave nothing of the lab behind.
func upAgainThenDown(t *testing.T, name string) {
	t.Helper()
	assertVisible(t, name)
	namespaces, _ := labLeftovers(name)
	_, stateErr := lab.LoadState(name)
	mustRefuse := stateErr == nil || len(namespaces) > 0
	again := roottest.Run(t, "up", "--no-ui", "-q", "--name", name)
	switch {
	case mustRefuse && again.Code == 0:
		t.Errorf("halab up built lab %s over the remains of another (%d namespaces, state recorded: %v)", name, len(namespaces), stateErr == nil)
	case mustRefuse && !strings.Contains(again.Stderr, "sudo halab down --lab "+name):
		t.Errorf("halab up over the leftovers failed without saying how to remove them (exit %d):\n%s", again.Code, again.Stderr)
	case !mustRefuse && again.Code != 0:
		t.Errorf("halab up over a bare lab directory failed (exit %d):\n%s", again.Code, again.Stderr)
	}
	if mustRefuse {
		t.Logf("halab up again: %s", strings.TrimSpace(again.Stderr))
	}
	down := roottest.Run(t, "down", "--lab", name)
	if down.Code != 0 {
		t.Errorf("halab down after the kill: exit %d\n%s", down.Code, down.Stderr)
	}
	assertGone(t, name)
}

// TestCrashRecoveryUpKilled kills a dashboard-less `halab up` with SIGKILL
// at several points of the build: as soon as the lab's directory appears
// (while the binary is copied in, before any state is recorded), as soon
// as the first namespace appears (while the network is built), once the
// web server is ready (while the proxies and VRRP daemons start) and once
// the first VRRP daemon is ready (while the rest start). After each,
// `halab up` either rebuilds the lab or says how to remove what is left,
// and `halab down` leaves nothing behind: no namespace, no process, no
// directory.
func TestCrashRecoveryUpKilled(t *testing.T) {
	roottest.Require(t)
	for i, tc := range []struct {
		point func(name string) killPoint
	}{
		{func(name string) killPoint {
			return killPoint{name: "lab directory appears", reached: func() bool { _, dir := labLeftovers(name); return dir }}
		}},
		{func(name string) killPoint {
			return killPoint{name: "first namespace appears", reached: namespacesAppear(name)}
		}},
		{func(string) killPoint { return killPoint{name: "web server ready", line: "web ready"} }},
		{func(string) killPoint { return killPoint{name: "first VRRP daemon ready", line: "vrrp ready"} }},
	} {
		name := roottest.LabName(fmt.Sprintf("cru%c", 'a'+i))
		kp := tc.point(name)
		t.Run(kp.name, func(t *testing.T) {
			t.Cleanup(func() { roottest.Run(t, "down", "--lab", name) })
			// The build takes a tenth of a second: on a busy machine it may
			// end before the kill lands. Try again then.
			var run killedRun
			for try := 0; try < 3 && !run.killed; try++ {
				if try > 0 {
					roottest.MustRun(t, "down", "--lab", name)
				}
				run = mustKill(t, kp, 20*time.Second, "up", "--no-ui", "--name", name)
			}
			if !run.killed {
				t.Fatalf("halab up ended before it could be killed at %q:\n%s", kp.name, run.output)
			}
			if strings.Contains(run.output, "is up in") {
				t.Fatalf("halab up finished before the kill:\n%s", run.output)
			}
			ns, dir := labLeftovers(name)
			t.Logf("killed at %q: left %d namespaces, directory %v; last words: %q", kp.name, len(ns), dir, lastLine(run.output))
			if st, err := lab.LoadState(name); err == nil && st.Phase != lab.PhaseBuilding {
				t.Errorf("the state says phase %q after the build was killed, want %q", st.Phase, lab.PhaseBuilding)
			}
			upAgainThenDown(t, name)
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// componentProcesses lists the processes in node's namespace that run
// `halab run KIND`.
func componentProcesses(t *testing.T, name, node, kind string) []int {
	t.Helper()
	var pids []int
	for _, pid := range netns.NodeProcesses(name, node) {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !check.ProcessAlive(pid) {
			continue
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if len(args) >= 3 && args[1] == "run" && args[2] == kind {
			pids = append(pids, pid)
		}
	}
	return pids
}

// eventFollower is `halab events --json` running in the background.
type eventFollower struct {
	cmd    *exec.Cmd
	events chan control.Event
}

// followLab starts `halab events --json --no-buckets` for lab name. It is
// killed when the test ends, if it still runs.
func followLab(t *testing.T, name string) *eventFollower {
	t.Helper()
	cmd := exec.Command(roottest.Binary(t), "events", "--json", "--no-buckets", "--lab", name)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("halab events: %v", err)
	}
	f := &eventFollower{cmd: cmd, events: make(chan control.Event, 1024)}
	go func() {
		defer close(f.events)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			var e control.Event
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				f.events <- e
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return f
}

// waitExit waits up to limit for a KindExit event of node's kind component
// with pid, and returns it.
func (f *eventFollower) waitExit(t *testing.T, node, kind string, pid int, limit time.Duration) control.Event {
	t.Helper()
	timeout := time.After(limit)
	for {
		select {
		case e, ok := <-f.events:
			if !ok {
				t.Fatalf("halab events ended before it reported %s/%s (pid %d) gone", node, kind, pid)
			}
			if e.Kind == control.KindExit && e.Node == node && e.Component == kind && e.Exit != nil && e.Exit.PID == pid {
				return e
			}
		case <-timeout:
			t.Fatalf("halab events reported no exit of %s/%s (pid %d) within %v", node, kind, pid, limit)
		}
	}
}

// TestCrashRecoveryComponentKilled kills each kind of component with
// SIGKILL, one at a time, in a running seed lab: the client's probe, a
// proxy, a VRRP daemon and the web server. Each death is reported: `halab
// events` publishes an exit event with its pid, and `halab status` shows
// the component not running, in JSON and in text. Nothing restarts it:
// seconds later the pid is still dead, the state still records it, and no
// other process runs the component in the node. `halab down` then leaves
// nothing behind.
func TestCrashRecoveryComponentKilled(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("crc")
	up(t, name)
	events := followLab(t, name)

	victims := []struct{ node, kind string }{
		{"client", lab.ComponentProbe}, {"lb1", lab.ComponentProxy}, {"lb2", lab.ComponentVRRP}, {"web1", lab.ComponentWeb},
	}
	pids := map[string]int{}
	for _, v := range victims {
		pid := componentPID(t, name, v.node, v.kind)
		pids[v.node+"/"+v.kind] = pid
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill -9 %s/%s (pid %d): %v", v.node, v.kind, pid, err)
		}
		e := events.waitExit(t, v.node, v.kind, pid, 5*time.Second)
		t.Logf("%s/%s killed: %s", v.node, v.kind, e.Message)
	}

	// Long enough for any supervisor to have restarted something.
	time.Sleep(3 * time.Second)
	text := roottest.MustRun(t, "status", "--lab", name).Stdout
	st := status(t, name)
	for _, v := range victims {
		pid := pids[v.node+"/"+v.kind]
		if check.ProcessAlive(pid) {
			t.Errorf("%s/%s (pid %d) is alive after kill -9", v.node, v.kind, pid)
		}
		if others := componentProcesses(t, name, v.node, v.kind); len(others) > 0 {
			t.Errorf("%s/%s was restarted behind our back: processes %v", v.node, v.kind, others)
		}
		found := false
		for _, n := range st.Nodes {
			for _, c := range n.Components {
				if n.Name == v.node && c.Kind == v.kind {
					found = true
					if c.Running || c.PID != pid {
						t.Errorf("status --json: %s/%s running %v, pid %d; want not running, pid %d", v.node, v.kind, c.Running, c.PID, pid)
					}
				}
			}
		}
		if !found {
			t.Errorf("status --json has no %s/%s", v.node, v.kind)
		}
		if want := fmt.Sprintf("%s ✕ not running (pid %d;", v.kind, pid); !strings.Contains(text, want) {
			t.Errorf("halab status does not say %q:\n%s", want, text)
		}
	}
	// The components not killed run on.
	for _, n := range st.Nodes {
		for _, c := range n.Components {
			if _, killed := pids[n.Name+"/"+c.Kind]; !killed && !c.Running {
				t.Errorf("%s/%s stopped too (pid %d)", n.Name, c.Kind, c.PID)
			}
		}
	}
	roottest.MustRun(t, "down", "--lab", name)
	assertGone(t, name)
}

// TestCrashRecoveryEverythingKilled builds a lab with a dashboard-less
// `halab up` that stays to follow the lab's events (its output is no
// terminal), starts a `halab events` as well, then kills every halab
// process at once with SIGKILL: both followers and every component.
// `halab status` then shows every component not running, `halab up`
// refuses to build over the remains and says how to remove them, and
// `halab down` leaves nothing behind.
func TestCrashRecoveryEverythingKilled(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("cre")
	t.Cleanup(func() { roottest.Run(t, "down", "--lab", name) })
	upCmd := exec.Command(roottest.Binary(t), "up", "-q", "--name", name)
	stdout, err := upCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := upCmd.Start(); err != nil {
		t.Fatalf("halab up: %v", err)
	}
	t.Cleanup(func() {
		_ = upCmd.Process.Kill()
		_ = upCmd.Wait()
	})
	following := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "following events") {
				following <- true
				break
			}
		}
		close(following)
		_, _ = io.Copy(io.Discard, stdout) // keep the follower's output flowing
	}()
	select {
	case ok := <-following:
		if !ok {
			t.Fatal("halab up ended without following the lab's events")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("halab up did not build the lab and follow its events within 30 s")
	}
	events := followLab(t, name)

	pids := []int{upCmd.Process.Pid, events.cmd.Process.Pid}
	st, err := lab.LoadState(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range st.Nodes {
		pids = append(pids, netns.NodeProcesses(name, n.Name)...)
	}
	if len(pids) < 8 {
		t.Fatalf("expected two followers and at least 6 component processes, got %v", pids)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill -9 %d: %v", pid, err)
		}
	}
	waitDead(t, pids)
	for _, n := range status(t, name).Nodes {
		for _, c := range n.Components {
			if c.Running {
				t.Errorf("%s/%s (pid %d) runs after kill -9 of everything", n.Name, c.Kind, c.PID)
			}
		}
	}
	again := roottest.Run(t, "up", "--no-ui", "-q", "--name", name)
	if again.Code == 0 || !strings.Contains(again.Stderr, "sudo halab down --lab "+name) {
		t.Errorf("halab up over a dead lab: exit %d; want a refusal that says how to remove it:\n%s", again.Code, again.Stderr)
	}
	roottest.MustRun(t, "down", "--lab", name)
	assertGone(t, name)
}

// waitDead waits up to 2 s for every pid to be gone (SIGKILL is
// delivered asynchronously).
func waitDead(t *testing.T, pids []int) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		alive := slices.DeleteFunc(slices.Clone(pids), func(pid int) bool { return !check.ProcessAlive(pid) })
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes %v survived SIGKILL", alive)
		}
	}
}

// TestCrashRecoveryDrillKilled kills `halab drill run lb-partition` with
// SIGKILL right after it partitioned lb1 from lb2, so it cannot undo the
// fault. The lab's state still records the fault in force; running the
// drill again refuses and names it; `halab down` leaves nothing behind.
func TestCrashRecoveryDrillKilled(t *testing.T) {
	roottest.Require(t)
	name := roottest.LabName("crd")
	up(t, name)
	run := mustKill(t, killPoint{name: "partition applied", line: "fault: partition lb1 lb2"}, 30*time.Second,
		"drill", "run", "lb-partition", "--lab", name)
	if !run.killed {
		t.Fatalf("halab drill run ended before the kill:\n%s", run.output)
	}
	st, err := lab.LoadState(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Faults) != 1 || st.Faults[0].Kind != lab.FaultPartition {
		t.Errorf("faults recorded after the drill was killed: %+v; want the partition", st.Faults)
	}
	again := roottest.Run(t, "drill", "run", "lb-partition", "--lab", name)
	if again.Code == 0 || !strings.Contains(again.Stderr, "faults in force (lb1 and lb2 partitioned") {
		t.Errorf("drill run over a lab left partitioned: exit %d\n%s", again.Code, again.Stderr)
	}
	upAgainThenDown(t, name)
}

// TestCrashRecoveryDownKilled kills `halab down` with SIGKILL half-way:
// while the lab's processes stop, and once its first namespace is gone.
// What is left is found and removed by the next `halab down`.
func TestCrashRecoveryDownKilled(t *testing.T) {
	roottest.Require(t)
	for i, tc := range []struct {
		point func(name string) killPoint
	}{
		{func(string) killPoint { return killPoint{name: "processes stopping", line: "stopping"} }},
		{func(name string) killPoint {
			return killPoint{name: "first namespace gone", reached: func() bool {
				ns, _ := labLeftovers(name)
				return len(ns) < 5
			}}
		}},
	} {
		name := roottest.LabName(fmt.Sprintf("crk%c", 'a'+i))
		kp := tc.point(name)
		t.Run(kp.name, func(t *testing.T) {
			var run killedRun
			for try := 0; try < 3 && !run.killed; try++ {
				up(t, name)
				run = mustKill(t, kp, 20*time.Second, "down", "--lab", name)
				if ns, dir := labLeftovers(name); run.killed && len(ns) == 0 && !dir {
					run.killed = false // too late: nothing was left to recover from
				}
			}
			if !run.killed {
				t.Fatalf("halab down ended before it could be killed at %q:\n%s", kp.name, run.output)
			}
			ns, dir := labLeftovers(name)
			t.Logf("killed at %q: left %d namespaces, directory %v", kp.name, len(ns), dir)
			if st, err := lab.LoadState(name); err == nil && st.Phase != lab.PhaseRemoving {
				t.Errorf("the state says phase %q after the removal was killed, want %q", st.Phase, lab.PhaseRemoving)
			}
			upAgainThenDown(t, name)
		})
	}
}
