package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

func newEventsCommand() *cobra.Command {
	var name string
	var asJSON bool
	var skipProbe bool
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Follow a running lab's events (VRRP states, VIP moves, backends, outages)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := runningLab(name)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			enc := json.NewEncoder(os.Stdout)
			for e := range lab.Watch(ctx, st) {
				if skipProbe && e.Kind == control.KindProbe {
					continue
				}
				if asJSON {
					if err := enc.Encode(e); err != nil {
						return err
					}
					continue
				}
				fmt.Println(e)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "lab", "", "lab to follow (default: the only lab up)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON event per line")
	cmd.Flags().BoolVar(&skipProbe, "no-buckets", false, "leave out the probe's 100 ms traffic buckets")
	return cmd
}

// followEvents prints a lab's events, without the probe's traffic buckets,
// until ctx is done.
func followEvents(ctx context.Context, st *lab.State, w io.Writer) {
	for e := range lab.Watch(ctx, st) {
		if e.Kind != control.KindProbe {
			fmt.Fprintln(w, e)
		}
	}
}
