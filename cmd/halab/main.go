// Command halab builds, runs and breaks high-availability web labs: two
// load balancers sharing a virtual IP through VRRP in front of web servers,
// with halab's own keepalived-compatible VRRP daemon, HAProxy-compatible
// proxy, web server and client probe. See README.md.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
)

func main() {
	root := newRootCommand()
	if err := root.Execute(); err != nil {
		if ex, ok := err.(exitCode); ok {
			os.Exit(int(ex)) // a command's own status (halab exec), already explained by it
		}
		var ve *lab.ValidationError
		if errors.As(err, &ve) {
			fmt.Fprintf(os.Stderr, "halab: the lab file has %s", ve.Error())
			fmt.Fprintln(os.Stderr)
		} else {
			fmt.Fprintln(os.Stderr, "halab:", err)
		}
		var ex exitCode
		if errors.As(err, &ex) {
			os.Exit(int(ex))
		}
		os.Exit(1)
	}
}

// exitCode is an error that carries the process exit status it asks for.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "halab",
		Short: "Build, watch and break high-availability web labs",
		Long: `halab builds the classic HA web lab — a client, two load balancers sharing a
virtual IP through VRRP, and a web server — as network namespaces on this
machine (or, with a lab file saying provider: ssh, on existing machines
reached over SSH), runs its own keepalived-compatible VRRP daemon, HAProxy-compatible
proxy, web server and client probe in it, and lets you break it and watch.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		// With no verb: the lab manager (built-in labs, lab files here, labs
		// running now; start, attach, stop).
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			return runHome(ctx)
		},
	}
	root.AddCommand(
		newUpCommand(),
		newDownCommand(),
		newStatusCommand(),
		newUICommand(),
		newEventsCommand(),
		newExecCommand(),
		newFaultCommand(),
		newDrillCommand(),
		newValidateCommand(),
		newLabsCommand(),
		newRunCommand(),
		newCheckCommand(),
		newConfigCommand(),
		newInventoryCommand(),
		newLearnCommand(),
	)
	return root
}
