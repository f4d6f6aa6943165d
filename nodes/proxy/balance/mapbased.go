package balance

import "net/netip"

// initMap prepares lb_map's table: effective weights are the user weights
// divided by their greatest common divisor.
func (b *Balancer) initMap() {
	gcd := 0
	for _, s := range b.slots {
		if s.uweight == 0 {
			continue
		}
		if gcd == 0 {
			gcd = s.uweight
			continue
		}
		for w := s.uweight; w != 0; {
			gcd, w = w, gcd%w
		}
	}
	if gcd == 0 {
		gcd = 1
	}
	b.wmult = gcd
	for _, s := range b.slots {
		s.eweight = (s.uweight + gcd - 1) / gcd
	}
	b.recount()
	b.buildMap()
}

// buildMap is lb_map's recalc_server_map: it spreads the usable servers of
// the group in use over totWeight slots, each taking a share proportional to
// its weight, the first declared server winning ties.
func (b *Balancer) buildMap() {
	b.lbMap = b.lbMap[:0]
	tot := b.totWeight
	if b.totUsed == 0 || tot == 0 {
		return
	}
	backup := b.srvAct == 0
	for _, s := range b.slots {
		s.wscore = 0
	}
	for o := 0; o < tot; o++ {
		var best *slot
		max := 0
		for _, s := range b.slots {
			if s.backup != backup || !s.isUsable() {
				continue
			}
			if tot == 1 {
				best = s
				break
			}
			s.wscore += s.eweight
			v := (s.wscore + tot) / tot
			if best == nil || v > max {
				max, best = v, s
			}
		}
		b.lbMap = append(b.lbMap, best)
		if best != nil {
			best.wscore -= tot
		}
	}
}

// mapHash is "balance source" with HAProxy's default map-based hashing: the
// address's 32-bit words XORed together, modulo the total weight. With one
// usable server, every client goes to it.
func (b *Balancer) mapHash(src netip.Addr) *slot {
	if len(b.lbMap) == 0 {
		return nil
	}
	var h uint32
	if b.totUsed > 1 {
		src = src.Unmap()
		var raw []byte
		if src.Is4() {
			a := src.As4()
			raw = a[:]
		} else {
			a := src.As16()
			raw = a[:]
		}
		for i := 0; i+4 <= len(raw); i += 4 {
			h ^= uint32(raw[i])<<24 | uint32(raw[i+1])<<16 | uint32(raw[i+2])<<8 | uint32(raw[i+3])
		}
	}
	return b.lbMap[h%uint32(len(b.lbMap))]
}

// mapRR is "balance static-rr": the map walked in order.
func (b *Balancer) mapRR(avoid *slot) *slot {
	n := len(b.lbMap)
	if n == 0 {
		return nil
	}
	if b.rrIndex < 0 || b.rrIndex >= n {
		b.rrIndex = 0
	}
	start := b.rrIndex
	idx := start
	var avoided *slot
	avoidedIdx := 0
	for {
		s := b.lbMap[idx]
		idx++
		avoided, avoidedIdx = s, idx
		if s != avoid {
			b.rrIndex = idx
			return s
		}
		if idx == n {
			idx = 0
		}
		if idx == start {
			break
		}
	}
	b.rrIndex = avoidedIdx
	return avoided
}
