package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/halab/halab/nodes/control"
	"github.com/halab/halab/nodes/vrrp"
	"github.com/halab/halab/nodes/vrrp/kaconf"
)

// Options configure an adapter run.
type Options struct {
	// Program is the real program's executable (found in PATH when empty).
	Program string
	// Config is its configuration file (keepalived.conf, haproxy.cfg); the
	// web server has none.
	Config string
	// Node names the node in events and on the web page.
	Node string
	// Dir holds the program's own files: pid files, HAProxy's stats
	// socket, nginx's configuration and temporary files.
	Dir string
	// Listen are the web server's addresses (nginx).
	Listen []string
	// Control receives the status, events and actions; never nil.
	Control *control.Server
	// Logger receives the adapter's own messages.
	Logger *slog.Logger
	// Output receives a copy of every line the program writes.
	Output io.Writer
}

// stopGrace is how long a program has to stop after its stop signal
// before it is killed; the lab's stop fault waits 10 s for the adapter.
const stopGrace = 8 * time.Second

// readyTimeout bounds the wait for a program to start serving.
const readyTimeout = 12 * time.Second

// RunKeepalived runs real keepalived in the foreground on the node and
// serves the VRRP component's control socket until ctx is done, then
// stops keepalived with SIGTERM (as `systemctl stop keepalived` does): a
// master sends priority 0 and releases its addresses.
//
// keepalived -n -l -D -G -P: no fork (the adapter is its parent), log to
// the console with details (the lines the adapter reads), not to syslog,
// VRRP only (the lab's configurations have no virtual_server). Its pid
// files go to Dir, fresh at each start: a killed keepalived's VRRP child
// may still be a zombie, and keepalived refuses to start beside a pid
// file whose process exists.
func RunKeepalived(ctx context.Context, o Options) error {
	cfg, err := kaconf.ParseFile(o.Config)
	if cfg == nil {
		return err // the file cannot be read; keepalived could not either
	}
	// keepalived is the judge of its configuration: halab's parser only
	// names the instances, addresses and scripts to report on.
	path, err := findProgram(o.Program, "keepalived", "keepalived")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return fmt.Errorf("keepalived: %w", err)
	}
	pids := map[string]string{"-p": "keepalived.pid", "-r": "vrrp.pid", "-c": "checkers.pid"}
	args := []string{"-n", "-l", "-D", "-G", "-P", "-f", o.Config}
	for _, flag := range []string{"-p", "-r", "-c"} {
		file := filepath.Join(o.Dir, pids[flag])
		if err := os.Remove(file); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("keepalived: remove stale %s: %w", file, err)
		}
		args = append(args, flag, file)
	}
	st := newKAState(cfg, primaryAddress)
	vips := vipAddresses(cfg)
	held := heldVIPs(vips)
	o.Control.SetStatus(func() any { return st.status(vrrp.HasAddress, linkUp) })

	proc, err := Start(Program{Path: path, Args: args, Dir: o.Dir, Stop: syscall.SIGTERM, Log: o.Output})
	if err != nil {
		return fmt.Errorf("keepalived: %w", err)
	}
	o.Logger.Info("started keepalived", "pid", proc.PID(), "config", o.Config)
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go watchVIPs(watchCtx, vips, held, o.Control, o.Logger)

	return supervise(ctx, proc, hooks{
		line: func(l Line) {
			for _, e := range st.apply(ParseKeepalivedLine(l.Text), l.At) {
				o.Control.Publish(e)
			}
		},
		ready: st.ready,
		onReady: func() {
			o.Control.SetReady(fmt.Sprintf("keepalived (pid %d) running %s", proc.PID(), st.names()))
		},
	})
}

// findProgram is the program to run: the one given, or name in PATH.
// pkg is the Debian package that installs it, for the message.
func findProgram(given, name, pkg string) (string, error) {
	if given != "" {
		return given, nil
	}
	path, err := lookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not installed on this node (%v); install the Debian package %s (sudo apt-get install %s), or run halab's own component", name, err, pkg, pkg)
	}
	return path, nil
}

// vipRef is a virtual address and the interface it goes on.
type vipRef struct {
	addr   netip.Addr
	ifname string
}

// vipAddresses lists every instance's virtual addresses.
func vipAddresses(cfg *kaconf.Config) []vipRef {
	var out []vipRef
	for _, in := range cfg.Instances {
		for _, v := range in.VirtualIPs {
			out = append(out, vipRef{v.Address.Addr(), in.VIPDevice(v)})
		}
	}
	return out
}

// heldVIPs says which of vips are on their interfaces now.
func heldVIPs(vips []vipRef) map[netip.Addr]bool {
	held := map[netip.Addr]bool{}
	for _, v := range vips {
		held[v.addr] = vrrp.HasAddress(v.ifname, v.addr)
	}
	return held
}

// watchVIPs publishes a vip event whenever keepalived adds or removes one
// of its virtual addresses, as the kernel reports it (keepalived's own
// "setting VIPs" line comes before the address is there).
func watchVIPs(ctx context.Context, vips []vipRef, held map[netip.Addr]bool, ctl *control.Server, log *slog.Logger) {
	if len(vips) == 0 {
		return
	}
	updates := make(chan netlink.AddrUpdate, 64)
	done := make(chan struct{})
	defer close(done)
	err := netlink.AddrSubscribeWithOptions(updates, done, netlink.AddrSubscribeOptions{
		ErrorCallback: func(err error) { log.Warn("address updates", "error", err) },
	})
	if err != nil {
		log.Error("cannot follow the node's addresses: no vip events", "error", err)
		return
	}
	// Addresses that changed between the first look and the subscription.
	for addr, was := range heldVIPs(vips) {
		if was != held[addr] {
			held[addr] = was
			publishVIP(ctl, vips, addr, was)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-updates:
			if !ok {
				return
			}
			addr, ok := netip.AddrFromSlice(u.LinkAddress.IP.To4())
			if !ok || u.LinkAddress.IP.To4() == nil {
				continue
			}
			was, watched := held[addr]
			if !watched || was == u.NewAddr {
				continue
			}
			held[addr] = u.NewAddr
			publishVIP(ctl, vips, addr, u.NewAddr)
		}
	}
}

func publishVIP(ctl *control.Server, vips []vipRef, addr netip.Addr, added bool) {
	ifname := ""
	for _, v := range vips {
		if v.addr == addr {
			ifname = v.ifname
		}
	}
	ctl.Publish(vrrp.VIPEvent(addr, ifname, added))
}

// linkUp reports whether an interface is up (keepalived's view: running).
func linkUp(ifname string) bool {
	ifi, err := net.InterfaceByName(ifname)
	return err == nil && ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagRunning != 0
}

// primaryAddress is an interface's first IPv4 address, keepalived's
// advert source without unicast_src_ip.
func primaryAddress(ifname string) string {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return ""
	}
	addrs, _ := ifi.Addrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
			return ipn.IP.String()
		}
	}
	return ""
}
