package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/nodes/control"
)

func init() {
	lab.RegisterAccess(lab.ProviderSSH, func(st *lab.State) (lab.Access, error) {
		if st.Lab == nil {
			return nil, fmt.Errorf("lab %s: its state has no lab model", st.Name)
		}
		return newAccess(st.Lab, dialOptions{}), nil
	})
}

// Access reaches an ssh lab's machines: one SSH connection per node,
// opened when first needed and opened again when it broke. Control sockets
// are reached through direct-streamlocal forwarding on that connection.
type Access struct {
	lab  *lab.Lab
	opts dialOptions

	mu       sync.Mutex
	machines map[string]*machine
	dialing  map[string]*sync.Mutex
}

var _ lab.Access = (*Access)(nil)

func newAccess(l *lab.Lab, o dialOptions) *Access {
	return &Access{lab: l, opts: o, machines: map[string]*machine{}, dialing: map[string]*sync.Mutex{}}
}

// machine returns the connection to node, connecting when there is none.
// The facts of a new connection are gathered so that sudo is known.
func (a *Access) machine(ctx context.Context, node string) (*machine, error) {
	a.mu.Lock()
	if m := a.machines[node]; m != nil {
		a.mu.Unlock()
		return m, nil
	}
	lock := a.dialing[node]
	if lock == nil {
		lock = &sync.Mutex{}
		a.dialing[node] = lock
	}
	a.mu.Unlock()
	lock.Lock()
	defer lock.Unlock()
	a.mu.Lock()
	if m := a.machines[node]; m != nil {
		a.mu.Unlock()
		return m, nil
	}
	a.mu.Unlock()
	m, _, err := a.connect(ctx, node)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// connect dials node, learns its facts and keeps the connection.
func (a *Access) connect(ctx context.Context, node string) (*machine, *facts, error) {
	n, err := a.lab.Node(node)
	if err != nil {
		return nil, nil, err
	}
	if n.SSH == nil {
		return nil, nil, fmt.Errorf("%s: the lab gives no ssh host for it", node)
	}
	client, err := dial(ctx, node, *n.SSH, a.opts)
	if err != nil {
		return nil, nil, err
	}
	m := &machine{node: node, target: *n.SSH, client: client}
	f, err := gatherFacts(ctx, m)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	a.mu.Lock()
	a.machines[node] = m
	a.mu.Unlock()
	go func() {
		_ = client.Wait() // the connection broke or was closed: dial again next time
		a.mu.Lock()
		if a.machines[node] == m {
			delete(a.machines, node)
		}
		a.mu.Unlock()
	}()
	return m, f, nil
}

// Control is a client for a component's control socket on its machine,
// through the node's SSH connection (direct-streamlocal@openssh.com).
func (a *Access) Control(node string, c lab.ComponentState) *control.Client {
	client := control.NewClient(c.Socket)
	client.Dial = func(ctx context.Context) (net.Conn, error) {
		m, err := a.machine(ctx, node)
		if err != nil {
			return nil, err
		}
		conn, err := m.client.Dial("unix", c.Socket)
		if err != nil {
			return nil, fmt.Errorf("%s: reach %s through SSH: %w", node, c.Socket, err)
		}
		return conn, nil
	}
	return client
}

// Alive says whether pid runs on node and is not a zombie.
func (a *Access) Alive(ctx context.Context, node string, pid int) bool {
	m, err := a.machine(ctx, node)
	if err != nil || pid <= 0 {
		return false
	}
	p := "/proc/" + strconv.Itoa(pid)
	_, err = m.runAsUser(ctx, "check pid", "[ -e "+p+" ] && ! grep -q '^State:.*Z' "+p+"/status")
	return err == nil
}

// Interfaces reads the node's interfaces with `ip -j addr show`.
func (a *Access) Interfaces(ctx context.Context, node string) ([]lab.InterfaceInfo, error) {
	m, err := a.machine(ctx, node)
	if err != nil {
		return nil, err
	}
	out, err := m.runAsUser(ctx, "read interfaces", "ip -j addr show")
	if err != nil {
		return nil, err
	}
	links, err := parseIPJSON(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", node, err)
	}
	var infos []lab.InterfaceInfo
	for _, l := range links {
		if l.Name == "lo" {
			continue
		}
		infos = append(infos, lab.InterfaceInfo{Name: l.Name, Up: l.up(), Addresses: l.ipv4()})
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
	return infos, nil
}

// Where is user@host:port.
func (a *Access) Where(node string) string {
	if n, err := a.lab.Node(node); err == nil && n.SSH != nil {
		return n.SSH.String()
	}
	return node
}

// logTail is the last lines of a remote log, for errors.
func (a *Access) logTail(ctx context.Context, node, log string) string {
	m, err := a.machine(ctx, node)
	if err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	out, err := m.run(ctx, "read log", "tail -n 5 "+shellQuote(log), nil)
	if err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	text := strings.TrimSpace(string(out))
	if text == "" {
		return "(its log is empty)"
	}
	return strings.ReplaceAll(text, "\n", " | ")
}

// Close closes every connection.
func (a *Access) Close() error {
	a.mu.Lock()
	ms := a.machines
	a.machines = map[string]*machine{}
	a.mu.Unlock()
	var errs []error
	for _, m := range ms {
		if err := m.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
