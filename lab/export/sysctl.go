package export

import (
	"fmt"

	"github.com/halab/halab/lab"
)

// sysctlWhy says why the tutorial's load balancers set a kernel setting.
var sysctlWhy = map[string]string{
	"net.ipv4.ip_nonlocal_bind": "Lets HAProxy bind the VIP on the load balancer that does not hold it (the backup), so that it already listens when keepalived moves the VIP there.",
	"net.ipv4.ip_forward":       "The tutorial's sed on /etc/sysctl.conf. HAProxy proxies, opening its own connections to the web server, so nothing is routed; it stays as the tutorial has it.",
}

// sysctl exports the node's sysctls as a sysctl.d file, in the lab's
// order (by name), as `sysctl --system` reads it at boot and on demand.
func (x *exporter) sysctl(n *lab.Node) error {
	if len(n.Sysctls) == 0 {
		return nil
	}
	var w writer
	w.comment(
		SysctlPath+" on "+n.Name+".",
		"",
		fmt.Sprintf("Exported by `halab config export` from the lab %s: the kernel settings the lab gives %s. systemd-sysctl applies the files in /etc/sysctl.d at every boot; `sysctl -p FILE` applies one now.", x.lab.Name, n.Name),
		"",
	)
	for _, s := range n.Sysctls {
		if why := sysctlWhy[s.Key]; why != "" {
			w.comment(why)
		}
		w.line(s.Key + " = " + s.Value)
	}
	return x.add(n.Name+".sysctl.conf", []byte(w.String()), n.Name, Placement{
		Path:  SysctlPath,
		Apply: "sysctl -p " + SysctlPath,
	})
}
