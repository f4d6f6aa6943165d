package lab

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		words   []string
		want    Fault
		wantErr bool
	}{
		{[]string{"crash", "lb1"}, Fault{Kind: FaultCrash, Node: "lb1"}, false},
		{[]string{"kill", "lb1", "proxy"}, Fault{Kind: FaultKill, Node: "lb1", Component: "proxy"}, false},
		{[]string{"link", "lb1", "enp0s9", "down"}, Fault{Kind: FaultLinkDown, Node: "lb1", Interface: "enp0s9"}, false},
		{[]string{"partition", "lb1", "lb2"}, Fault{Kind: FaultPartition, Node: "lb1", Peer: "lb2"}, false},
		{[]string{"loss", "lb1", "enp0s9", "30"}, Fault{Kind: FaultLoss, Node: "lb1", Interface: "enp0s9", Percent: 30}, false},
		{[]string{"heal"}, Fault{Kind: FaultHeal}, false},
		{[]string{"link", "lb1", "enp0s9", "sideways"}, Fault{}, true},
		{[]string{"loss", "lb1", "enp0s9", "130"}, Fault{}, true},
		{[]string{"crash"}, Fault{}, true},
		{[]string{"explode", "lb1"}, Fault{}, true},
		{nil, Fault{}, true},
	}
	for _, tt := range tests {
		got, err := ParseFault(tt.words)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v (error %v)", tt.words, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestRecordFaultAndInverse(t *testing.T) {
	crash := Fault{Kind: FaultCrash, Node: "lb1"}
	kill := Fault{Kind: FaultKill, Node: "lb2", Component: "proxy"}
	part := Fault{Kind: FaultPartition, Node: "lb1", Peer: "lb2"}
	var inForce []Fault
	for _, f := range []Fault{crash, kill, part} {
		inForce = RecordFault(inForce, f)
	}
	if !reflect.DeepEqual(inForce, []Fault{crash, kill, part}) {
		t.Fatalf("in force: %v", inForce)
	}
	// Mending each, newest first, empties the list.
	for i := len(inForce) - 1; i >= 0; i-- {
		inv, ok := inForce[i].Inverse()
		if !ok || !inv.Mends() {
			t.Fatalf("%v has no mending inverse: %v", inForce[i], inv)
		}
		inForce = RecordFault(inForce, inv)
	}
	if len(inForce) != 0 {
		t.Fatalf("left in force after mending: %v", inForce)
	}
	if _, ok := (Fault{Kind: FaultHeal}).Inverse(); ok {
		t.Error("heal has an inverse")
	}
	if got := part.Target(); got != "lb1,lb2" {
		t.Errorf("Target = %q", got)
	}
}

func TestFaultTargetRefuses(t *testing.T) {
	l, err := Parse("t.yaml", []byte(goodLab), testFS)
	if err != nil {
		t.Fatal(err)
	}
	st := &State{Lab: l, Nodes: []NodeState{{Name: "client"}, {Name: "lb1"}, {Name: "web1", PoweredOff: true}}}
	tests := []struct {
		f    Fault
		want string // "" when the fault is let through
	}{
		{Fault{Kind: FaultCrash}, "which node? name one"},
		{Fault{Kind: FaultCrash, Node: "lb9"}, `no node "lb9"`},
		{Fault{Kind: FaultKill, Node: "web1", Component: "web"}, "web1 is powered off; restore it first"},
		{Fault{Kind: FaultRestore, Node: "web1"}, ""},
		{Fault{Kind: FaultRestore, Node: "lb1"}, "lb1 is not powered off"},
		{Fault{Kind: FaultLinkDown, Node: "lb1", Interface: "eth9"}, `lb1 has no lab interface "eth9"`},
		{Fault{Kind: FaultDelay, Node: "lb1", Interface: "eth9", DelayMS: 5}, `lb1 has no lab interface "eth9"`},
		{Fault{Kind: FaultLoss, Node: "lb1", Interface: "pub", Percent: 0}, "loss must be more than 0% and at most 100%, not 0%"},
		{Fault{Kind: FaultLoss, Node: "lb1", Interface: "pub", Percent: 100}, ""},
		{Fault{Kind: FaultPartition, Node: "lb1", Peer: "lb9"}, `no node "lb9"`},
		{Fault{Kind: FaultPartition, Node: "lb1", Peer: "lb1"}, "a node cannot be partitioned from itself"},
		{Fault{Kind: FaultPartition, Node: "lb1", Peer: "client"}, ""},
	}
	for _, tt := range tests {
		node, ns, err := st.FaultTarget(tt.f)
		switch {
		case tt.want == "" && (err != nil || node == nil || ns == nil || node.Name != tt.f.Node || ns.Name != tt.f.Node):
			t.Errorf("FaultTarget(%+v) = %v, %v, %v; want node %s", tt.f, node, ns, err, tt.f.Node)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("FaultTarget(%+v) error = %v, want %q", tt.f, err, tt.want)
		}
	}
}
