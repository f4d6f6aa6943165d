package lab

import (
	"reflect"
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
