package ssh

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeys checks a server's host key against a known_hosts file, as
// OpenSSH does with StrictHostKeyChecking=yes, or =accept-new when
// acceptNew: a key that differs from the recorded one is always refused.
type hostKeys struct {
	file      string
	acceptNew bool
	check     gossh.HostKeyCallback
}

// knownHostsMu serializes appends to known_hosts by parallel dials.
var knownHostsMu sync.Mutex

func newHostKeys(file string, acceptNew bool) (*hostKeys, error) {
	h := &hostKeys{file: file, acceptNew: acceptNew}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if !acceptNew {
			return h, nil // every host is unknown; the callback says what to do
		}
	} else if err != nil {
		return nil, fmt.Errorf("known_hosts %s: %w", file, err)
	}
	if err := h.load(); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *hostKeys) load() error {
	if _, err := os.Stat(h.file); errors.Is(err, os.ErrNotExist) {
		h.check = nil
		return nil
	}
	cb, err := knownhosts.New(h.file)
	if err != nil {
		return fmt.Errorf("known_hosts %s cannot be read: %w", h.file, err)
	}
	h.check = cb
	return nil
}

// hostKeyError is a refused host key, with what to do about it.
type hostKeyError struct {
	msg string
}

func (e *hostKeyError) Error() string { return e.msg }

// callback is the gossh.HostKeyCallback.
func (h *hostKeys) callback(hostname string, remote net.Addr, key gossh.PublicKey) error {
	fp := gossh.FingerprintSHA256(key)
	var err error = &knownhosts.KeyError{}
	if h.check != nil {
		err = h.check(hostname, remote, key)
	}
	if err == nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		return &hostKeyError{fmt.Sprintf("host key of %s: %v", hostname, err)}
	}
	if len(ke.Want) > 0 {
		var lines string
		for i, w := range ke.Want {
			if i > 0 {
				lines += ", "
			}
			lines += fmt.Sprintf("%s:%d (%s %s)", w.Filename, w.Line, w.Key.Type(), gossh.FingerprintSHA256(w.Key))
		}
		return &hostKeyError{fmt.Sprintf("HOST KEY MISMATCH for %s: it offers %s %s, but %s records another key. Someone may be in the middle, or the machine was rebuilt. If you know it was rebuilt, remove the old key with `ssh-keygen -R %s -f %s` and connect again; halab refuses until then",
			hostname, key.Type(), fp, lines, knownhosts.Normalize(hostname), h.file)}
	}
	if !h.acceptNew {
		host, port, err := net.SplitHostPort(hostname)
		if err != nil {
			host, port = hostname, "22"
		}
		return &hostKeyError{fmt.Sprintf("host %s is not in %s (it offers %s %s): check the fingerprint on the machine (ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub), then add it with `ssh-keyscan -p %s %s >> %s`, or run halab with --accept-new-host-keys to trust and record it on first use",
			hostname, h.file, key.Type(), fp, keyFileKind(key), port, host, h.file)}
	}
	return h.record(hostname, remote, key)
}

// record appends the host's key to known_hosts (accept-new).
func (h *hostKeys) record(hostname string, remote net.Addr, key gossh.PublicKey) error {
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return &hostKeyError{fmt.Sprintf("record host key of %s: %v", hostname, err)}
	}
	f, err := os.OpenFile(h.file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return &hostKeyError{fmt.Sprintf("record host key of %s: %v", hostname, err)}
	}
	addrs := []string{knownhosts.Normalize(hostname)}
	if remote != nil && knownhosts.Normalize(remote.String()) != addrs[0] {
		addrs = append(addrs, knownhosts.Normalize(remote.String()))
	}
	_, werr := fmt.Fprintln(f, knownhosts.Line(addrs, key))
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return &hostKeyError{fmt.Sprintf("record host key of %s in %s: %v", hostname, h.file, werr)}
	}
	return h.load()
}

// keyFileKind is the word in the host key file's name for a key type.
func keyFileKind(key gossh.PublicKey) string {
	switch key.Type() {
	case gossh.KeyAlgoED25519:
		return "ed25519"
	case gossh.KeyAlgoRSA:
		return "rsa"
	default:
		return "ecdsa"
	}
}
