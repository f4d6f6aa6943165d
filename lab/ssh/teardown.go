package ssh

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/halab/halab/lab"
)

// Down stops the lab's components on every machine and removes everything
// halab put there: processes (found by the binary they run, also when the
// state is lost), fault rules, VIPs, the sysctls it changed (set back to
// the machine's own values), links it took down, and its directory. The
// machines come from the lab's state, else from p.Lab (the lab file). A
// machine that cannot be reached keeps the state, so that down can be run
// again.
func (p *Provider) Down(ctx context.Context, name string, progress lab.Progress) error {
	unlock, err := lab.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	var l *lab.Lab
	if st, err := lab.LoadState(name); err == nil && st.Lab != nil {
		l = st.Lab
	} else if p.Lab != nil && p.Lab.Name == name {
		l = p.Lab
	}
	dir := lab.LabDir(name)
	if l == nil {
		if _, err := os.Stat(dir); err == nil {
			progress.Report("", "no state for lab %s: removing %s; if it ran on machines over SSH, give its lab file (halab down -f FILE) to clean them", name, dir)
			return os.RemoveAll(dir)
		}
		return nil
	}
	acc := newAccess(l, dialOptions{acceptNew: p.AcceptNewHostKeys})
	defer acc.Close()
	if err := cleanMachines(ctx, acc, l, progress); err != nil {
		return fmt.Errorf("lab %s: %w (the lab's state is kept: run halab down again when the machine is back)", name, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("lab %s: %w", name, err)
	}
	return nil
}

// cleanMachines removes the lab from every machine at once.
func cleanMachines(ctx context.Context, acc *Access, l *lab.Lab, progress lab.Progress) error {
	return forEachNode(l.Nodes, func(n *lab.Node) error {
		m, err := acc.machine(ctx, n.Name)
		if err != nil {
			return err
		}
		out, err := m.run(ctx, "remove the lab", cleanScript(m.target, l, n), nil)
		if err != nil {
			return err
		}
		if said := strings.TrimSpace(string(out)); said != "" {
			progress.Report(n.Name, "%s", said)
		}
		return nil
	})
}

// cleanScript undoes everything halab did on one machine for a lab.
func cleanScript(t lab.SSHTarget, l *lab.Lab, n *lab.Node) string {
	d := labDir(t, l.Name)
	bin := binPath(t, l.Name)
	marker := path.Join(t.RemoteDir, madeMarker)
	ifaces := n.InterfaceNames()
	var links strings.Builder
	for _, i := range ifaces {
		links.WriteString("ip link set dev " + shellQuote(i) + " up 2>/dev/null; ")
	}
	return `D=` + shellQuote(d) + `
[ -d "$D" ] || exit 0
pids=$(` + componentPIDsScript(bin) + `)
n=0; [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
while [ -n "$pids" ] && [ $n -lt 100 ]; do left=; for p in $pids; do [ -e /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null && left="$left $p"; done; [ -z "$left" ] && break; sleep 0.05; n=$((n+1)); done
left=$(` + componentPIDsScript(bin) + `); [ -n "$left" ] && kill -KILL $left 2>/dev/null
` + healScript(ifaces) + `
` + links.String() + `true
vips=$(` + dropVIPsScript(ifaces, vipsOf(l, n)) + `)
if [ -f "$D/sysctl.orig" ]; then tac "$D/sysctl.orig" | while IFS='=' read -r k v; do echo "$v" > "/proc/sys/$(echo "$k" | tr . /)"; done; fi
rm -rf "$D"
if [ -f ` + shellQuote(marker) + ` ]; then rm -f ` + shellQuote(marker) + `; rmdir ` + shellQuote(t.RemoteDir) + ` 2>/dev/null || touch ` + shellQuote(marker) + `; fi
set -- $pids
msg="stopped $# component(s), removed $D"
[ -n "$vips" ] && msg="$msg, dropped VIP $(echo $vips | cut -d' ' -f1)"
echo "$msg"`
}
