package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/probe"
	"github.com/halab/halab/nodes/proxy"
	"github.com/halab/halab/nodes/web"
)

// labStatus is `halab status --json`: the recorded lab, what the kernel says
// of each node's interfaces, and what each component says of itself.
type labStatus struct {
	Name     string       `json:"name"`
	Provider string       `json:"provider"`
	Source   string       `json:"source"`
	Phase    string       `json:"phase"`
	Created  time.Time    `json:"created"`
	Nodes    []nodeStatus `json:"nodes"`
}

type nodeStatus struct {
	Name       string              `json:"name"`
	Role       string              `json:"role"`
	Namespace  string              `json:"namespace,omitempty"`
	Where      string              `json:"where"`
	Interfaces []lab.InterfaceInfo `json:"interfaces"`
	Error      string              `json:"error,omitempty"`
	Components []componentStatus   `json:"components"`
}

type componentStatus struct {
	Kind string `json:"kind"`
	// Engine is the real program that runs the component (keepalived,
	// haproxy, nginx); empty for halab's own.
	Engine  string          `json:"engine,omitempty"`
	PID     int             `json:"pid"`
	Running bool            `json:"running"`
	Ready   bool            `json:"ready"`
	Socket  string          `json:"socket"`
	Log     string          `json:"log"`
	Error   string          `json:"error,omitempty"`
	Detail  json.RawMessage `json:"detail,omitempty"`
	Summary string          `json:"summary,omitempty"`
	// status is the whole answer of the control socket.
	status control.Status
}

