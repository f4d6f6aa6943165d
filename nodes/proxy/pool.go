package proxy

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// Server connection pool limits, after HAProxy's "pool-max-conn" (unlimited
// by default; halab caps it) and "pool-purge-delay" (5 s).
const (
	maxIdlePerServer = 512
	poolPurgeDelay   = 5 * time.Second
	serverWriteBuf   = 4096
)

// serverConn is a connection to a server with its buffers. Idle ones wait
// in their server's pool for the next request, HAProxy's "http-reuse safe"
// behaviour for requests of any client.
type serverConn struct {
	srv       *server
	conn      *net.TCPConn
	br        *bufio.Reader
	bw        *bufio.Writer
	idleSince time.Time
	reused    bool // it served a request before this one
	dl        connDeadlines
}

func (sc *serverConn) close() {
	_ = sc.conn.Close()
	sc.srv.pool.release(sc)
}

// connPool keeps a server's idle connections, most recent first, and reuses
// their buffers.
type connPool struct {
	srv  *server
	mu   sync.Mutex
	idle []*serverConn
	bufs sync.Pool // *serverConn shells with their buffers
}

func (p *connPool) init(s *server) { p.srv = s }

// get returns an idle connection, dropping the ones idle for longer than the
// purge delay, or nil.
func (p *connPool) get(now time.Time) *serverConn {
	p.mu.Lock()
	for n := len(p.idle); n > 0; n = len(p.idle) {
		sc := p.idle[n-1]
		p.idle = p.idle[:n-1]
		if now.Sub(sc.idleSince) < poolPurgeDelay {
			p.mu.Unlock()
			sc.reused = true
			return sc
		}
		p.mu.Unlock()
		sc.close()
		p.mu.Lock()
	}
	p.mu.Unlock()
	return nil
}

// put returns a connection whose response was fully read.
func (p *connPool) put(sc *serverConn, now time.Time) {
	sc.idleSince = now
	p.mu.Lock()
	if len(p.idle) < maxIdlePerServer {
		p.idle = append(p.idle, sc)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	sc.close()
}

// closeIdle closes every idle connection (server going down, shutdown).
func (p *connPool) closeIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, sc := range idle {
		sc.close()
	}
}

// dial opens a new connection to the server within timeout.
func (p *connPool) dial(ctx context.Context, timeout time.Duration) (*serverConn, error) {
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", p.srv.addr)
	if err != nil {
		return nil, err
	}
	tc := c.(*net.TCPConn)
	_ = tc.SetNoDelay(true)
	sc, _ := p.bufs.Get().(*serverConn)
	if sc == nil {
		bufSize := p.srv.be.rt.bufSize
		sc = &serverConn{srv: p.srv, br: bufio.NewReaderSize(nil, bufSize), bw: bufio.NewWriterSize(nil, serverWriteBuf)}
	}
	sc.conn = tc
	sc.dl.reset(tc)
	sc.reused = false
	sc.br.Reset(tc)
	sc.bw.Reset(tc)
	return sc, nil
}

// release recycles a closed connection's buffers.
func (p *connPool) release(sc *serverConn) {
	sc.conn = nil
	sc.br.Reset(nil)
	sc.bw.Reset(nil)
	p.bufs.Put(sc)
}

// isTimeout reports a timeout error (connect or read).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}
