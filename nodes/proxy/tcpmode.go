package proxy

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// serveTCP relays one connection of a TCP-mode frontend byte for byte to a
// server (HAProxy's "mode tcp"): the server is picked and connected with the
// usual retries, then both directions are copied until each side has
// closed, half-closes passed on. "timeout client" and "timeout server" are
// inactivity timeouts ("timeout tunnel" replaces both when set).
func (fe *frontend) serveTCP(conn *net.TCPConn) {
	rt := fe.rt
	c := &clientConn{fe: fe, conn: conn}
	if !rt.conns.add(c) {
		conn.Close()
		return
	}
	defer rt.conns.remove(c)
	defer conn.Close()
	var src netip.Addr
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		src = ap.Addr().Unmap()
	}
	be := fe.routeTCP(src)
	if be == nil {
		fe.gatewayErrors.Add(1)
		return
	}
	be.requests.Add(1)
	srv, sc, ok := be.connect(src, false)
	if !ok {
		return
	}
	defer be.lb.Release(srv.index)
	srv.sessions.Add(1)
	srv.lastSess.Store(time.Now().UnixNano())
	c.setActive(sc)
	defer c.setActive(nil)
	clientIdle, serverIdle := fe.cfg.Timeout.Client, be.cfg.Timeout.Server
	if t := be.cfg.Timeout.Tunnel; t > 0 {
		clientIdle, serverIdle = t, t
	}
	var wg sync.WaitGroup
	var up int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		up = pipe(sc.conn, conn, nil, clientIdle)
	}()
	down := pipe(conn, sc.conn, sc.br, serverIdle)
	wg.Wait()
	sc.close()
	fe.bytesIn.Add(up)
	fe.bytesOut.Add(down)
	be.bytesOut.Add(down)
	srv.bytesOut.Add(down)
	srv.bytesIn.Add(up)
}