func newStatusCommand() *cobra.Command {
	var name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a running lab: nodes, interfaces and addresses, components and their state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names := lab.Running()
			if name != "" {
				names = []string{name}
			}
			var all []labStatus
			for _, n := range names {
				st, err := lab.LoadState(n)
				if name == "" && errors.Is(err, lab.ErrNoLab) {
					continue // removed since it was listed
				}
				if err != nil {
					return err
				}
				acc, err := lab.OpenAccess(st)
				if err != nil {
					return err
				}
				all = append(all, collectStatus(cmd.Context(), st, acc))
				acc.Close()
			}
			left := netns.Leftovers()
			if asJSON {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"labs": all, "leftovers": left})
			}
			if len(all) == 0 {
				fmt.Println("no lab is up; start one with `sudo halab up`")
			}
			for i, s := range all {
				if i > 0 {
					fmt.Println()
				}
				printStatus(os.Stdout, s)
			}
			if len(left) > 0 {
				fmt.Printf("\nleftovers of no recorded lab: %s\nremove them with `sudo halab down --all`\n", strings.Join(left, " "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "lab", "", "lab to show (default: every lab that is up)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

// runningLab loads the state of the lab called name, or of the only lab
// up when name is empty.
func runningLab(name string) (*lab.State, error) {
	n, err := lab.Resolve(name)
	if err != nil {
		return nil, err
	}
	return lab.LoadState(n)
}

// collectStatus asks the nodes' kernels and every component about a lab.
func collectStatus(ctx context.Context, st *lab.State, acc lab.Access) labStatus {
	out := labStatus{Name: st.Name, Provider: st.Provider, Source: st.Lab.Source, Phase: st.Phase, Created: st.Created}
	for _, ns := range st.Nodes {
		n := nodeStatus{Name: ns.Name, Namespace: ns.Namespace, Where: acc.Where(ns.Name)}
		node, err := st.Lab.Node(ns.Name)
		if err == nil {
			n.Role = string(node.Role)
		}
		ifaces, err := acc.Interfaces(ctx, ns.Name)
		if err != nil {
			n.Error = err.Error()
		}
		n.Interfaces = ifaces
		for _, c := range ns.Components {
			cs := componentStatus{Kind: c.Kind, PID: c.PID, Socket: c.Socket, Log: c.Log, Running: acc.Alive(ctx, ns.Name, c.PID)}
			if node != nil {
				if mc := node.Component(c.Kind); mc != nil {
					cs.Engine = mc.Engine
				}
			}
			sctx, cancel := context.WithTimeout(ctx, time.Second)
			s, err := acc.Control(ns.Name, c).Status(sctx, nil)
			cancel()
			if err != nil {
				cs.Error = err.Error()
			} else {
				cs.Ready, cs.Detail, cs.status = s.Ready, s.Detail, s
				cs.Summary = summarize(c.Kind, s.Detail)
			}
			n.Components = append(n.Components, cs)
		}
		out.Nodes = append(out.Nodes, n)
	}
	return out
}

// summarize says in one line what a component says of itself.
func summarize(kind string, detail json.RawMessage) string {
	switch kind {
	case lab.ComponentProbe:
		var p probe.Status
		if json.Unmarshal(detail, &p) != nil {
			return ""
		}
		s := fmt.Sprintf("%d req/s, %.1f %% ok (10 s)", p.Rate, 100*p.Last10s.Ratio)
		if p.LB != "" {
			s += " via " + p.LB
		}
		switch {
		case p.Current != nil:
			s += fmt.Sprintf(", OUTAGE for %s", time.Since(p.Current.Start).Round(10*time.Millisecond))
		case p.Last != nil:
			s += fmt.Sprintf(", last outage %.2f s (%d failed)", p.Last.Length.Seconds(), p.Last.Failed)
		}
		return s
	case lab.ComponentProxy:
		var px proxy.Status
		if json.Unmarshal(detail, &px) != nil {
			return ""
		}
		var parts []string
		for _, b := range px.Backends {
			up := 0
			for _, srv := range b.Servers {
				if srv.Up {
					up++
				}
			}
			parts = append(parts, fmt.Sprintf("%s %d/%d servers up, %d requests", b.Name, up, len(b.Servers), b.Requests))
		}
		return strings.Join(parts, "; ")
	case lab.ComponentWeb:
		var w web.Status
		if json.Unmarshal(detail, &w) != nil {
			return ""
		}
		return fmt.Sprintf("%d requests on %s", w.Requests, strings.Join(w.Listen, ","))
	}
	var d struct {
		Summary string `json:"summary"`
	}
	_ = json.Unmarshal(detail, &d)
	return d.Summary
}

func printStatus(w io.Writer, s labStatus) {
	fmt.Fprintf(w, "lab %s · %s · %s · up %s · from %s\n", s.Name, s.Provider, s.Phase,
		time.Since(s.Created).Round(time.Second), s.Source)
	if s.Provider == lab.ProviderSSH {
		var where []string
		for _, n := range s.Nodes {
			where = append(where, n.Name+" "+n.Where)
		}
		fmt.Fprintf(w, "machines: %s\n", strings.Join(where, " · "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tINTERFACES\tCOMPONENTS")
	for _, n := range s.Nodes {
		var ifs []string
		for _, i := range n.Interfaces {
			state := ""
			if !i.Up {
				state = " (down)"
			}
			ifs = append(ifs, fmt.Sprintf("%s %s%s", i.Name, strings.Join(i.Addresses, ","), state))
		}
		if n.Error != "" {
			ifs = []string{"! " + n.Error}
		}
		var comps []string
		for _, c := range n.Components {
			comps = append(comps, componentLine(c))
		}
		rows := max(len(ifs), len(comps), 1)
		for r := 0; r < rows; r++ {
			name, role := "", ""
			if r == 0 {
				name, role = n.Name, n.Role
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, role, at(ifs, r), at(comps, r))
		}
	}
	tw.Flush()
	printVRRP(w, s)
}

// componentLine says one component's state: "vrrp ● LB_VIP MASTER prio
// 103", with the real program that runs it when it is not halab's own
// ("vrrp (keepalived) ● …").
func componentLine(c componentStatus) string {
	kind := c.Kind
	if c.Engine != "" {
		kind += " (" + c.Engine + ")"
	}
	switch {
	case !c.Running:
		return fmt.Sprintf("%s ✕ not running (pid %d; log %s)", kind, c.PID, c.Log)
	case c.Error != "":
		return fmt.Sprintf("%s ? pid %d, control socket not answering", kind, c.PID)
	case !c.Ready:
		return fmt.Sprintf("%s … starting (pid %d)", kind, c.PID)
	case c.Summary != "":
		return fmt.Sprintf("%s ● %s", kind, c.Summary)
	default:
		return fmt.Sprintf("%s ● pid %d", kind, c.PID)
	}
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}
