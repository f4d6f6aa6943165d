package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/probe"
	"github.com/halab/halab/nodes/proxy"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/nodes/web"
)

// componentFlags are the flags every `halab run` component shares.
type componentFlags struct {
	node    string
	control string
	debug   bool
}

func (f *componentFlags) register(cmd *cobra.Command) {
	host, _ := os.Hostname()
	cmd.Flags().StringVar(&f.node, "node", host, "this node's name in the lab")
	cmd.Flags().StringVar(&f.control, "control", "", "serve the control socket (status, events, actions) at this path")
	cmd.Flags().BoolVar(&f.debug, "debug", false, "log debug messages")
}

func newRunCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run COMPONENT",
		Short: "Run one lab component in the foreground (what a lab starts on each node)",
		Long: `run starts one component in the current network namespace, as keepalived -f
or haproxy -f would: it logs to stderr, serves an optional control socket,
and stops gracefully on SIGTERM or SIGINT. Components run alone on any Linux
host; in a lab, halab starts them on each node.`,
	}
	cmd.AddCommand(newRunVRRP(), newRunProxy(), newRunWeb(), newRunProbe())
	cmd.AddCommand(newRunEngines()...)
	return cmd
}

// runComponent sets the process name to halab-KIND (so `ps` and track
// scripts see which component a process is), serves the control socket and
// runs fn until SIGTERM/SIGINT.
func runComponent(kind string, f componentFlags, fn func(ctx context.Context, ctl *control.Server, log *slog.Logger) error) error {
	return runNamed("halab-"+kind, kind, f, fn)
}

// runNamed is runComponent with the process name procName: the adapter of
// a real program is not the component's own process (see check.SameComponent).
func runNamed(procName, kind string, f componentFlags, fn func(ctx context.Context, ctl *control.Server, log *slog.Logger) error) error {
	if name, err := unix.BytePtrFromString(procName); err == nil {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0)
	}
	level := slog.LevelInfo
	if f.debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("node", f.node)
	ctl := control.NewServer(f.node, kind)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	served := make(chan error, 1)
	serveCtx, stopServing := context.WithCancel(context.Background())
	defer stopServing()
	if f.control != "" {
		ln, err := control.Listen(f.control)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		if err := shareControlSocket(f.control); err != nil {
			ln.Close()
			return fmt.Errorf("%s: %w", kind, err)
		}
		go func() { served <- ctl.Serve(serveCtx, ln) }()
	} else {
		served <- nil
	}
	log.Info("starting", "component", kind, "pid", os.Getpid())
	err := fn(ctx, ctl, log)
	// Give event readers a moment to see the last events, then close.
	time.Sleep(50 * time.Millisecond)
	stopServing()
	if serr := <-served; serr != nil {
		err = errors.Join(err, serr)
	}
	if err != nil {
		log.Error("stopped", "error", err)
		return fmt.Errorf("%s: %w", kind, err)
	}
	log.Info("stopped")
	return nil
}

func newRunVRRP() *cobra.Command {
	return newRunConfigured("vrrp", "vrrp -f keepalived.conf", "The VRRP daemon, configured like keepalived",
		"/etc/keepalived/keepalived.conf", "keepalived.conf to read",
		func(ctx context.Context, config, node string, ctl *control.Server, log *slog.Logger) error {
			return vrrp.Run(ctx, vrrp.Options{ConfigPath: config, Node: node, Control: ctl, Logger: log})
		})
}

func newRunProxy() *cobra.Command {
	return newRunConfigured("proxy", "proxy -f haproxy.cfg", "The proxy, configured like HAProxy",
		"/etc/haproxy/haproxy.cfg", "haproxy.cfg to read",
		func(ctx context.Context, config, node string, ctl *control.Server, log *slog.Logger) error {
			return proxy.Run(ctx, proxy.Options{ConfigPath: config, Node: node, Control: ctl, Logger: log})
		})
}

