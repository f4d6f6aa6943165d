package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/halab/halab/nodes/vrrp"
)

// printVRRP prints each VRRP instance's state, why it is in it, its timer
// and its advert counters: what keepalived's logs and stats would say.
func printVRRP(w io.Writer, s labStatus) {
	first := true
	for _, n := range s.Nodes {
		for _, c := range n.Components {
			if c.Kind != "vrrp" || len(c.Detail) == 0 {
				continue
			}
			var st vrrp.Status
			if json.Unmarshal(c.Detail, &st) != nil {
				continue
			}
			if first {
				fmt.Fprintln(w, "\nVRRP")
				first = false
			}
			for _, in := range st.Instances {
				engine := ""
				if c.Engine != "" {
					engine = ", real " + c.Engine
				}
				fmt.Fprintf(w, "  %-6s %-8s %-6s prio %d (base %d), v%d %s, %s → %s%s\n", n.Name, in.Name, in.State,
					in.Priority, in.BasePriority, in.Version, in.Auth, in.Source, strings.Join(in.Destinations, ","), engine)
				if t := in.LastTransition; t != nil {
					fmt.Fprintf(w, "         since %s: %s\n", t.At.Format("15:04:05.000"), t.Reason)
				}
				if in.State == "BACKUP" {
					line := "         no master heard"
					if in.Master != "" {
						line = fmt.Sprintf("         master %s (prio %d)", in.Master, in.MasterPriority)
					}
					if !in.MasterDown.IsZero() {
						line += fmt.Sprintf("; master down timer at %s (in %s)", in.MasterDown.Format("15:04:05.000"),
							time.Until(in.MasterDown).Round(10*time.Millisecond))
					}
					fmt.Fprintln(w, line)
				}
				if c.Engine != "" {
					// keepalived logs no advert counts (its SIGUSR2
					// statistics go to a file of the machine's).
					continue
				}
				fmt.Fprintf(w, "         adverts sent %d, received %d, dropped %s\n", in.Counters.Sent, in.Counters.Received, dropped(in.Counters.Dropped))
			}
		}
	}
}

func dropped(m map[string]uint64) string {
	if len(m) == 0 {
		return "0"
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
