package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

// clientWriteBuf is the size of a client connection's write buffer.
const clientWriteBuf = 16384

// connBuffers are the pooled buffers of a client connection. The write
// buffer is taken only while there is an answer to write (see takeWriter).
type connBuffers struct {
	br   *bufio.Reader
	bw   *bufio.Writer
	req  messageHead
	resp messageHead
}

// clientConn is one client connection of an HTTP frontend.
type clientConn struct {
	fe   *frontend
	conn *net.TCPConn
	*connBuffers
	src    netip.Addr
	srcStr string
	dl     connDeadlines
	// scratch formats numbers without allocating
	scratch [24]byte

	mu       sync.Mutex
	idle     bool // waiting for the next request
	stopping bool
	active   net.Conn // the server connection in use, closed by forceClose
}

// stop asks the connection to end after its current request; an idle one
// is woken at once.
func (c *clientConn) stop() {
	c.mu.Lock()
	c.stopping = true
	if c.idle {
		_ = c.conn.SetReadDeadline(time.Unix(1, 0)) // the cached deadline is now stale: reads fail
	}
	c.mu.Unlock()
}

// forceClose ends the connection and the server connection it uses now.
func (c *clientConn) forceClose() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.conn.Close()
	if c.active != nil {
		_ = c.active.Close()
	}
}

func (c *clientConn) isStopping() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopping
}

func (c *clientConn) setActive(sc *serverConn) {
	c.mu.Lock()
	c.active = nil
	if sc != nil {
		c.active = sc.conn
	}
	c.mu.Unlock()
}

// serveHTTP runs the request loop of one client connection: keep-alive,
// pipelining, timeouts and limits as HAProxy's HTTP mode.
func (fe *frontend) serveHTTP(conn *net.TCPConn) {
	rt := fe.rt
	bufs, _ := rt.bufPool.Get().(*connBuffers)
	if bufs == nil {
		bufs = &connBuffers{br: bufio.NewReaderSize(nil, rt.bufSize)}
	}
	bufs.br.Reset(conn)
	c := &clientConn{fe: fe, conn: conn, connBuffers: bufs}
	c.dl.reset(conn)
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		c.src = ap.Addr().Unmap()
		c.srcStr = c.src.String()
	}
	defer func() {
		_ = conn.Close()
		if c.bw != nil {
			c.bw.Reset(nil)
			rt.writerPool.Put(c.bw)
			c.bw = nil
		}
		bufs.br.Reset(nil)
		rt.bufPool.Put(bufs)
	}()
	if !rt.conns.add(c) {
		return
	}
	defer rt.conns.remove(c)
	_ = conn.SetNoDelay(true)

	first := true
	for {
		n, err := c.readRequestHead(first)
		if err != nil {
			c.requestError(err)
			return
		}
		c.takeWriter()
		fe.requests.Add(1)
		fe.bytesIn.Add(int64(n))
		keep := c.handleRequest(n)
		if !keep || c.isStopping() {
			_ = c.bw.Flush()
			return
		}
		first = false
	}
}

// Head-reading outcomes that are not plain I/O errors.
var (
	errIdleTimeout = errors.New("keep-alive timeout")
	errPartialHead = errors.New("request head timed out")
	errClientGone  = errors.New("client closed the connection")
)

// readRequestHead waits for a complete request head and parses it into
// c.req; it returns the head's length (the head stays in the read buffer).
// The first request must arrive within "timeout http-request" of the
// accept; a later one may idle for "timeout http-keep-alive", then has
// "timeout http-request" once its first byte arrived.
func (c *clientConn) readRequestHead(first bool) (int, error) {
	fe := c.fe
	now := time.Now()
	c.mu.Lock()
	if c.stopping {
		c.mu.Unlock()
		return 0, errClientGone
	}
	if first {
		c.dl.read.arm(c.conn.SetReadDeadline, now, fe.requestTimeout())
	} else {
		c.dl.read.arm(c.conn.SetReadDeadline, now, fe.keepAliveTimeout())
		c.idle = true
	}
	c.mu.Unlock()

	br := c.br
	scanned := 0
	extended := first
	for {
		buf, _ := br.Peek(br.Buffered())
		// empty lines before a request are ignored (RFC 9112 §2.2)
		for len(buf) > 0 && (buf[0] == '\r' || buf[0] == '\n') {
			_, _ = br.Discard(1)
			buf = buf[1:]
			scanned = 0
		}
		if end := findHeadEnd(buf, scanned); end >= 0 {
			c.markBusy()
			if end > c.fe.rt.headLimit {
				return end, errHeadTooBig
			}
			if err := parseRequestHead(buf[:end], &c.req, c.fe.rt.maxHdr); err != nil {
				return end, err
			}
			return end, nil
		}
		if len(buf) >= c.fe.rt.headLimit {
			c.markBusy()
			return 0, errHeadTooBig
		}
		if len(buf) > 0 && !extended {
			// the request has started: it now has "timeout http-request"
			c.markBusy()
			c.dl.read.force(c.conn.SetReadDeadline, deadline(time.Now(), fe.requestTimeout()))
			extended = true
		}
		if len(buf) > 3 {
			scanned = len(buf) - 3
		}
		if c.bw != nil { // answers go out before waiting, then the buffer goes back
			if err := c.bw.Flush(); err != nil {
				return 0, err
			}
			c.releaseWriter()
		}
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			started := br.Buffered() > 0
			switch {
			case isTimeout(err) && (first || started):
				return 0, errPartialHead
			case isTimeout(err):
				return 0, errIdleTimeout
			case err == bufio.ErrBufferFull:
				return 0, errHeadTooBig
			case err == io.EOF && !started:
				return 0, errClientGone
			}
			return 0, err
		}
	}
}

