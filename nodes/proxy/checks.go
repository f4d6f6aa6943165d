package proxy

import (
	"context"
	"sync"
	"time"

	"github.com/halab/halab/nodes/proxy/health"
)

// startChecks starts the health checks of every server with "check". As in
// HAProxy's start_checks, first checks are spread: the server at position p
// of n checked servers starts after max(smallest inter, its inter) × p / n.
func (rt *runtime) startChecks(ctx context.Context, wg *sync.WaitGroup) {
	var checked []*server
	var minInter time.Duration
	for _, be := range rt.backends {
		for _, s := range be.servers {
			if !s.cfg.Check {
				continue
			}
			checked = append(checked, s)
			if minInter == 0 || s.cfg.Inter < minInter {
				minInter = s.cfg.Inter
			}
		}
	}
	for pos, s := range checked {
		s.checker = rt.newChecker(s)
		if s.cfg.Disabled {
			s.checker.SetMaintenance(true)
		}
		spread := max(minInter, s.cfg.Inter) * time.Duration(pos) / time.Duration(len(checked))
		wg.Add(1)
		go func(s *server) {
			defer wg.Done()
			s.checker.Run(ctx, spread)
		}(s)
	}
}

// newChecker builds the TCP or HTTP check of a server with HAProxy's
// timeouts ("inter", "timeout connect", "timeout check").
func (rt *runtime) newChecker(s *server) *health.Checker {
	be := s.be
	to := health.Timeouts{Inter: s.cfg.Inter, Connect: be.cfg.Timeout.Connect, Check: be.cfg.Timeout.Check}
	var probe health.Probe
	if hc := be.cfg.HTTPCheck; hc != nil {
		probe = health.HTTPProbe(s.cfg.CheckAddr(), health.HTTPRequest{
			Method: hc.Method, URI: hc.URI, Version: hc.Version, Host: hc.Host,
			Expect: hc.ExpectStatus, ExpectNot: hc.ExpectNot,
		}, to)
	} else {
		probe = health.TCPProbe(s.cfg.CheckAddr(), to)
	}
	iv := health.Intervals{Inter: s.cfg.Inter, FastInter: s.cfg.FastInter, DownInter: s.cfg.DownInter}
	return health.NewChecker(probe, rt.clock, iv, s.cfg.Rise, s.cfg.Fall, s.checkChanged)
}
