package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// RunDir holds one directory per running lab: its state, the halab binary
// its components run from, their sockets, configurations and logs. Like
// /run itself it is cleared at boot, as are the labs' namespaces.
// HALAB_RUN_DIR moves it elsewhere (an ssh lab needs no root on this
// machine, only a directory of its own for its state).
var RunDir = runDir()

func runDir() string {
	if d := os.Getenv("HALAB_RUN_DIR"); d != "" {
		return d
	}
	return "/run/halab"
}

// SwitchNode is the name of the pseudo-node holding a lab's bridges.
const SwitchNode = "sw"

// The phases of a lab's life (State.Phase). A lab whose phase is building
// or removing while no halab process builds or removes it was left so by
// one that stopped half-way.
const (
	PhaseBuilding = "building"
	PhaseUp       = "up"
	PhaseRemoving = "removing"
)

// StateFile is the name of a lab's state record inside its directory.
const StateFile = "state.json"

// State is what a provider records about a lab it built: enough for any
// later halab process (status, down, the dashboard) to find every part.
type State struct {
	Name     string    `json:"name"`
	Provider string    `json:"provider"`
	Created  time.Time `json:"created"`
	// Phase is PhaseBuilding until every component is ready, then PhaseUp;
	// PhaseRemoving once `halab down` began to remove the lab.
	Phase string `json:"phase"`
	// Dir is the lab's directory under RunDir.
	Dir   string      `json:"dir"`
	Lab   *Lab        `json:"lab"`
	Nodes []NodeState `json:"nodes"`
	// Faults are the faults in force now (crashed nodes, killed
	// components, links down, partitions, loss), in the order applied.
	Faults []Fault `json:"faults,omitempty"`
}

// NodeState is one node as built.
type NodeState struct {
	Name string `json:"name"`
	// Namespace is the node's network namespace (netns provider).
	Namespace  string           `json:"namespace,omitempty"`
	Components []ComponentState `json:"components"`
	// PoweredOff is true while the node is crashed (FaultCrash).
	PoweredOff bool `json:"powered_off,omitempty"`
}

// ComponentState is one component process as started.
type ComponentState struct {
	Kind    string    `json:"kind"`
	PID     int       `json:"pid"`
	Socket  string    `json:"socket"`
	Log     string    `json:"log"`
	Config  string    `json:"config,omitempty"`
	Args    []string  `json:"args"`
	Started time.Time `json:"started"`
}

// LabDir is the directory of the lab called name.
func LabDir(name string) string { return filepath.Join(RunDir, name) }

// Save writes the state atomically.
func (s *State) Save() error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("lab %s: encode state: %w", s.Name, err)
	}
	tmp := filepath.Join(s.Dir, StateFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("lab %s: write state: %w", s.Name, err)
	}
	if err := os.Rename(tmp, filepath.Join(s.Dir, StateFile)); err != nil {
		return fmt.Errorf("lab %s: write state: %w", s.Name, err)
	}
	return nil
}

// ErrNoLab says no lab of that name is recorded as running.
var ErrNoLab = errors.New("no such lab is up")

// LoadState reads the recorded state of the lab called name.
func LoadState(name string) (*State, error) {
	data, err := os.ReadFile(filepath.Join(LabDir(name), StateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("lab %q: %w", name, ErrNoLab)
	}
	if err != nil {
		return nil, fmt.Errorf("lab %s: read state: %w", name, err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("lab %s: state file %s is damaged (%v); `halab down --lab %s` removes the lab", name, filepath.Join(LabDir(name), StateFile), err, name)
	}
	return &s, nil
}

// Running lists the names of labs with a state record, sorted.
func Running() []string {
	entries, _ := os.ReadDir(RunDir)
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(RunDir, e.Name(), StateFile)); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	return names
}

// Resolve picks the lab a command acts on: name when given, else the only
// running lab. It explains what to do when there is none or several.
func Resolve(name string) (string, error) {
	if name != "" {
		return name, nil
	}
	running := Running()
	switch len(running) {
	case 0:
		return "", fmt.Errorf("no lab is up; start one with `sudo halab up`")
	case 1:
		return running[0], nil
	default:
		return "", fmt.Errorf("%d labs are up (%s); choose one with --lab NAME", len(running), strings.Join(running, ", "))
	}
}

// Node returns the recorded node called name.
func (s *State) Node(name string) (*NodeState, error) {
	for i := range s.Nodes {
		if s.Nodes[i].Name == name {
			return &s.Nodes[i], nil
		}
	}
	var names []string
	for _, n := range s.Nodes {
		names = append(names, n.Name)
	}
	return nil, fmt.Errorf("lab %s has no node %q; its nodes are: %s", s.Name, name, strings.Join(names, ", "))
}

// Component returns the node's recorded component of kind, or says which
// it runs.
func (n *NodeState) Component(kind string) (*ComponentState, error) {
	var kinds []string
	for i := range n.Components {
		if n.Components[i].Kind == kind {
			return &n.Components[i], nil
		}
		kinds = append(kinds, n.Components[i].Kind)
	}
	return nil, fmt.Errorf("%s runs no component %q; it runs %v", n.Name, kind, kinds)
}

// PlanComponent is where a component of node lives in nodeDir (its control
// socket, log and configuration) and the `halab run` arguments that start
// it (`halab run KIND`, or the adapter of the real program the lab's
// engine names), the same for every provider. Kind and paths are set; PID and
// Started are the provider's to fill in.
func PlanComponent(nodeDir, node string, c Component) ComponentState {
	st := ComponentState{
		Kind:   c.Kind,
		Socket: filepath.Join(nodeDir, c.Kind+".sock"),
		Log:    filepath.Join(nodeDir, c.Kind+".log"),
	}
	st.Args = []string{"run", c.Command(), "--node", node, "--control", st.Socket}
	if c.ConfigName != "" {
		st.Config = filepath.Join(nodeDir, c.ConfigName)
		st.Args = append(st.Args, "-f", st.Config)
	}
	st.Args = append(st.Args, c.Args...)
	return st
}
