// Package export turns a lab into the files a reader puts on real machines
// to build the same lab with the programs halab stands in for: keepalived,
// HAProxy and nginx on Debian or Ubuntu, as in the tutorial "High
// Availability dengan HAProxy dan Keepalived" (2021).
//
// A lab's configurations are written for halab's components. They keep
// keepalived's and HAProxy's language, but may call halab's own commands
// (`halab check process halab-proxy`) or name halab's processes
// (halab-proxy), and keepalived 2.2.7 warns about some of what they say
// (the tutorial's auth_pass is longer than 8 characters, its MASTER uses
// AH authentication, its script runs without enable_script_security) and
// `keepalived -t` then exits non-zero. The export translates halab's
// commands and names into the real machine's, writes the values keepalived
// ends up using so that `keepalived -t` accepts the file as it is, and says
// in each file's comments what differs from the lab's and why, in
// keepalived's words where it has any.
//
// Export is pure: it takes a *lab.Lab and returns the files by name and
// the notes; cmd/halab's `config export` writes them to a directory.
package export

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/halab/halab/lab"
)

// Where the tutorial's machines keep each file: the Debian and Ubuntu
// packages' paths.
const (
	// KeepalivedPath is where keepalived's systemd unit reads its
	// configuration (keepalived -f's default).
	KeepalivedPath = "/etc/keepalived/keepalived.conf"
	// HAProxyPath is what the haproxy package's systemd unit passes to
	// haproxy -f.
	HAProxyPath = "/etc/haproxy/haproxy.cfg"
	// NginxPath is the nginx package's default site, which nginx.conf
	// includes through the link /etc/nginx/sites-enabled/default.
	NginxPath = "/etc/nginx/sites-available/default"
	// SysctlPath is a sysctl.d file: systemd-sysctl applies it at boot,
	// after the distribution's own files (sysctl.d(5) orders by name).
	SysctlPath = "/etc/sysctl.d/99-halab.conf"
)

// ReadmeName is the name of the export's instructions: which file goes
// where on which machine, and the commands that apply them.
const ReadmeName = "README.txt"

// Kind says what a Note is about.
type Kind int

const (
	// Translated: the lab's file uses something of halab's (a `halab
	// check` script, a halab-KIND process name) and the export uses what
	// the real machine has in its place.
	Translated Kind = iota + 1
	// Fixed: keepalived changes or refuses what the lab's file says (it
	// warns, and `keepalived -t` exits non-zero); the export writes what
	// keepalived would use instead, so that it accepts the file as it is.
	Fixed
	// Info: worth knowing on the real machine; the file says it as the
	// lab's does.
	Info
)

