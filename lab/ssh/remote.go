package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"

	"github.com/halab/halab/lab"
)

// remotePath is the PATH halab's scripts run with on a node, so that ip,
// nft and sysctl in /usr/sbin are found also for users without it.
const remotePath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// machine is one SSH connection to a node.
type machine struct {
	node   string
	target lab.SSHTarget
	client *gossh.Client
	// sudo is set when the login user is not root: scripts run under
	// `sudo -n`, which never asks for a password.
	sudo bool
	// uid is the login user's uid on the machine.
	uid int

	mu     sync.Mutex
	closed bool
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellJoin quotes every word and joins them with spaces.
func shellJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shellQuote(w)
	}
	return strings.Join(q, " ")
}

// remoteError is a script that failed on a node.
type remoteError struct {
	node   string
	what   string
	status int
	stderr string
}

func (e *remoteError) Error() string {
	msg := strings.TrimSpace(e.stderr)
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", e.status)
	}
	return fmt.Sprintf("%s: %s: %s", e.node, e.what, msg)
}

// command is the command line that runs script with root's rights: as is
// for root, under `sudo -n` for another user.
func (m *machine) command(script string, asRoot bool) string {
	full := remotePath + "; export PATH; " + script
	if asRoot && m.sudo {
		return "sudo -n sh -c " + shellQuote(full)
	}
	return "sh -c " + shellQuote(full)
}

// run runs a shell script on the node as root (through sudo when the login
// user is not root) with stdin, and returns its standard output. what says
// what the script does, for errors. A cancelled ctx ends the session.
func (m *machine) run(ctx context.Context, what, script string, stdin io.Reader) ([]byte, error) {
	return m.runAs(ctx, what, script, stdin, true)
}

// runAsUser runs a script with the login user's own rights.
func (m *machine) runAsUser(ctx context.Context, what, script string) ([]byte, error) {
	return m.runAs(ctx, what, script, nil, false)
}

func (m *machine) runAs(ctx context.Context, what, script string, stdin io.Reader, asRoot bool) ([]byte, error) {
	s, err := m.client.NewSession()
	if err != nil {
		return nil, fmt.Errorf("%s: %s: open SSH session: %w", m.node, what, err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	if stdin != nil {
		s.Stdin = stdin
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(m.command(script, asRoot)) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = s.Signal(gossh.SIGKILL)
		s.Close()
		return nil, fmt.Errorf("%s: %s: %w", m.node, what, ctx.Err())
	}
	if err != nil {
		var exit *gossh.ExitError
		if errors.As(err, &exit) {
			return out.Bytes(), &remoteError{node: m.node, what: what, status: exit.ExitStatus(), stderr: errb.String()}
		}
		return out.Bytes(), fmt.Errorf("%s: %s: %w", m.node, what, err)
	}
	return out.Bytes(), nil
}

// Close ends the connection.
func (m *machine) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	return m.client.Close()
}