// newRunConfigured is `halab run KIND -f CONFIG` for a component that reads
// the configuration file of the program it stands in for.
func newRunConfigured(kind, use, short, defaultConfig, configHelp string,
	run func(ctx context.Context, config, node string, ctl *control.Server, log *slog.Logger) error) *cobra.Command {
	var f componentFlags
	var config string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return runComponent(kind, f, func(ctx context.Context, ctl *control.Server, log *slog.Logger) error {
				return run(ctx, config, f.node, ctl, log)
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&config, "file", "f", defaultConfig, configHelp)
	return cmd
}

func newRunWeb() *cobra.Command {
	var f componentFlags
	var listen string
	cmd := &cobra.Command{
		Use:   "web --listen ADDR:PORT[,…]",
		Short: "The web server (the lab's nginx): a page naming its node, /healthz",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return runComponent("web", f, func(ctx context.Context, ctl *control.Server, log *slog.Logger) error {
				return web.Run(ctx, web.Options{Listen: splitList(listen), Node: f.node, Control: ctl, Logger: log})
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&listen, "listen", ":80", "addresses to serve on, comma-separated")
	return cmd
}

func newRunProbe() *cobra.Command {
	var f componentFlags
	var target, peers string
	var rate int
	var timeout, bucket, duration time.Duration
	var maxRequests int64
	cmd := &cobra.Command{
		Use:   "probe --target URL",
		Short: "The client probe: requests at a fixed rate, one new connection each; measures outage",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			names, err := parsePeers(peers)
			if err != nil {
				return err
			}
			return runComponent("probe", f, func(ctx context.Context, ctl *control.Server, log *slog.Logger) error {
				return probe.Run(ctx, probe.Options{
					Target: target, Rate: rate, Timeout: timeout, Bucket: bucket,
					Duration: duration, MaxRequests: maxRequests, PeerNames: names,
					Control: ctl, Logger: log,
				})
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&target, "target", "", "URL to request (the VIP)")
	cmd.Flags().IntVar(&rate, "rate", 100, "requests per second (1-1000)")
	cmd.Flags().DurationVar(&timeout, "timeout", 300*time.Millisecond, "a request slower than this failed")
	cmd.Flags().DurationVar(&bucket, "bucket", 100*time.Millisecond, "width of the aggregation buckets")
	cmd.Flags().DurationVar(&duration, "duration", 24*time.Hour, "stop after this long")
	cmd.Flags().Int64Var(&maxRequests, "max-requests", 0, "stop after this many requests (0: only --duration bounds it)")
	cmd.Flags().StringVar(&peers, "peer-names", "", "name the load balancers by the address the web server sees: 192.168.10.101=lb1,…")
	_ = cmd.MarkFlagRequired("target")
	return cmd
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parsePeers(s string) (map[string]string, error) {
	names := map[string]string{}
	for _, pair := range splitList(s) {
		addr, name, ok := strings.Cut(pair, "=")
		if !ok || addr == "" || name == "" {
			return nil, fmt.Errorf("--peer-names: %q is not ADDRESS=NAME", pair)
		}
		names[addr] = name
	}
	return names, nil
}

// ControlUIDEnv names the user (by uid) who may use a component's control
// socket besides root: on a machine halab reaches over SSH as a user with
// sudo, the socket is forwarded by that user's sshd session.
const ControlUIDEnv = "HALAB_CONTROL_UID"

// shareControlSocket gives the socket to the user ControlUIDEnv names.
func shareControlSocket(path string) error {
	v := os.Getenv(ControlUIDEnv)
	if v == "" {
		return nil
	}
	uid, err := strconv.Atoi(v)
	if err != nil || uid < 0 {
		return fmt.Errorf("%s=%q is not a uid", ControlUIDEnv, v)
	}
	if err := os.Chown(path, uid, -1); err != nil {
		return fmt.Errorf("control socket %s: give it to uid %d: %w", path, uid, err)
	}
	return nil
}