// String is "translated", "fixed" or "info".
func (k Kind) String() string {
	switch k {
	case Translated:
		return "translated"
	case Fixed:
		return "fixed"
	case Info:
		return "info"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Note is one difference between a lab configuration and the exported
// file, with the reason.
type Note struct {
	Kind Kind
	// Node is the machine the file is for; empty for a file several share.
	Node string
	// File is the exported file's name ("lb1.keepalived.conf").
	File string
	// Source is the lab's file and line the note is about
	// ("seed/lb1.keepalived.conf:35"), or "" when it is about no line.
	Source string
	// Text says what differs and why.
	Text string
	// Says is what keepalived 2.2.7 prints about the lab's file, verbatim
	// (`keepalived -t -f FILE`), or "" when it says nothing about it.
	Says string
	// SaysAfterTranslation: keepalived prints Says only once the lab's
	// halab commands are replaced with the real ones (From → To of the
	// file's Translated notes), the tutorial's own file. Before that it
	// cannot find the commands, disables them, and says that instead.
	SaysAfterTranslation bool
	// From and To are, for a Translated note, the lab's text and what
	// the export writes in its place.
	From, To string
}

// String is "FILE: SOURCE: TEXT (keepalived: "SAYS")".
func (n Note) String() string {
	s := n.File + ": "
	if n.Source != "" {
		s += n.Source + ": "
	}
	s += n.Text
	if n.Says != "" {
		s += fmt.Sprintf(" (keepalived -t: %q)", n.Says)
	}
	return s
}

// Placement says where one exported file goes.
type Placement struct {
	File  string   // the file's name in the export
	Nodes []string // the machines that get it, in the lab's node order
	Path  string   // where it goes on each of them
	// Check and Apply are the shell commands that check it and make it
	// take effect, run on each machine after copying it to Path.
	Check, Apply string
}

// Options choose what Export writes.
type Options struct {
	// Nodes are the nodes to export; empty means every node that has a
	// file to export. A node named here that has none is an error.
	Nodes []string
}

// Result is an export: the files by name (README.txt among them), where
// each goes, and every difference from the lab's configurations.
type Result struct {
	Files      map[string][]byte
	Placements []Placement
	Notes      []Note
}

// Names lists the files in the order README.txt lists them: README.txt
// first, then by placement.
func (r *Result) Names() []string {
	names := []string{ReadmeName}
	for _, p := range r.Placements {
		names = append(names, p.File)
	}
	return names
}

// exporter accumulates one export.
type exporter struct {
	lab *lab.Lab
	res *Result
}

// Export builds the files for the lab's nodes (opts.Nodes, or all). It
// fails on an unknown node, a node with nothing to export, and a
// configuration halab would not run either, or one that uses a halab
// command that has no counterpart on a real machine; each error names the
// node and the lab's file.
func Export(l *lab.Lab, opts Options) (*Result, error) {
	nodes, err := selectNodes(l, opts.Nodes)
	if err != nil {
		return nil, err
	}
	x := &exporter{lab: l, res: &Result{Files: map[string][]byte{}}}
	for _, n := range nodes {
		if err := x.node(n); err != nil {
			return nil, err
		}
	}
	sortPlacements(l, x.res.Placements)
	x.res.Files[ReadmeName] = readme(l, x.res)
	return x.res, nil
}

// selectNodes returns the named nodes in the lab's order, or every node
// with something to export.
func selectNodes(l *lab.Lab, names []string) ([]*lab.Node, error) {
	if len(names) == 0 {
		var out []*lab.Node
		for i := range l.Nodes {
			if hasFiles(&l.Nodes[i]) {
				out = append(out, &l.Nodes[i])
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("lab %s has no load balancer and no web server: nothing to export", l.Name)
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, name := range names {
		n, err := l.Node(name)
		if err != nil {
			return nil, err
		}
		if !hasFiles(n) {
			return nil, fmt.Errorf("node %s (role %s) has nothing to export: %s; export a load balancer or a web server", n.Name, n.Role, roleHasNothing(n.Role))
		}
		want[name] = true
	}
	var out []*lab.Node
	for i := range l.Nodes {
		if want[l.Nodes[i].Name] {
			out = append(out, &l.Nodes[i])
		}
	}
	return out, nil
}

// hasFiles reports whether a node has a file to export: load balancers
// and web servers, and any node with sysctls.
func hasFiles(n *lab.Node) bool {
	return n.Role == lab.RoleLB || n.Role == lab.RoleWeb || len(n.Sysctls) > 0
}

func roleHasNothing(r lab.Role) string {
	switch r {
	case lab.RoleClient:
		return "it runs halab's probe, which stands in for the tutorial's browser (on a real machine: curl the VIP)"
	default:
		return "it runs none of keepalived, HAProxy or nginx, and sets no sysctls"
	}
}

// node exports one node's files.
func (x *exporter) node(n *lab.Node) error {
	switch n.Role {
	case lab.RoleLB:
		if err := x.keepalived(n); err != nil {
			return err
		}
		if err := x.haproxy(n); err != nil {
			return err
		}
	case lab.RoleWeb:
		if err := x.nginx(n); err != nil {
			return err
		}
	}
	return x.sysctl(n)
}

// add records a file for node; a file already added (one several nodes
// share) gains the node. Two different files of one name are an error.
func (x *exporter) add(name string, data []byte, node string, p Placement) error {
	for i := range x.res.Placements {
		pl := &x.res.Placements[i]
		if pl.File != name {
			continue
		}
		if !bytes.Equal(x.res.Files[name], data) {
			return fmt.Errorf("node %s: its %s differs from the one exported for %s under the same name", node, name, strings.Join(pl.Nodes, ", "))
		}
		if !slices.Contains(pl.Nodes, node) {
			pl.Nodes = append(pl.Nodes, node)
		}
		return nil
	}
	p.File, p.Nodes = name, []string{node}
	x.res.Files[name] = data
	x.res.Placements = append(x.res.Placements, p)
	return nil
}

// note records notes, in the order of the files' text.
func (x *exporter) note(notes ...Note) {
	x.res.Notes = append(x.res.Notes, notes...)
}

// sourceLine is the line number at the end of "file:line", or 0.
func sourceLine(source string) int {
	i := strings.LastIndexByte(source, ':')
	if i < 0 {
		return 0
	}
	n := 0
	for _, c := range source[i+1:] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// configName names a component's configuration in notes and errors: its
// file relative to the lab file, or, for one written inline, the lab file
// and the key ("nopreempt.yaml (built-in) nodes.lb1.keepalived"; its lines
// count from the value's first).
func configName(l *lab.Lab, n *lab.Node, c *lab.Component) string {
	if c.ConfigSource != "" && c.ConfigSource != "inline" {
		return c.ConfigSource
	}
	key := "keepalived"
	if c.Kind == lab.ComponentProxy {
		key = "haproxy"
	}
	return fmt.Sprintf("%s nodes.%s.%s", l.Source, n.Name, key)
}
