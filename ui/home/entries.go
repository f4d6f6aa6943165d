package home

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/halab/halab/assets"
	"github.com/halab/halab/lab"
)

// The helpers below do most of a real Manager's listing work, so that its
// implementation is left with Start, Destroy and the VIP holders.

// BuiltinEntries loads every built-in lab (assets.LabNames).
func BuiltinEntries() []LabEntry {
	var out []LabEntry
	for _, name := range assets.LabNames() {
		l, err := lab.LoadBuiltin(name)
		out = append(out, EntryFor(name, true, l, err))
	}
	return out
}

// ScanFiles loads and validates every lab file (*.yaml, *.yml) in dir,
// sorted by name. A directory that cannot be read has none.
func ScanFiles(dir string) []LabEntry {
	entries, _ := os.ReadDir(dir)
	var out []LabEntry
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := e.Name()
		if dir != "." && dir != "" {
			path = filepath.Join(dir, e.Name())
		}
		l, err := lab.LoadFile(path)
		out = append(out, EntryFor(path, false, l, err))
	}
	return out
}

// EntryFor makes the entry of a lab loaded from source, with the
// providers it can be built on.
func EntryFor(source string, builtin bool, l *lab.Lab, err error) LabEntry {
	if err != nil {
		l = nil
	}
	return LabEntry{Source: source, Builtin: builtin, Lab: l, Err: err, Providers: Providers(l)}
}

// Providers lists where a lab can be built: on network namespaces here,
// always; on SSH machines only when the lab describes them, which no lab
// file does yet (it has no ssh: section).
func Providers(l *lab.Lab) []ProviderOption {
	why := "the lab describes no VMs to reach over SSH (no ssh: section)"
	if l == nil {
		why = "the lab does not load"
	}
	return []ProviderOption{
		{Name: "netns", About: "namespaces on this machine"},
		{Name: "ssh", About: "machines over SSH", Unavailable: why},
	}
}

// RunningFromState summarises a lab's recorded state. Who holds the VIP
// is not in the state: the caller fills VIPHolders and VIPKnown when it
// has read the interfaces.
func RunningFromState(st *lab.State) RunningLab {
	r := RunningLab{Name: st.Name, Provider: st.Provider, Phase: st.Phase, Created: st.Created,
		Faults: slices.Clone(st.Faults)}
	for _, n := range st.Nodes {
		r.Nodes = append(r.Nodes, n.Name)
	}
	if st.Lab != nil {
		r.Title = st.Lab.Title
		if st.Lab.VIP.Address.IsValid() {
			r.VIP = st.Lab.VIP.Address.String()
		}
		if len(r.Nodes) == 0 {
			for _, n := range st.Lab.Nodes {
				r.Nodes = append(r.Nodes, n.Name)
			}
		}
	}
	return r
}

// waitingForMaster is the message of the step that opens the election.
const waitingForMaster = "waiting for a master"

// WaitingForMaster is the step a Manager reports when every component is
// ready and the load balancers elect a VRRP master.
func WaitingForMaster() lab.Step {
	return lab.Step{Time: time.Now(), Message: waitingForMaster + "…"}
}

// ElectionStep is the step a Manager reports when a load balancer enters
// a VRRP state (MASTER, BACKUP, FAULT); detail may say more ("holds VIP
// 172.16.0.200"). A step from the VRRP component's own log, such as
// "BACKUP → MASTER: master down timer expired", is understood too.
func ElectionStep(node, state, detail string) lab.Step {
	msg := state
	if detail != "" {
		msg += ", " + detail
	}
	return lab.Step{Time: time.Now(), Node: node, Message: msg}
}

// vrrpState is the VRRP state a step says its node entered: the last of
// MASTER, BACKUP and FAULT written as a word in its message, or "".
func vrrpState(s lab.Step) string {
	if s.Node == "" || s.Node == lab.SwitchNode {
		return ""
	}
	words := strings.FieldsFunc(s.Message, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
	})
	for i := len(words) - 1; i >= 0; i-- {
		switch words[i] {
		case "MASTER", "BACKUP", "FAULT":
			return words[i]
		}
	}
	return ""
}
