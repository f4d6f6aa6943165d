package export

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/halab/halab/lab"
)

// pathRank orders a machine's files the way they are applied: sysctls
// first (HAProxy on the backup binds the VIP only with
// ip_nonlocal_bind), then HAProxy, whose process keepalived tracks, then
// keepalived; nginx on its own machine.
var pathRank = map[string]int{SysctlPath: 0, HAProxyPath: 1, KeepalivedPath: 2, NginxPath: 3}

// sortPlacements orders the files by their first machine, in the lab's
// node order, then by pathRank.
func sortPlacements(l *lab.Lab, ps []Placement) {
	index := map[string]int{}
	for i, n := range l.Nodes {
		index[n.Name] = i
	}
	slices.SortStableFunc(ps, func(a, b Placement) int {
		if d := index[a.Nodes[0]] - index[b.Nodes[0]]; d != 0 {
			return d
		}
		return pathRank[a.Path] - pathRank[b.Path]
	})
}

// readme is README.txt: the machines, which file goes where, the commands
// that apply them, and every note.
func readme(l *lab.Lab, r *Result) []byte {
	var b bytes.Buffer
	title := "halab config export: the lab " + l.Name + " on real machines"
	fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Repeat("=", len(title)))
	if l.Title != "" {
		fmt.Fprintf(&b, "%s\n", l.Title)
	}
	fmt.Fprintf(&b, "Exported from %s.\n\n", l.Source)
	para(&b, "These files build the lab on real machines, Debian or Ubuntu as in the tutorial \"High Availability dengan HAProxy dan Keepalived\", with keepalived, HAProxy and nginx in place of halab's components. Each file says at its top where it goes and what differs from the lab's configuration.")

	section(&b, "Machines")
	para(&b, "Each machine needs the interfaces the lab gives it, with the same names (keepalived.conf names them) and addresses:")
	for _, n := range l.Nodes {
		for i, iface := range n.Interfaces {
			name := ""
			if i == 0 {
				name = n.Name
			}
			fmt.Fprintf(&b, "  %-8s %-8s %-18s (%s)\n", name, iface.Name, iface.Address, iface.Network)
		}
	}
	fmt.Fprintf(&b, "  %-8s %s on %s, port %d: keepalived puts it on the master\n\n", "VIP", l.VIP.Address, l.VIP.Network, l.VIP.Port)

	section(&b, "Files")
	rows := [][]string{{"FILE", "MACHINES", "PATH"}}
	for _, p := range r.Placements {
		rows = append(rows, []string{p.File, strings.Join(p.Nodes, ", "), p.Path})
	}
	table(&b, rows)
	b.WriteString("\n")

	section(&b, "Commands")
	para(&b, "Copy this directory to each machine; then, as root, in it:")
	for _, n := range l.Nodes {
		var mine []Placement
		for _, p := range r.Placements {
			if slices.Contains(p.Nodes, n.Name) {
				mine = append(mine, p)
			}
		}
		if len(mine) == 0 {
			continue
		}
		slices.SortStableFunc(mine, func(a, b Placement) int { return pathRank[a.Path] - pathRank[b.Path] })
		fmt.Fprintf(&b, "%s:\n", n.Name)
		if pkgs := packages(n, r); len(pkgs) > 0 {
			fmt.Fprintf(&b, "  apt-get install -y %s\n", strings.Join(pkgs, " "))
		}
		for _, p := range mine {
			fmt.Fprintf(&b, "  install -m 644 %s %s\n", p.File, p.Path)
			switch {
			case p.Check != "" && p.Apply != "":
				fmt.Fprintf(&b, "  %s && %s\n", p.Check, p.Apply)
			case p.Apply != "":
				fmt.Fprintf(&b, "  %s\n", p.Apply)
			}
		}
		b.WriteString("\n")
	}
	url := "http://" + l.VIP.Address.String() + "/"
	if l.VIP.Port != 80 {
		url = fmt.Sprintf("http://%s:%d/", l.VIP.Address, l.VIP.Port)
	}
	para(&b, fmt.Sprintf("Then, from a machine on the %s network, `curl %s` names the web server that answered, and `ip -br addr` on a load balancer shows whether it holds the VIP.", l.VIP.Network, url))

	section(&b, "What differs from the lab")
	if len(r.Notes) == 0 {
		para(&b, "Nothing but the layout and the comments.")
	}
	for _, n := range r.Notes {
		where := n.File
		if n.Source != "" {
			where += ", from " + n.Source
		}
		for _, line := range hangingWrap("  - ", where+": "+n.Text, commentWidth) {
			b.WriteString(line + "\n")
		}
		if n.Says != "" {
			for _, line := range hangingWrap("    ", saysLine(n), commentWidth) {
				b.WriteString(line + "\n")
			}
		}
	}
	return b.Bytes()
}

// saysLine quotes what keepalived -t says about the lab's file, or about
// it with halab's commands translated.
func saysLine(n Note) string {
	on := "the lab's file"
	if n.SaysAfterTranslation {
		on = "the lab's file with the translated commands (the tutorial's file)"
	}
	return fmt.Sprintf("keepalived -t on %s says: %q", on, n.Says)
}

// packages lists what node n installs for its files (Debian's package
// names), psmisc when its keepalived.conf runs killall.
func packages(n lab.Node, r *Result) []string {
	switch n.Role {
	case lab.RoleLB:
		pkgs := []string{"keepalived", "haproxy"}
		if bytes.Contains(r.Files[n.Name+".keepalived.conf"], []byte(`"`+KillallPath+" ")) {
			pkgs = append(pkgs, "psmisc")
		}
		return pkgs
	case lab.RoleWeb:
		return []string{"nginx"}
	}
	return nil
}

func section(b *bytes.Buffer, title string) {
	fmt.Fprintf(b, "%s\n%s\n", title, strings.Repeat("-", len(title)))
}

func para(b *bytes.Buffer, text string) {
	for _, l := range wrap(text, commentWidth) {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
}

// table writes rows in columns two spaces apart, indented by two.
func table(b *bytes.Buffer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		line := " "
		for i, c := range r {
			line += " " + c + strings.Repeat(" ", widths[i]-len(c)+1)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}
