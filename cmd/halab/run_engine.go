package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/engine"
)

// engineRunners are the adapters of the real programs, by engine name.
var engineRunners = map[string]func(context.Context, engine.Options) error{
	"keepalived": engine.RunKeepalived,
	"haproxy":    engine.RunHAProxy,
	"nginx":      engine.RunNginx,
}

// newRunEngines makes `halab run keepalived|haproxy|nginx`: the real
// program in the foreground, behind the component's control socket.
func newRunEngines() []*cobra.Command {
	var cmds []*cobra.Command
	for _, e := range lab.Engines {
		cmds = append(cmds, newRunEngine(e))
	}
	return cmds
}

func newRunEngine(e lab.Engine) *cobra.Command {
	var f componentFlags
	var config, dir, listen, program string
	use := e.Name + " -f CONFIG"
	if e.Kind == lab.ComponentWeb {
		use = e.Name + " --listen ADDR:PORT[,…]"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: fmt.Sprintf("Real %s as the %s component: started in the foreground, read and served on the control socket", e.Program, e.Kind),
		Long: fmt.Sprintf(`%s runs the real %s (Debian package %s) in the foreground in the current
network namespace, as a lab node's %s component: the control socket
reports it in the shape halab's own %s does, its output goes to this
process's, and it stops when this process is asked to stop (and dies when
this process dies).`, e.Name, e.Program, e.Package, e.Kind, e.Kind),
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			run := engineRunners[e.Name]
			if run == nil {
				return fmt.Errorf("no adapter for %s", e.Name)
			}
			if dir == "" {
				base := "."
				if f.control != "" {
					base = filepath.Dir(f.control)
				}
				dir = filepath.Join(base, e.Name)
			}
			if abs, err := filepath.Abs(dir); err == nil {
				dir = abs
			}
			if config != "" {
				if abs, err := filepath.Abs(config); err == nil {
					config = abs
				}
			}
			// The adapter's name, not the component's: `halab check
			// process halab-proxy` must not take it for the proxy.
			procName := "halab-" + e.Name
			return runNamed(procName, e.Kind, f, func(ctx context.Context, ctl *control.Server, log *slog.Logger) error {
				return run(ctx, engine.Options{Program: program, Config: config, Node: f.node, Dir: dir,
					Listen: splitList(listen), Control: ctl, Logger: log, Output: os.Stderr})
			})
		},
	}
	f.register(cmd)
	if e.Kind == lab.ComponentWeb {
		cmd.Flags().StringVar(&listen, "listen", ":80", "addresses to serve on, comma-separated")
	} else {
		cmd.Flags().StringVarP(&config, "file", "f", "", e.Program+"'s configuration file")
		_ = cmd.MarkFlagRequired("file")
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory for the program's own files (default: "+e.Name+"/ beside the control socket)")
	cmd.Flags().StringVar(&program, "program", "", "the program's executable (default: "+e.Program+" in PATH)")
	return cmd
}
