package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// EngineHalab is the engine of a component that halab runs itself (the
// default): `halab run KIND`.
const EngineHalab = "halab"

// Engine is a real program that can do a component's work in place of
// halab's own, with the same configuration file. halab runs it behind an
// adapter, `halab run ENGINE`, which starts the program in the foreground,
// reads what it says (logs, stats socket, addresses) and serves the
// component's control socket in the shape halab's own component has, so
// that status, the dashboard, faults and drills treat both alike.
type Engine struct {
	// Name is what a lab file says: `engine: {vrrp: keepalived}`. It is
	// also the adapter's `halab run` subcommand.
	Name string
	// Kind is the component it runs.
	Kind string
	// Program is the executable looked up on the node (in ProgramPath).
	Program string
	// Package is the Debian package that installs Program.
	Package string
}

// Engines are the real programs a lab can run.
var Engines = []Engine{
	{Name: "keepalived", Kind: ComponentVRRP, Program: "keepalived", Package: "keepalived"},
	{Name: "haproxy", Kind: ComponentProxy, Program: "haproxy", Package: "haproxy"},
	{Name: "nginx", Kind: ComponentWeb, Program: "nginx", Package: "nginx-light"},
}

// ProgramPath is the search path of components and of the programs they
// run (halab's own directory comes first in a component's PATH).
const ProgramPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// EngineByName returns the real program called name, or nil.
func EngineByName(name string) *Engine {
	for i := range Engines {
		if Engines[i].Name == name {
			return &Engines[i]
		}
	}
	return nil
}

// enginesFor lists the engines a component kind can have, halab first.
func enginesFor(kind string) []string {
	names := []string{EngineHalab}
	for _, e := range Engines {
		if e.Kind == kind {
			names = append(names, e.Name)
		}
	}
	return names
}

// Command is the `halab run` subcommand that runs the component: its kind,
// or the real program's adapter.
func (c Component) Command() string {
	if c.Engine != "" {
		return c.Engine
	}
	return c.Kind
}

// Place is where a lab file says something, for problems found after the
// file was read (a program missing on the machine that runs the lab).
type Place struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func (p *problems) place(at pos) *Place {
	return &Place{File: p.file, Line: at.line, Column: at.col}
}

// buildEngines checks a node's `engine:` mapping (component kind → engine)
// and records the engines on its components. Real programs run in netns
// labs only: on a machine reached over SSH, halab's crash and down find
// the processes it started by the binary they run, which a real program
// is not.
func buildEngines(n *Node, raw map[string]string, provider string, at positions, ps *problems) {
	p := "nodes." + n.Name + ".engine"
	kinds := make([]string, len(n.Components))
	for i, c := range n.Components {
		kinds[i] = c.Kind
	}
	for _, kind := range sortedKeys(raw) {
		name := raw[kind]
		c := n.Component(kind)
		switch {
		case !slices.Contains([]string{ComponentVRRP, ComponentProxy, ComponentWeb, ComponentProbe}, kind):
			ps.at(at.get(p+"."+kind+"#key"), "node %s: engine: %q is not a component; components are vrrp, proxy (role lb), web (role web) and probe (role client)", n.Name, kind)
			continue
		case c == nil:
			runs := "nothing"
			if len(kinds) > 0 {
				runs = strings.Join(kinds, " and ")
			}
			ps.at(at.get(p+"."+kind+"#key"), "node %s: engine for %s, but role %s runs no %s (this node runs %s); remove the line", n.Name, kind, n.Role, kind, runs)
			continue
		}
		known := enginesFor(kind)
		if !slices.Contains(known, name) {
			ps.at(at.get(p+"."+kind), "node %s: %s engine %q is not supported; supported: %s", n.Name, kind, name, strings.Join(known, ", "))
			continue
		}
		if name == EngineHalab {
			continue
		}
		if provider == ProviderSSH {
			ps.at(at.get(p+"."+kind), "node %s: %s engine %s: real programs run in netns labs only; on machines reached over SSH, run %s yourself (`halab config export` writes its files) or use `%s: halab`", n.Name, kind, name, name, kind)
			continue
		}
		c.Engine, c.EngineAt = name, ps.place(at.get(p+"."+kind))
		if name == "keepalived" {
			checkKeepalivedConfig(n.Name, c, at.get(p+"."+kind), ps)
		}
	}
}

// checkKeepalivedConfig refuses what real keepalived cannot do in a lab
// node: vrrp_track_process. keepalived follows processes through the
// kernel's process connector, which answers only in the machine's initial
// network namespace; in a node, keepalived 2.2.7 logs "Failed to set/clear
// process event listen - errno 111" and holds a weight-0 instance in FAULT
// with the process running.
func checkKeepalivedConfig(node string, c *Component, at pos, ps *problems) {
	cfg, _ := kaconf.Parse(c.ConfigSource, c.Config)
	if cfg == nil || len(cfg.Processes) == 0 {
		return
	}
	names := make([]string, len(cfg.Processes))
	for i, p := range cfg.Processes {
		names[i] = p.Name
	}
	ps.at(at, "node %s: real keepalived cannot follow vrrp_track_process %s in a lab node (its process connector works only in the machine's initial network namespace, so the instance would stay in FAULT); track the process with a vrrp_script running `halab check process NAME`, as the seed lab does, or use `vrrp: halab`",
		node, strings.Join(names, ", "))
}

// CheckEngines reports every real program the lab's nodes name that this
// machine lacks, at the place the lab file names it, with the Debian
// package to install. A netns lab runs every node on this machine, so
// `halab up` and `halab validate` call it before anything is built.
func (l *Lab) CheckEngines(find func(program string) (string, error)) error {
	ps := &problems{}
	for _, n := range l.Nodes {
		for _, c := range n.Components {
			e := EngineByName(c.Engine)
			if e == nil {
				continue
			}
			if _, err := find(e.Program); err == nil {
				continue
			}
			p := Problem{Message: fmt.Sprintf("node %s: %s engine %s: %s is not installed on this machine (not in %s); install the Debian package %s (sudo apt-get install %s), or remove the line to run halab's own %s",
				n.Name, c.Kind, e.Name, e.Program, ProgramPath, e.Package, e.Package, c.Kind)}
			if c.EngineAt != nil {
				p.File, p.Line, p.Column = c.EngineAt.File, c.EngineAt.Line, c.EngineAt.Column
			} else {
				p.File = l.Source
			}
			ps.list = append(ps.list, p)
		}
	}
	return ps.err()
}

// FindProgram looks program up in ProgramPath, as a component's adapter
// will: an executable regular file.
func FindProgram(program string) (string, error) {
	for _, dir := range filepath.SplitList(ProgramPath) {
		p := filepath.Join(dir, program)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", program, errNotInstalled)
}

var errNotInstalled = errors.New("not found in " + ProgramPath)