// takeWriter gives the connection a write buffer from the pool when it has
// none. As HAProxy allocates buffers on demand, a connection still
// receiving its request head, or idle between requests, holds no output
// buffer: thousands of slow or idle clients cost half the memory.
func (c *clientConn) takeWriter() {
	if c.bw != nil {
		return
	}
	bw, _ := c.fe.rt.writerPool.Get().(*bufio.Writer)
	if bw == nil {
		bw = bufio.NewWriterSize(nil, clientWriteBuf)
	}
	bw.Reset(c.conn)
	c.bw = bw
}

// releaseWriter returns the write buffer to the pool once it is empty.
func (c *clientConn) releaseWriter() {
	if c.bw == nil || c.bw.Buffered() > 0 {
		return
	}
	c.bw.Reset(nil)
	c.fe.rt.writerPool.Put(c.bw)
	c.bw = nil
}

func (c *clientConn) markBusy() {
	c.mu.Lock()
	c.idle = false
	c.mu.Unlock()
}

// requestError answers a request that could not be read: 400 for a
// malformed or too large head, 408 for one that did not arrive in time
// (also on a first request that never came, as HAProxy 2.6), nothing when
// the client left or an idle keep-alive connection expired.
func (c *clientConn) requestError(err error) {
	var page errorPage
	switch {
	case errors.Is(err, errPartialHead):
		page = resp408
	case errors.Is(err, errOtherCoding):
		page = resp422
	case errors.Is(err, errHeadTooBig), errors.Is(err, errMalformed), errors.Is(err, errBadHost),
		errors.Is(err, errBadLength), errors.Is(err, errBadEncoding), errors.Is(err, errTooManyHeaders):
		page = resp400
	default:
		return
	}
	if c.isStopping() && page.status == 408 {
		return // woken by a graceful stop, not a slow client
	}
	c.fe.reqErrors.Add(1)
	c.takeWriter()
	c.fe.rt.log.Debug("invalid request", "frontend", c.fe.name, "client", c.srcStr, "err", err, "status", page.status)
	c.dl.write.force(c.conn.SetWriteDeadline, time.Now().Add(time.Second))
	c.writeErrorPage(page)
	_ = c.bw.Flush()
}

// writeErrorPage sends one of HAProxy's error pages with X-Halab-LB.
func (c *clientConn) writeErrorPage(page errorPage) {
	head, body := page.split()
	_, _ = c.bw.Write(head)
	c.writeLBHeader()
	_, _ = c.bw.Write(body)
	c.fe.bytesOut.Add(int64(len(page.raw)))
}

// writeLBHeader adds "X-Halab-LB: <node>" naming this load balancer.
func (c *clientConn) writeLBHeader() {
	_, _ = c.bw.WriteString("X-Halab-LB: ")
	_, _ = c.bw.WriteString(c.fe.rt.node)
	_, _ = c.bw.WriteString("\r\n")
}

// handleRequest routes and answers the request in c.req, whose head of n
// bytes is still in the read buffer. It reports whether the connection
// stays open.
func (c *clientConn) handleRequest(n int) bool {
	fe := c.fe
	if st := fe.statsFor(c); st != nil {
		return c.serveStats(st, n)
	}
	be := fe.route(c)
	if be == nil {
		fe.gatewayErrors.Add(1)
		return c.replyError(n, resp503)
	}
	return c.forward(be, n)
}

// replyError discards the request (and its body when it can be skipped)
// and answers with page; the connection is kept when the body was read.
func (c *clientConn) replyError(n int, page errorPage) bool {
	keep := c.req.keepAlive() && c.skipBody(n)
	c.dl.armWrite(c.fe.clientTimeout())
	head, body := page.split()
	_, _ = c.bw.Write(head)
	c.writeLBHeader()
	if !keep {
		_, _ = c.bw.WriteString("Connection: close\r\n")
	}
	_, _ = c.bw.Write(body)
	c.fe.bytesOut.Add(int64(len(page.raw)))
	return keep
}

// skipBody drops the request head and a body of known length still to come.
func (c *clientConn) skipBody(n int) bool {
	_, _ = c.br.Discard(n)
	if c.req.chunked || c.req.contentLength > 1<<20 {
		return false
	}
	if c.req.contentLength > 0 {
		c.dl.armRead(c.fe.clientTimeout())
		if _, err := c.br.Discard(int(c.req.contentLength)); err != nil {
			return false
		}
	}
	return true
}
