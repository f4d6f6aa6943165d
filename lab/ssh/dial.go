// Package ssh is halab's SSH provider: it deploys a lab onto existing Linux
// machines (the tutorial's Vagrant VMs, a class's servers) instead of
// network namespaces. Each node is one machine, reached with
// golang.org/x/crypto/ssh: host keys checked against known_hosts as
// OpenSSH does (StrictHostKeyChecking yes, or accept-new on request), keys
// from an identity file or the ssh-agent. halab's binary is copied to the
// node's remote_dir and verified by SHA-256; the components run detached
// from the SSH session; their control sockets are reached through
// OpenSSH's direct-streamlocal forwarding, so that status, events, faults,
// drills and the dashboard work as on a netns lab.
package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/halab/halab/lab"
)

// DialTimeout bounds connecting and the SSH handshake with one machine.
var DialTimeout = 8 * time.Second

// dialOptions shape how halab connects.
type dialOptions struct {
	// acceptNew trusts and records the key of a host known_hosts does not
	// list (OpenSSH's StrictHostKeyChecking=accept-new).
	acceptNew bool
}

// expandHome resolves a leading ~/ to the invoking user's home directory.
// Under sudo that is the home of the user who ran sudo, where their keys
// and known_hosts are.
func expandHome(path string) string {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path
	}
	home := os.Getenv("HOME")
	if user := os.Getenv("SUDO_USER"); user != "" && os.Geteuid() == 0 {
		if dir, err := homeOf(user); err == nil {
			home = dir
		}
	}
	return filepath.Join(home, strings.TrimPrefix(path, "~"))
}

// homeOf finds a user's home directory in /etc/passwd.
func homeOf(user string) (string, error) {
	data, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 6 && f[0] == user {
			return f[5], nil
		}
	}
	return "", fmt.Errorf("no user %s", user)
}

// defaultIdentities are the key files OpenSSH tries when none is named.
var defaultIdentities = []string{"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"}

// authMethods are the ways halab proves who it is, in OpenSSH's order:
// the agent's keys, then the key files. It never asks for or sends a
// password. tried says in words what was offered, for errors.
func authMethods(t lab.SSHTarget) (methods []gossh.AuthMethod, tried []string, cleanup func(), err error) {
	cleanup = func() {}
	var signers []gossh.Signer
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if c, derr := net.Dial("unix", sock); derr == nil {
			cleanup = func() { c.Close() }
			ag := agent.NewClient(c)
			if keys, lerr := ag.Signers(); lerr == nil && len(keys) > 0 {
				signers = append(signers, keys...)
				tried = append(tried, fmt.Sprintf("%d key(s) of the ssh-agent", len(keys)))
			}
		}
	}
	files := defaultIdentities
	named := t.IdentityFile != ""
	if named {
		files = []string{t.IdentityFile}
	}
	for _, f := range files {
		path := expandHome(f)
		data, rerr := os.ReadFile(path)
		if rerr != nil {
			if named {
				cleanup()
				return nil, nil, func() {}, fmt.Errorf("identity file %s: %w", path, rerr)
			}
			continue
		}
		s, perr := gossh.ParsePrivateKey(data)
		var missing *gossh.PassphraseMissingError
		switch {
		case errors.As(perr, &missing):
			if named && len(signers) == 0 {
				cleanup()
				return nil, nil, func() {}, fmt.Errorf("identity file %s is protected by a passphrase: load it into the ssh-agent (ssh-add %s) and run halab with SSH_AUTH_SOCK set (sudo -E keeps it)", path, path)
			}
			continue
		case perr != nil:
			if named {
				cleanup()
				return nil, nil, func() {}, fmt.Errorf("identity file %s is not a private key halab can read: %w", path, perr)
			}
			continue
		}
		signers = append(signers, s)
		tried = append(tried, "key file "+path)
	}
	if len(signers) == 0 {
		cleanup()
		return nil, nil, func() {}, errors.New("no key to log in with: name one with identity_file in the lab file's ssh block, or start an ssh-agent holding one (SSH_AUTH_SOCK)")
	}
	return []gossh.AuthMethod{gossh.PublicKeys(signers...)}, tried, cleanup, nil
}

// dial connects to one node and checks its host key. Errors name the node
// and say the cause in words: refused, timed out, unreachable, host key,
// authentication.
func dial(ctx context.Context, node string, t lab.SSHTarget, o dialOptions) (*gossh.Client, error) {
	methods, tried, cleanup, err := authMethods(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", node, err)
	}
	defer cleanup()
	hosts, err := newHostKeys(expandHome(t.KnownHosts), o.acceptNew)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", node, err)
	}
	cfg := &gossh.ClientConfig{
		User:            t.User,
		Auth:            methods,
		HostKeyCallback: hosts.callback,
		Timeout:         DialTimeout,
		ClientVersion:   "SSH-2.0-halab",
	}
	d := net.Dialer{Timeout: DialTimeout}
	addr := t.Address()
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot reach %s: %s", node, addr, describeDialError(err))
	}
	_ = raw.SetDeadline(time.Now().Add(DialTimeout))
	conn, chans, reqs, err := gossh.NewClientConn(raw, addr, cfg)
	if err != nil {
		raw.Close()
		var hk *hostKeyError
		switch {
		case errors.As(err, &hk):
			return nil, fmt.Errorf("%s: %w", node, hk)
		case strings.Contains(err.Error(), "unable to authenticate"):
			return nil, fmt.Errorf("%s: authentication failed for user %s at %s (offered %s): check the user and that its authorized_keys holds the key", node, t.User, addr, strings.Join(tried, ", "))
		default:
			return nil, fmt.Errorf("%s: SSH handshake with %s failed: %s", node, addr, describeDialError(err))
		}
	}
	_ = raw.SetDeadline(time.Time{})
	return gossh.NewClient(conn, chans, reqs), nil
}

// describeDialError says why a connection failed, as ssh would.
func describeDialError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is sshd running and listening on that port?)"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "no route to host (is the machine up, and the address right?)"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable (this machine has no route to that address)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("timed out after %s (is the machine up and the address right? a firewall may drop the connection)", DialTimeout)
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Sprintf("cannot resolve host %q", dnsErr.Name)
	}
	return err.Error()
}
