package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/halab/halab/nodes/check"
)

func newCheckCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Health checks for vrrp_script lines (exit 0 = healthy)",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "process NAME",
		Short: "Is a process called NAME running on this node? (killall -0 NAME, for this network namespace only)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			ok, err := check.ProcessInNamespace(args[0])
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("no %s process on this node", args[0])
			}
			return nil
		},
	})
	return cmd
}
