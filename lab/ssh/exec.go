package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/term"

	"github.com/halab/halab/lab"
)

// Exec runs argv on a node's machine as root (through sudo for another
// user), in the node's directory with the lab's halab first on PATH, like
// `halab exec` on a netns lab. With a terminal on stdin it asks for a
// pseudo-terminal, as `ssh -t` does. It returns the command's exit status.
func Exec(ctx context.Context, st *lab.State, node string, argv []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if len(argv) == 0 {
		return 0, fmt.Errorf("exec %s: no command given; usage: halab exec NODE -- COMMAND [ARGS…]", node)
	}
	if _, err := st.Node(node); err != nil {
		return 0, err
	}
	acc := newAccess(st.Lab, dialOptions{})
	defer acc.Close()
	m, err := acc.machine(ctx, node)
	if err != nil {
		return 0, err
	}
	s, err := m.client.NewSession()
	if err != nil {
		return 0, fmt.Errorf("exec %s: open SSH session: %w", node, err)
	}
	defer s.Close()
	s.Stdin, s.Stdout, s.Stderr = stdin, stdout, stderr
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		w, h, err := term.GetSize(int(f.Fd()))
		if err != nil {
			w, h = 80, 24
		}
		if err := s.RequestPty(termName(), h, w, gossh.TerminalModes{gossh.ECHO: 1}); err != nil {
			return 0, fmt.Errorf("exec %s: pseudo-terminal: %w", node, err)
		}
		old, err := term.MakeRaw(int(f.Fd()))
		if err == nil {
			defer term.Restore(int(f.Fd()), old)
		}
	}
	t := m.target
	dir := nodeDir(t, st.Name, node)
	script := "cd " + shellQuote(dir) + " 2>/dev/null; PATH=" + shellQuote(path.Dir(binPath(t, st.Name))) + ":$PATH HALAB_LAB=" + shellQuote(st.Name) +
		" HALAB_NODE=" + shellQuote(node) + "; export PATH HALAB_LAB HALAB_NODE; exec " + shellJoin(argv)
	err = s.Run(m.command(script, true))
	var exit *gossh.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return exit.ExitStatus(), nil
	default:
		return 0, fmt.Errorf("exec %s: %w", node, err)
	}
}

func termName() string {
	if t := os.Getenv("TERM"); t != "" {
		return t
	}
	return "xterm-256color"
}
