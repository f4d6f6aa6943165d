package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

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
			st, acc, err := lab.OpenRunning(name)
			if err != nil {
				return err
			}
			defer acc.Close()
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			return followEvents(ctx, st, acc, os.Stdout, !skipProbe, asJSON)
		},
	}
	cmd.Flags().StringVar(&name, "lab", "", "lab to follow (default: the only lab up)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON event per line")
	cmd.Flags().BoolVar(&skipProbe, "no-buckets", false, "leave out the probe's 100 ms traffic buckets")
	return cmd
}

// followEvents prints a lab's events, one line (or one JSON object) each,
// with or without the probe's 100 ms traffic buckets, until ctx is done.
func followEvents(ctx context.Context, st *lab.State, acc lab.Access, w io.Writer, buckets, asJSON bool) error {
	enc := json.NewEncoder(w)
	for e := range lab.Watch(ctx, st, acc) {
		if !buckets && e.Kind == control.KindProbe {
			continue
		}
		if asJSON {
			if err := enc.Encode(e); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintln(w, e)
	}
	return nil
}
