package netns

import (
	"context"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/check"
	"github.com/halab/halab/nodes/control"
)

func init() {
	lab.RegisterAccess(lab.ProviderNetns, func(st *lab.State) (lab.Access, error) {
		return &Access{labName: st.Name}, nil
	})
}

// Access reaches a netns lab from this machine: control sockets are files
// in the lab directory, processes are this kernel's, interfaces are read
// through netlink in the node's namespace.
type Access struct {
	Provider
	labName string
}

var _ lab.Access = (*Access)(nil)

// Control is a client for the component's unix socket.
func (a *Access) Control(_ string, c lab.ComponentState) *control.Client {
	return control.NewClient(c.Socket)
}

// Alive says whether pid runs (a zombie does not).
func (a *Access) Alive(_ context.Context, _ string, pid int) bool { return check.ProcessAlive(pid) }

// Interfaces reads node's interfaces through netlink in its namespace.
func (a *Access) Interfaces(_ context.Context, node string) ([]lab.InterfaceInfo, error) {
	return Interfaces(a.labName, node)
}

// Where is the node's namespace.
func (a *Access) Where(node string) string { return NamespaceName(a.labName, node) }

// Close does nothing: a netns lab holds nothing open.
func (a *Access) Close() error { return nil }
