// Package balance implements HAProxy 2.6's load-balancing algorithms with
// the same server order: roundrobin (lb_fwrr's weighted round robin),
// static-rr and source (lb_map's weighted map), leastconn (lb_fwlc) and first
// (lb_fas), with HAProxy's backup-server rules: backup servers are used only
// when no active server is usable, and then only the first usable one unless
// "option allbackups" is set.
//
// Weights follow HAProxy's scale: an effective weight is the user weight
// times 16 (BE_WEIGHT_SCALE) for the dynamic algorithms, and the user weight
// divided by the weights' greatest common divisor for the map-based ones.
package balance

import (
	"fmt"
	"net/netip"
	"sync"

	"github.com/halab/halab/nodes/proxy/hacfg"
)

// weightScale is HAProxy's BE_WEIGHT_SCALE.
const weightScale = 16

// ewghtMax is HAProxy's SRV_EWGHT_MAX (256 user-weight steps × 16).
const ewghtMax = 256 * weightScale

// Server describes one server to a Balancer.
type Server struct {
	Weight int
	Backup bool
	// Usable is the initial state: up and not in maintenance.
	Usable bool
}

// Balancer picks servers for new requests or connections. It is safe for
// concurrent use.
type Balancer struct {
	mu         sync.Mutex
	algo       hacfg.Algorithm
	allBackups bool
	slots      []*slot
	act, bck   group
	fbck       *slot // first usable backup server, unless allbackups
	srvAct     int   // usable active servers
	srvBck     int   // usable backup servers
	totWeight  int   // weight the lookup uses, as HAProxy's lbprm.tot_weight
	totUsed    int   // servers the lookup uses
	lbMap      []*slot
	rrIndex    int
	wmult      int // map-based weight divisor (gcd of user weights)
}

type slot struct {
	index   int
	uweight int
	eweight int
	backup  bool
	usable  bool
	served  int

	// fwrr and fwlc position
	tree    *tree
	key     uint64
	npos    int
	lpos    int
	rweight int
	wscore  int
}

// New returns a Balancer for servers using algo ("roundrobin" when empty).
func New(algo hacfg.Algorithm, servers []Server, allBackups bool) *Balancer {
	if algo == "" {
		algo = hacfg.RoundRobin
	}
	b := &Balancer{algo: algo, allBackups: allBackups, wmult: 1}
	for i, s := range servers {
		b.slots = append(b.slots, &slot{index: i, uweight: s.Weight, backup: s.Backup, usable: s.Usable})
	}
	switch algo {
	case hacfg.Source, hacfg.StaticRR:
		b.initMap()
	default:
		for _, s := range b.slots {
			s.eweight = s.uweight * weightScale
		}
		b.recount()
		if algo == hacfg.RoundRobin {
			b.initFWRR()
		} else {
			b.initOrdered()
		}
	}
	return b
}

// usable is HAProxy's srv_willbe_usable: up and with a non-zero weight.
func (s *slot) isUsable() bool { return s.usable && s.eweight > 0 }

// recount is HAProxy's recount_servers followed by update_backend_weight.
func (b *Balancer) recount() {
	b.srvAct, b.srvBck, b.fbck = 0, 0, nil
	totAct, totBck := 0, 0
	for _, s := range b.slots {
		if !s.isUsable() {
			continue
		}
		if s.backup {
			if b.srvBck == 0 && !b.allBackups {
				b.fbck = s
			}
			b.srvBck++
			totBck += s.eweight
		} else {
			b.srvAct++
			totAct += s.eweight
		}
	}
	switch {
	case b.srvAct > 0:
		b.totWeight, b.totUsed = totAct, b.srvAct
	case b.fbck != nil:
		b.totWeight, b.totUsed = b.fbck.eweight, 1
	default:
		b.totWeight, b.totUsed = totBck, b.srvBck
	}
	b.act.nextWeight, b.bck.nextWeight = totAct, totBck
}

// Pick returns the index of the server that gets the next request from src,
// or -1 when no server is usable. avoid is a server to skip if another one is
// available (-1 for none), as HAProxy avoids the previous server when it
// redispatches. The picked server counts one more request in flight until
// Release.
func (b *Balancer) Pick(src netip.Addr, avoid int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	var av *slot
	if avoid >= 0 && avoid < len(b.slots) {
		av = b.slots[avoid]
	}
	var s *slot
	switch b.algo {
	case hacfg.RoundRobin:
		s = b.fwrrNext(av)
	case hacfg.LeastConn:
		s = b.orderedFirst(av)
	case hacfg.First:
		s = b.orderedFirst(av)
	case hacfg.Source:
		s = b.mapHash(src)
	case hacfg.StaticRR:
		s = b.mapRR(av)
	}
	if s == nil {
		return -1
	}
	s.served++
	if b.algo == hacfg.LeastConn {
		b.lcReposition(s)
	}
	return s.index
}

// Release ends a request or connection Pick gave to server i.
func (b *Balancer) Release(i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.slots[i]
	if s.served > 0 {
		s.served--
	}
	if b.algo == hacfg.LeastConn {
		b.lcReposition(s)
	}
}

// SetUsable changes server i's state (health checks, maintenance), as
// HAProxy's set_server_status_up/down do for the algorithm in use.
func (b *Balancer) SetUsable(i int, usable bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.slots[i]
	if s.usable == usable {
		return
	}
	switch b.algo {
	case hacfg.RoundRobin:
		if usable {
			b.fwrrUp(s)
		} else {
			b.fwrrDown(s)
		}
	case hacfg.Source, hacfg.StaticRR:
		s.usable = usable
		b.recount()
		b.buildMap()
	default:
		s.usable = usable
		b.recount()
		b.orderedSet(s)
	}
}

// Counts returns the usable active and backup servers, as HAProxy's
// "N active and M backup servers left" counts them.
func (b *Balancer) Counts() (active, backup int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.srvAct, b.srvBck
}

// InFlight returns the requests or connections server i is serving.
func (b *Balancer) InFlight(i int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.slots[i].served
}

// String describes the balancer for logs.
func (b *Balancer) String() string {
	return fmt.Sprintf("balance %s over %d servers", b.algo, len(b.slots))
}

// tree is an ordered list standing in for HAProxy's eb32 trees: items are
// sorted by key, and equal keys keep their insertion order.
type tree struct{ items []*slot }

func (t *tree) insert(s *slot, key uint64) {
	s.key = key
	i := len(t.items)
	for i > 0 && t.items[i-1].key > key {
		i--
	}
	t.items = append(t.items, nil)
	copy(t.items[i+1:], t.items[i:])
	t.items[i] = s
	s.tree = t
}

func (t *tree) remove(s *slot) {
	for i, x := range t.items {
		if x == s {
			t.items = append(t.items[:i], t.items[i+1:]...)
			break
		}
	}
	s.tree = nil
}

func (t *tree) first() *slot {
	if len(t.items) == 0 {
		return nil
	}
	return t.items[0]
}
