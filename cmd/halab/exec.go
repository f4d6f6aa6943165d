package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
	sshlab "github.com/halab/halab/lab/ssh"
)

func newExecCommand() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "exec NODE -- COMMAND [ARGS…]",
		Short: "Run a command inside a node of a running lab (like ip netns exec; over SSH on an ssh lab)",
		Example: `  sudo halab exec lb1 -- ip --brief addr
  sudo halab exec client -- curl -s http://172.16.0.200/
  sudo halab exec web1 -- bash`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := runningLab(name)
			if err != nil {
				return err
			}
			argv := args[1:]
			if len(argv) > 0 && argv[0] == "--" {
				argv = argv[1:]
			}
			if st.Provider == lab.ProviderSSH {
				code, err := sshlab.Exec(cmd.Context(), st, args[0], argv, os.Stdin, os.Stdout, os.Stderr)
				if err != nil {
					return err
				}
				if code != 0 {
					return exitCode(code)
				}
				return nil
			}
			return netns.Exec(st, args[0], argv)
		},
	}
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().StringVar(&name, "lab", "", "lab the node belongs to (default: the only lab up)")
	return cmd
}
