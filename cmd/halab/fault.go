package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
)

func newFaultCommand() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "fault FAULT…",
		Short: "Break (or mend) a running lab: crash, restore, kill, stop, start, link, partition, loss, delay, heal",
		Long: `fault applies one fault to a running lab. A dashboard watching the lab shows
it as it lands, whichever shell it came from.

  crash NODE               power a node off: kill its processes, drop its VIPs, links down
  restore NODE             power it on again: links up, components started
  kill NODE COMPONENT      SIGKILL one component (vrrp, proxy, web, probe)
  stop NODE COMPONENT      stop it gracefully (SIGTERM)
  start NODE COMPONENT     start it again
  link NODE IFACE down|up  pull or plug one cable
  partition NODE NODE      drop all traffic between two nodes (nftables)
  loss NODE IFACE PERCENT  drop a share of the packets on a link (nftables)
  delay NODE IFACE MS      delay packets on a link (needs netem in the kernel)
  heal                     remove every partition, loss and delay`,
		Example: `  sudo halab fault crash lb1
  sudo halab fault kill lb1 proxy
  sudo halab fault partition lb1 lb2
  sudo halab fault heal`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := lab.ParseFault(args)
			if err != nil {
				return err
			}
			st, acc, err := lab.OpenRunning(name)
			if err != nil {
				return err
			}
			defer acc.Close()
			if err := acc.Apply(cmd.Context(), st, f); err != nil {
				return err
			}
			fmt.Printf("%s: %s\n", st.Name, f)
			if len(st.Faults) > 0 {
				var active []string
				for _, a := range st.Faults {
					active = append(active, a.String())
				}
				fmt.Printf("faults in force: %s\n", strings.Join(active, "; "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "lab", "", "lab to break (default: the only lab up)")
	return cmd
}
