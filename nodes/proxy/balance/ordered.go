package balance

// The connection-based algorithms keep usable servers in two ordered trees,
// active and backup, as HAProxy's lb_fwlc (leastconn) and lb_fas (first).

func (b *Balancer) initOrdered() {
	for _, s := range b.slots {
		b.orderedSet(s)
	}
}

func (b *Balancer) orderedTree(s *slot) *tree {
	if s.backup {
		return &b.bck.t0
	}
	return &b.act.t0
}

// orderedSet (re)inserts or removes s after a state change.
func (b *Balancer) orderedSet(s *slot) {
	if s.tree != nil {
		s.tree.remove(s)
	}
	if !s.isUsable() {
		return
	}
	t := b.orderedTree(s)
	if b.algo == "first" {
		t.insert(s, uint64(s.index))
		return
	}
	t.insert(s, b.lcKey(s))
}

// lcKey is lb_fwlc's sorting key: 0 for an idle server, otherwise
// (inflight+1) × SRV_EWGHT_MAX / eweight, so heavier servers take more.
func (b *Balancer) lcKey(s *slot) uint64 {
	if s.served == 0 || s.eweight == 0 {
		return 0
	}
	return uint64(s.served+1) * ewghtMax / uint64(s.eweight)
}

// lcReposition moves s after its in-flight count changed; a server whose key
// did not change keeps its place, as in HAProxy.
func (b *Balancer) lcReposition(s *slot) {
	if s.tree == nil {
		return
	}
	if k := b.lcKey(s); k != s.key {
		t := s.tree
		t.remove(s)
		t.insert(s, k)
	}
}

// orderedFirst returns the first server of the active tree, the first backup
// server, or the first of the backup tree (allbackups), skipping avoid when
// another one is available.
func (b *Balancer) orderedFirst(avoid *slot) *slot {
	var t *tree
	switch {
	case b.srvAct > 0:
		t = &b.act.t0
	case b.fbck != nil:
		return b.fbck
	case b.srvBck > 0:
		t = &b.bck.t0
	default:
		return nil
	}
	for _, s := range t.items {
		if s != avoid {
			return s
		}
	}
	return t.first()
}
