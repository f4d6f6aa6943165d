package balance

// group is one of HAProxy's fwrr groups (active or backup servers): servers
// wait in "curr" ordered by their next position, or in "init"/"next" ordered
// by decreasing weight until the group's window reaches them.
type group struct {
	curr, t0, t1 tree
	init, next   *tree
	currPos      int
	currWeight   int
	nextWeight   int
}

func (b *Balancer) initFWRR() {
	for _, g := range []*group{&b.act, &b.bck} {
		g.currPos, g.currWeight = g.nextWeight, g.nextWeight
		g.init, g.next = &g.t0, &g.t1
	}
	for _, s := range b.slots {
		if s.isUsable() {
			g := b.groupOf(s)
			g.queueByWeight(g.init, s)
		}
	}
}

func (b *Balancer) groupOf(s *slot) *group {
	if s.backup {
		return &b.bck
	}
	return &b.act
}

// queueByWeight puts s in t, heavier servers first.
func (g *group) queueByWeight(t *tree, s *slot) {
	t.insert(s, uint64(ewghtMax-s.eweight))
}

// queue places s by its next position, or in the next window when its
// position falls beyond the current one.
func (g *group) queue(s *slot) {
	switch {
	case !s.isUsable():
		s.tree = nil
	case s.npos >= 2*g.currWeight || s.npos >= g.currWeight+g.nextWeight:
		s.npos -= g.currWeight
		g.queueByWeight(g.next, s)
	default:
		key := uint64(256*s.npos) + uint64(ewghtMax+s.rweight-s.eweight)/weightScale
		g.curr.insert(s, key)
	}
}

func (g *group) dequeue(s *slot) {
	if s.tree != nil {
		s.tree.remove(s)
	}
}

// prepare adjusts s's position before it leaves the tree it is in.
func (g *group) prepare(s *slot) {
	switch s.tree {
	case g.init:
		s.npos, s.rweight = 0, 0
	case g.next:
		s.npos += g.currWeight
	case nil:
		s.npos = g.currPos
	}
}

func (g *group) switchTrees() {
	g.init, g.next = g.next, g.init
	g.currWeight = g.nextWeight
	g.currPos = g.currWeight
}

func (g *group) candidate() *slot {
	s1 := g.curr.first()
	if s1 != nil && s1.eweight > 0 && s1.npos <= g.currPos {
		return s1
	}
	if s2 := g.init.first(); s2 != nil && s2.eweight > 0 {
		s2.npos, s2.rweight = 0, 0
		return s2
	}
	return s1
}

func (g *group) advance(s *slot) {
	if s.eweight == 0 {
		return
	}
	if s.npos == 0 {
		s.npos = g.currPos
	}
	s.lpos = s.npos
	s.npos += g.nextWeight / s.eweight
	s.rweight += g.nextWeight % s.eweight
	if s.rweight >= s.eweight {
		s.rweight -= s.eweight
		s.npos++
	}
}

// fwrrNext picks the next server of the weighted round robin.
func (b *Balancer) fwrrNext(avoid *slot) *slot {
	var g *group
	switch {
	case b.srvAct > 0:
		g = &b.act
	case b.fbck != nil:
		return b.fbck
	case b.srvBck > 0:
		g = &b.bck
	default:
		return nil
	}
	switched := false
	var avoided, s *slot
	var skipped []*slot
	for {
		if g.currWeight == 0 {
			g.currPos, g.currWeight = g.nextWeight, g.nextWeight
		}
		for {
			s = g.candidate()
			if s != nil {
				break
			}
			if switched {
				s = avoided
				goto done
			}
			switched = true
			g.switchTrees()
		}
		g.advance(s)
		g.dequeue(s)
		g.currPos++
		if s != avoid || avoided != nil {
			break
		}
		avoided = s
		skipped = append(skipped, s)
	}
done:
	if s != nil {
		g.queue(s)
	}
	for _, x := range skipped {
		if x == s {
			continue
		}
		if switched {
			g.queueByWeight(g.init, x)
		} else {
			g.queue(x)
		}
	}
	return s
}

// fwrrDown takes s out of the rotation.
func (b *Balancer) fwrrDown(s *slot) {
	was := s.isUsable()
	s.usable = false
	if !was {
		return
	}
	g := b.groupOf(s)
	b.recount()
	g.dequeue(s)
	s.tree = nil
}

// fwrrUp puts s back in the rotation, after the servers already waiting.
func (b *Balancer) fwrrUp(s *slot) {
	s.usable = true
	if !s.isUsable() {
		return
	}
	g := b.groupOf(s)
	b.recount()
	g.prepare(s)
	s.npos = g.currPos + (g.nextWeight+g.currWeight-g.currPos)/s.eweight
	g.queue(s)
}
