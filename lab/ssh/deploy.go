package ssh

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/halab/halab/lab"
)

// ReadyTimeout bounds how long a component may take to report ready.
const ReadyTimeout = 20 * time.Second

// fileSHA256 returns the hex SHA-256 of a file.
func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// prepare makes the lab's directory on the machine, copies halab there
// through the session's standard input and checks its SHA-256 on the
// machine, and applies the node's sysctls, keeping the machine's own
// values for down.
func prepare(ctx context.Context, m *machine, labName string, n *lab.Node, binary, sum string) error {
	t := m.target
	d := labDir(t, labName)
	bin := binPath(t, labName)
	f, err := os.Open(binary)
	if err != nil {
		return fmt.Errorf("%s: %w", n.Name, err)
	}
	defer f.Close()
	script := `set -e; umask 022
[ -d ` + shellQuote(t.RemoteDir) + ` ] || { mkdir -p ` + shellQuote(t.RemoteDir) + ` && touch ` + shellQuote(path.Join(t.RemoteDir, madeMarker)) + `; }
mkdir -p ` + shellQuote(path.Dir(bin)) + ` ` + shellQuote(nodeDir(t, labName, n.Name)) + `
cat > ` + shellQuote(bin+".part") + `
sum=$(sha256sum < ` + shellQuote(bin+".part") + ` | cut -d' ' -f1)
echo "$sum"
[ "$sum" = ` + sum + ` ] || { echo "the copy's SHA-256 is $sum, not ` + sum + `" >&2; exit 1; }
chmod 755 ` + shellQuote(bin+".part") + `
mv ` + shellQuote(bin+".part") + ` ` + shellQuote(bin)
	out, err := m.run(ctx, "copy halab to "+bin, script, f)
	if err != nil {
		return err
	}
	if got := strings.TrimSpace(string(out)); got != sum {
		return fmt.Errorf("%s: halab's copy at %s has SHA-256 %s, not %s", n.Name, bin, got, sum)
	}
	if len(n.Sysctls) == 0 {
		return nil
	}
	var b strings.Builder
	orig := path.Join(d, "sysctl.orig")
	b.WriteString("set -e\n")
	for _, s := range n.Sysctls {
		file := "/proc/sys/" + strings.ReplaceAll(s.Key, ".", "/")
		fmt.Fprintf(&b, "echo %s=$(cat %s) >> %s\necho %s > %s\n", shellQuote(s.Key), shellQuote(file), shellQuote(orig), shellQuote(s.Value), shellQuote(file))
	}
	_, err = m.run(ctx, "set sysctls", b.String(), nil)
	return err
}

// startComponent writes a component's configuration and starts it on the
// machine, detached from the SSH session in a session of its own
// (setsid), with its output in its log. It returns the component's state;
// the caller waits for it to be ready.
func startComponent(ctx context.Context, m *machine, labName, node string, c lab.Component) (lab.ComponentState, error) {
	t := m.target
	dir := nodeDir(t, labName, node)
	st := lab.ComponentState{
		Kind:   c.Kind,
		Socket: path.Join(dir, c.Kind+".sock"),
		Log:    path.Join(dir, c.Kind+".log"),
	}
	args := []string{"run", c.Command(), "--node", node, "--control", st.Socket}
	if c.ConfigName != "" {
		st.Config = path.Join(dir, c.ConfigName)
		if _, err := m.run(ctx, "write "+st.Config, "umask 077; mkdir -p "+shellQuote(dir)+"; cat > "+shellQuote(st.Config), strings.NewReader(string(c.Config))); err != nil {
			return st, err
		}
		args = append(args, "-f", st.Config)
	}
	args = append(args, c.Args...)
	st.Args = args
	bin := binPath(t, labName)
	env := []string{"HALAB_LAB=" + labName, "HALAB_NODE=" + node, "PATH=" + path.Dir(bin) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	if m.sudo {
		env = append(env, "HALAB_CONTROL_UID="+strconv.Itoa(m.uid))
	}
	script := "cd " + shellQuote(dir) + " && " + shellJoin(env) + " setsid " + shellQuote(bin) + " " + shellJoin(args) +
		" </dev/null >>" + shellQuote(st.Log) + " 2>&1 & echo $!"
	out, err := m.run(ctx, "start "+c.Kind, script, nil)
	if err != nil {
		return st, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return st, fmt.Errorf("%s: start %s: no pid in %q", node, c.Kind, firstLine(string(out)))
	}
	st.PID = pid
	st.Started = time.Now()
	return st, nil
}

// waitReady waits until the component answers ready on its control socket
// (reached through the SSH connection). A component that exits first fails
// with the end of its log, which says why.
func waitReady(ctx context.Context, a *Access, node string, c lab.ComponentState) error {
	ctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
	defer cancel()
	client := a.Control(node, c)
	for tick := 0; ; tick++ {
		sctx, scancel := context.WithTimeout(ctx, time.Second)
		s, err := client.Status(sctx, nil)
		scancel()
		if err == nil && s.Ready {
			return nil
		}
		if tick%5 == 4 && !a.Alive(ctx, node, c.PID) {
			return fmt.Errorf("%s: %s exited while starting: %s", node, c.Kind, a.logTail(ctx, node, c.Log))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %s did not report ready within %s; its log says: %s", node, c.Kind, ReadyTimeout, a.logTail(context.Background(), node, c.Log))
		case <-time.After(50 * time.Millisecond):
		}
	}
}
