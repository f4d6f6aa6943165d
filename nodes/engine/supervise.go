// Package engine runs real programs — keepalived, HAProxy, nginx — as a
// lab's components, in place of halab's own (a lab file's `engine:`).
//
// Each runs behind an adapter, `halab run keepalived|haproxy|nginx`: the
// adapter starts the program in the foreground with the node's
// configuration file, reads what the program says (its log lines, HAProxy's
// stats socket, the node's addresses) and serves the component's control
// socket with a status and events in the shape halab's own component uses
// (vrrp.Status, proxy.Status, web.Status; vrrp-state, vip and backend
// events), so that status, the dashboard, faults and drills treat both
// alike.
//
// The program lives and dies with its adapter: it is the adapter's child,
// killed by the kernel when the adapter dies (PR_SET_PDEATHSIG), and
// stopped with the signal its packaged service stops it with when the
// adapter is asked to stop. A lab's kill fault kills the adapter and every
// process below it at once, as `killall -9` of the program would.
package engine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Program is a real program to run in the foreground.
type Program struct {
	// Path is the executable; Args its arguments (without argv[0]).
	Path string
	Args []string
	// Dir is its working directory; Env its environment (nil: the
	// adapter's).
	Dir string
	Env []string
	// Stop is the signal that asks it to stop gracefully.
	Stop syscall.Signal
	// Log receives a copy of every line it writes, as written; nil
	// discards them.
	Log io.Writer
}

// Line is one line the program wrote, and when the adapter read it.
type Line struct {
	Text string
	At   time.Time
}

// Process is a started Program.
type Process struct {
	name  string
	cmd   *exec.Cmd
	stop  syscall.Signal
	lines chan Line
	done  chan struct{}
	err   error // valid once done is closed

	mu   sync.Mutex
	tail []string // the last lines, for messages
}

// tailLines is how many of the last lines a Process keeps for messages.
const tailLines = 8

// Start starts the program. Its output (standard output and error) is
// read line by line into Lines and copied to p.Log.
//
// The program is started from an OS thread locked to a goroutine that lives
// as long as the program: PR_SET_PDEATHSIG fires when the thread that
// forked the child ends, and a Go thread can end while the process lives
// on. So the program is killed (SIGKILL) exactly when the adapter dies.
func Start(p Program) (*Process, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("%s: output pipe: %w", p.Path, err)
	}
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Dir, cmd.Env = p.Dir, p.Env
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	proc := &Process{name: filepath.Base(p.Path), cmd: cmd, stop: p.Stop, lines: make(chan Line, 256), done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread ends with this goroutine, after the
		// program has ended.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		err := cmd.Wait()
		proc.err = err
		close(proc.done)
	}()
	err = <-started
	w.Close() // the program (and its children) hold the write end now
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("start %s: %w", p.Path, err)
	}
	go proc.read(r, p.Log)
	return proc, nil
}

// read turns the program's output into Lines until every writer closed
// it, copying each line to log.
func (p *Process) read(r *os.File, log io.Writer) {
	defer r.Close()
	defer close(p.lines)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		text := string(bytes.TrimRight(sc.Bytes(), "\r"))
		if log != nil {
			fmt.Fprintln(log, text)
		}
		p.mu.Lock()
		p.tail = append(p.tail, text)
		if len(p.tail) > tailLines {
			p.tail = p.tail[len(p.tail)-tailLines:]
		}
		p.mu.Unlock()
		p.lines <- Line{Text: text, At: time.Now()}
	}
}

// Lines delivers the program's output lines; it is closed when the program
// and every child that shares its output are gone. The caller must keep
// reading it.
func (p *Process) Lines() <-chan Line { return p.lines }

// PID is the program's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed when the program has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited says how the program ended, with the last lines it wrote; valid
// once Done is closed.
func (p *Process) Exited() error {
	p.mu.Lock()
	tail := strings.Join(p.tail, " | ")
	p.mu.Unlock()
	if tail == "" {
		tail = "(it wrote nothing)"
	}
	status := "exited"
	if p.err != nil {
		status = p.err.Error()
	}
	return fmt.Errorf("%s %s; its last lines: %s", p.name, status, tail)
}

// Stop asks the program to stop with its stop signal, waits up to grace
// for it to exit, then kills it. It returns once the program has exited.
func (p *Process) Stop(grace time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(p.stop); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return fmt.Errorf("%s did not stop within %v of %v; killed it", p.name, grace, p.stop)
}

// lookPath finds a program in the adapter's PATH.
var lookPath = exec.LookPath

// hooks are what an adapter does with its program while it runs.
type hooks struct {
	// line takes each line the program writes.
	line func(Line)
	// poll, when set, runs every pollEvery (HAProxy's stats).
	poll      func()
	pollEvery time.Duration
	// ready says whether the program serves; onReady runs the first time
	// it does.
	ready   func() bool
	onReady func()
}

// supervise runs the adapter's loop: lines and polls until the program
// exits, which is an error, or ctx is done, when it stops the program and
// returns once it has exited (nil for a clean stop). A program not ready
// within readyTimeout is stopped and its last lines returned.
func supervise(ctx context.Context, proc *Process, h hooks) error {
	lines := proc.Lines()
	var tick <-chan time.Time
	if h.poll != nil {
		t := time.NewTicker(h.pollEvery)
		defer t.Stop()
		tick = t.C
	}
	readyBy := time.NewTimer(readyTimeout)
	defer readyBy.Stop()
	ready, done := false, ctx.Done()
	var stopped chan error
	check := func() {
		if !ready && h.ready() {
			ready = true
			h.onReady()
		}
	}
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				lines = nil
				continue
			}
			h.line(l)
			check()
		case <-tick:
			h.poll()
			check()
		case <-readyBy.C:
			if !ready && stopped == nil {
				_ = proc.Stop(stopGrace)
				return fmt.Errorf("not serving within %v: %w", readyTimeout, proc.Exited())
			}
		case <-done:
			done = nil
			stopped = make(chan error, 1)
			go func() { stopped <- proc.Stop(stopGrace) }()
		case <-proc.Done():
			drain(lines, h.line)
			if stopped != nil {
				return <-stopped
			}
			return proc.Exited()
		}
	}
}

// drain hands what is left of lines to fn, for at most a moment: children
// that share the program's output may outlive it. The rest is discarded.
func drain(lines <-chan Line, fn func(Line)) {
	if lines == nil {
		return
	}
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return
			}
			fn(l)
		case <-t.C:
			go func() {
				for range lines {
				}
			}()
			return
		}
	}
}
