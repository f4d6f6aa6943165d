package home

import (
	"strings"
	"time"

	"github.com/halab/halab/lab"
)

// plan is what building a lab involves, from its model, ticked off as the
// provider's steps arrive: the namespaces, the bridges, each interface,
// each component ready, then the VRRP election. Steps it does not know
// still show in the step log; they only do not move the bar.
type plan struct {
	lab        *lab.Lab
	namespaces string // the step's message once done
	bridges    string
	links      map[string]map[string]bool // node → interfaces up
	comps      map[string]map[string]bool // node → components ready
	hasVRRP    bool
	waiting    bool              // the election has begun
	waitingAt  time.Time         // when
	states     map[string]string // node → VRRP state
	order      []string          // nodes in the order they reported a state
	rollback   bool              // the build failed; the provider removes it
}

// phase is one line of the build's checklist.
type phase int

const (
	phaseNamespaces phase = iota
	phaseBridges
	phaseLinks
	phaseComponents
	phaseElection
	numPhases
)

var phaseNames = [numPhases]string{"namespaces", "bridges", "links", "components", "VRRP"}

func newPlan(l *lab.Lab) *plan {
	p := &plan{lab: l, links: map[string]map[string]bool{}, comps: map[string]map[string]bool{}, states: map[string]string{}}
	if l != nil {
		for _, n := range l.Nodes {
			if n.Component(lab.ComponentVRRP) != nil {
				p.hasVRRP = true
			}
		}
	}
	return p
}

// apply ticks off what step s says was done.
func (p *plan) apply(s lab.Step) {
	msg := strings.TrimSpace(s.Message)
	switch {
	case s.Node == "" && strings.HasPrefix(msg, "created") && strings.Contains(msg, "namespace"):
		p.namespaces = strings.TrimPrefix(msg, "created ")
	case s.Node == lab.SwitchNode && strings.Contains(msg, "bridge"):
		p.bridges = msg
	case strings.HasPrefix(msg, waitingForMaster):
		p.waiting, p.waitingAt = true, s.Time
	case s.Node == "" && strings.HasPrefix(msg, "failed"):
		p.rollback = true
	}
	if p.lab == nil || s.Node == "" {
		return
	}
	n, err := p.lab.Node(s.Node)
	if err != nil {
		return
	}
	for _, i := range n.Interfaces {
		if strings.HasPrefix(msg, i.Name+" ") {
			mark(p.links, n.Name, i.Name)
		}
	}
	for _, c := range n.Components {
		if strings.HasPrefix(msg, c.Kind+" ready") {
			mark(p.comps, n.Name, c.Kind)
		}
	}
	if st := vrrpState(s); st != "" {
		if _, seen := p.states[n.Name]; !seen {
			p.order = append(p.order, n.Name)
		}
		p.states[n.Name] = st
	}
}

func mark(m map[string]map[string]bool, node, what string) {
	if m[node] == nil {
		m[node] = map[string]bool{}
	}
	m[node][what] = true
}

// linkCount is how many interfaces are up, of how many.
func (p *plan) linkCount() (done, total int) {
	for _, n := range p.nodes() {
		total += len(n.Interfaces)
		done += len(p.links[n.Name])
	}
	return done, total
}

// compCount is how many components are ready, of how many.
func (p *plan) compCount() (done, total int) {
	for _, n := range p.nodes() {
		total += len(n.Components)
		done += len(p.comps[n.Name])
	}
	return done, total
}

func (p *plan) nodes() []lab.Node {
	if p.lab == nil {
		return nil
	}
	return p.lab.Nodes
}

// master is the first node reported MASTER, or "".
func (p *plan) master() string {
	for _, n := range p.order {
		if p.states[n] == "MASTER" {
			return n
		}
	}
	return ""
}

// done reports whether a phase is complete.
func (p *plan) done(ph phase) bool {
	switch ph {
	case phaseNamespaces:
		return p.namespaces != ""
	case phaseBridges:
		return p.bridges != ""
	case phaseLinks:
		d, t := p.linkCount()
		return t > 0 && d >= t
	case phaseComponents:
		d, t := p.compCount()
		return d >= t
	case phaseElection:
		return !p.hasVRRP || p.master() != ""
	}
	return false
}

// current is the first phase not complete (numPhases when all are).
func (p *plan) current() phase {
	for ph := phaseNamespaces; ph < numPhases; ph++ {
		if !p.done(ph) {
			return ph
		}
	}
	return numPhases
}

// fraction is the share of the build done, 0 to 1.
func (p *plan) fraction() float64 {
	ld, lt := p.linkCount()
	cd, ct := p.compCount()
	done, total := ld+cd, lt+ct+2
	for _, ph := range []phase{phaseNamespaces, phaseBridges} {
		if p.done(ph) {
			done++
		}
	}
	if p.hasVRRP {
		total++
		if p.master() != "" {
			done++
		}
	}
	return float64(done) / float64(total)
}
