package netns

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vishvananda/netns"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

// binaryName is the copy of halab a lab's components run from, inside the
// lab's directory: `halab up` may run from a temporary build (go run) that
// disappears when it exits, and a component restarted later needs a binary.
const binaryName = "bin/halab"

// installBinary copies the halab executable (self, or the running one when
// empty) into the lab directory.
func installBinary(dir, self string) (string, error) {
	if self == "" {
		var err error
		if self, err = os.Executable(); err != nil {
			return "", fmt.Errorf("find halab's own binary: %w", err)
		}
	}
	dst := filepath.Join(dir, binaryName)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	in, err := os.Open(self)
	if err != nil {
		return "", fmt.Errorf("copy halab binary: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return "", fmt.Errorf("copy halab binary: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", fmt.Errorf("copy halab binary: %w", err)
	}
	return dst, out.Close()
}

// running is a component process this halab process started.
type running struct {
	state  lab.ComponentState
	node   string
	exited chan struct{} // closed when the process ended
	err    error         // its exit status, valid after exited is closed
}

// startComponent starts `halab run KIND` for node inside ns. The process
// runs in its own session with its output in its log file, so it outlives
// the halab process that started it.
func startComponent(ns netns.NsHandle, labName, dir, node string, c lab.Component) (*running, error) {
	nodeDir := filepath.Join(dir, node)
	if err := os.MkdirAll(nodeDir, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", node, err)
	}
	st := lab.PlanComponent(nodeDir, node, c)
	if c.ConfigName != "" {
		if err := os.WriteFile(st.Config, c.Config, 0o600); err != nil {
			return nil, fmt.Errorf("%s: write %s: %w", node, c.ConfigName, err)
		}
	}
	logFile, err := os.OpenFile(st.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: %s log: %w", node, c.Kind, err)
	}
	defer logFile.Close()
	bin := filepath.Join(dir, binaryName)
	cmd := exec.Command(bin, st.Args...)
	cmd.Dir = nodeDir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = componentEnv(filepath.Dir(bin), labName, node)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// The child is cloned from this thread while it is inside ns, so the
	// component is born in the node's namespace.
	if err := inNamespace(ns, cmd.Start); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", node, c.Kind, err)
	}
	st.PID = cmd.Process.Pid
	st.Started = time.Now()
	r := &running{state: st, node: node, exited: make(chan struct{})}
	go func() {
		r.err = cmd.Wait()
		close(r.exited)
	}()
	return r, nil
}

// componentEnv is a component's environment: halab's own PATH first, so that
// keepalived-style scripts can call `halab check …`, and the lab's names.
func componentEnv(binDir, labName, node string) []string {
	env := []string{
		"PATH=" + binDir + ":" + lab.ProgramPath,
		"HALAB_LAB=" + labName,
		"HALAB_NODE=" + node,
	}
	for _, keep := range []string{"LANG", "LC_ALL", "TZ", "HOME", "NO_COLOR"} {
		if v, ok := os.LookupEnv(keep); ok {
			env = append(env, keep+"="+v)
		}
	}
	return env
}

// waitReady waits until the component's control socket reports ready. A
// component that exits first fails with the end of its log, which says why.
func waitReady(ctx context.Context, r *running) error {
	client := control.NewClient(r.state.Socket)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.exited:
			return fmt.Errorf("%s: %s exited while starting (%v): %s", r.node, r.state.Kind, r.err, logTail(r.state.Log))
		case <-ctx.Done():
			return fmt.Errorf("%s: %s did not report ready: %w; its log says: %s", r.node, r.state.Kind, ctx.Err(), logTail(r.state.Log))
		case <-tick.C:
		}
		if _, err := os.Stat(r.state.Socket); err != nil {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		st, err := client.Status(sctx, nil)
		cancel()
		if err == nil && st.Ready {
			return nil
		}
	}
}

// logTail returns the last lines of a log, for error messages.
func logTail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "(its log is empty)"
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}
