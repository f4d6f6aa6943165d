package export

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/halab/halab/lab"
)

// nginx exports web server n's site: a server block that does what halab's
// web server does on n. It answers "/" with a page naming the web server
// and what the load balancer told it, "/healthz" with "ok", and anything
// else with 404; every answer carries halab's X-Halab-Web (the web
// server's name) and X-Halab-Peer (who connected) headers.
func (x *exporter) nginx(n *lab.Node) error {
	listens, err := webListens(n)
	if err != nil {
		return err
	}
	var w writer
	w.comment(
		NginxPath+" on "+n.Name+".",
		"",
		fmt.Sprintf("Exported by `halab config export` from the lab %s: what halab's web server does on %s, for nginx. It replaces the default site of Debian's and Ubuntu's nginx package, which nginx.conf includes through /etc/nginx/sites-enabled/default, a link to this file. Check it with `nginx -t`, then: systemctl restart nginx.", x.lab.Name, n.Name),
		"",
	)
	w.open("server")
	for _, l := range listens {
		w.comment(l.why)
		w.line("listen " + l.addr + " default_server;")
	}
	w.line("server_name _;")
	w.line("")
	w.comment("Every answer names the web server and who connected to it (a load balancer), in the headers halab's web server sends.")
	w.line("add_header X-Halab-Web " + n.Name + " always;")
	w.line("add_header X-Halab-Peer $remote_addr always;")
	w.line("")
	w.comment("The page says which web server answered. Plain text: X-Forwarded-For is the client's to write, and is not HTML-escaped here.")
	w.open("location = /")
	w.line("default_type text/plain;")
	w.line(fmt.Sprintf(`return 200 "%s answered (nginx on %s)\nconnected from: $remote_addr\nX-Forwarded-For: $http_x_forwarded_for\n";`, n.Name, strings.Join(nodeAddrs(n), ", ")))
	w.close()
	w.comment("halab's web server answers health checks here too.")
	w.open("location = /healthz")
	w.line("default_type text/plain;")
	w.line(`return 200 "ok\n";`)
	w.close()
	w.open("location /")
	w.line("return 404;")
	w.close()
	w.close()
	return x.add(n.Name+".nginx.conf", []byte(w.String()), n.Name, Placement{
		Path:  NginxPath,
		Check: "nginx -t",
		Apply: "systemctl restart nginx",
	})
}

// listen is one nginx listen address and why it is written so.
type listen struct{ addr, why string }

// webListens turns the addresses halab's web server listens on (its
// --listen flag) into nginx listen addresses: a port served on every
// address of the node becomes that port alone, so that nginx also starts
// before the addresses are up; other addresses stay as they are.
func webListens(n *lab.Node) ([]listen, error) {
	c := n.Component(lab.ComponentWeb)
	if c == nil {
		return nil, fmt.Errorf("web server %s has no web component", n.Name)
	}
	i := slices.Index(c.Args, "--listen")
	if i < 0 || i+1 >= len(c.Args) {
		return nil, fmt.Errorf("web server %s: its web component has no --listen addresses", n.Name)
	}
	byPort := map[uint16][]netip.Addr{}
	var ports []uint16
	for _, s := range strings.Split(c.Args[i+1], ",") {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return nil, fmt.Errorf("web server %s: listen address %q: %w", n.Name, s, err)
		}
		if _, seen := byPort[ap.Port()]; !seen {
			ports = append(ports, ap.Port())
		}
		byPort[ap.Port()] = append(byPort[ap.Port()], ap.Addr())
	}
	all := nodeAddrs(n)
	var out []listen
	for _, port := range ports {
		addrs := byPort[port]
		var names []string
		wildcard := false
		for _, a := range addrs {
			names = append(names, a.String())
			wildcard = wildcard || a.IsUnspecified()
		}
		slices.Sort(names)
		if wildcard || slices.Equal(names, all) {
			out = append(out, listen{
				addr: fmt.Sprint(port),
				why:  fmt.Sprintf("halab's web server listens on port %d of every address %s has (%s): so does this.", port, n.Name, strings.Join(names, ", ")),
			})
			continue
		}
		for _, a := range addrs {
			out = append(out, listen{
				addr: netip.AddrPortFrom(a, port).String(),
				why:  fmt.Sprintf("As halab's web server: this address only. nginx fails to start while %s is not up.", a),
			})
		}
	}
	return out, nil
}

// nodeAddrs lists a node's interface addresses, sorted.
func nodeAddrs(n *lab.Node) []string {
	var out []string
	for _, i := range n.Interfaces {
		if i.Address.IsValid() {
			out = append(out, i.Address.Addr().String())
		}
	}
	slices.Sort(out)
	return out
}
