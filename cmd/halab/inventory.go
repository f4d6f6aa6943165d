package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	sshlab "github.com/halab/halab/lab/ssh"
)

func newInventoryCommand() *cobra.Command {
	inv := &cobra.Command{
		Use:   "inventory",
		Short: "Write the ssh part of a lab file from an existing inventory",
	}
	var out string
	from := &cobra.Command{
		Use:   "from-vagrant [FILE|-]",
		Short: "Turn `vagrant ssh-config` output into the ssh: and nodes: part of a lab file",
		Long: `from-vagrant reads the output of ` + "`vagrant ssh-config`" + ` (from FILE, or standard
input) and writes each machine's host, port, user and key as the ssh part
of a halab lab file with provider: ssh. Add the networks, the VIP and each
node's role and interfaces, then ` + "`halab up -f FILE --accept-new-host-keys`" + ` the
first time: Vagrant turns host key checking off, halab does not.`,
		Example: `  vagrant ssh-config | halab inventory from-vagrant
  vagrant ssh-config > vms.txt && halab inventory from-vagrant vms.txt -o vmlab.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			source, in := "standard input", io.Reader(os.Stdin)
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				source, in = args[0], f
			}
			data, err := io.ReadAll(io.LimitReader(in, 1<<20))
			if err != nil {
				return fmt.Errorf("read %s: %w", source, err)
			}
			hosts, err := sshlab.ParseSSHConfig(source, data)
			if err != nil {
				return err
			}
			text, err := sshlab.InventoryYAML("`vagrant ssh-config` ("+source+")", hosts)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = os.Stdout.WriteString(text)
				return err
			}
			if _, err := os.Stat(out); err == nil {
				return fmt.Errorf("%s exists; halab does not overwrite a lab file: choose another -o or remove it", out)
			}
			if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "wrote the ssh part for %d machine(s) to %s\n", len(hosts), out)
			return nil
		},
	}
	from.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	inv.AddCommand(from)
	return inv
}
