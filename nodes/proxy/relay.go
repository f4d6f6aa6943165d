package proxy

import (
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// relayResponse writes the response head in c.resp (respLen bytes buffered
// in sc) to the client, then its body, and puts the server connection back
// in the pool when it can serve again. Connection headers are per hop, as in
// HAProxy: the server's are dropped and the client gets "Connection: close"
// when its connection ends, "Connection: keep-alive" when an HTTP/1.0 peer
// needs it to stay open.
func (c *clientConn) relayResponse(be *backend, srv *server, sc *serverConn, respLen int, isHead, reqKeep, upgradeReq bool) bool {
	fe, resp := c.fe, &c.resp
	upgrade := resp.status == 101 && upgradeReq
	noBody := isHead || resp.status < 200 || resp.status == 204 || resp.status == 304
	closeDelimited := !noBody && !resp.chunked && resp.contentLength < 0
	clientKeep := reqKeep && !closeDelimited && !upgrade && !c.isStopping()
	serverKeep := resp.keepAlive() && !closeDelimited && !upgrade

	c.dl.armWrite(fe.clientTimeout())
	w := c.bw
	resp.writeHead(w, false, func(name []byte) bool {
		return !upgrade && (equalFold(name, "connection") || equalFold(name, "keep-alive")) ||
			(resp.dropLength || resp.fixLength) && equalFold(name, "content-length")
	})
	if resp.fixLength && !resp.dropLength {
		_, _ = w.WriteString("Content-Length: ")
		_, _ = w.Write(strconv.AppendInt(c.scratch[:0], resp.contentLength, 10))
		_, _ = w.WriteString("\r\n")
	}
	c.writeLBHeader()
	switch {
	case upgrade:
	case !clientKeep:
		_, _ = w.WriteString("Connection: close\r\n")
	case resp.minor == 0 || c.req.minor == 0:
		_, _ = w.WriteString("Connection: keep-alive\r\n")
	}
	_, _ = w.WriteString("\r\n")
	_, _ = sc.br.Discard(respLen)
	out := int64(respLen)

	if upgrade {
		if err := w.Flush(); err != nil {
			sc.close()
			return false
		}
		c.tunnel(sc)
		return false
	}
	if !noBody {
		cp := bodyCopier{dst: w, src: sc.br, srcDL: &sc.dl, srcTimeout: be.cfg.Timeout.Server,
			dstDL: &c.dl, dstTimeout: fe.clientTimeout()}
		var err error
		switch {
		case resp.chunked:
			err = cp.copyChunked()
		case resp.contentLength >= 0:
			err = cp.copyN(resp.contentLength)
			out += resp.contentLength
		default:
			err = cp.copyUntilEOF()
		}
		if err != nil {
			// the response is cut: the client cannot trust this connection
			sc.close()
			srv.respErrors.Add(1)
			be.respErrors.Add(1)
			_ = w.Flush()
			return false
		}
	}
	srv.bytesOut.Add(out)
	be.bytesOut.Add(out)
	fe.bytesOut.Add(out)
	if serverKeep && sc.br.Buffered() == 0 {
		srv.pool.put(sc, time.Now())
	} else {
		sc.close()
	}
	if c.br.Buffered() == 0 || !clientKeep {
		if err := w.Flush(); err != nil {
			return false
		}
	}
	return clientKeep
}

// tunnel relays bytes both ways after a 101 Switching Protocols (WebSocket
// and other upgrades), as HAProxy's tunnel mode, until both sides closed.
func (c *clientConn) tunnel(sc *serverConn) {
	fe := c.fe
	idle := fe.rt.cfgTunnelTimeout(fe, sc.srv.be)
	c.dl.read.force(c.conn.SetReadDeadline, time.Time{})
	c.dl.write.force(c.conn.SetWriteDeadline, time.Time{})
	sc.dl.read.force(sc.conn.SetReadDeadline, time.Time{})
	sc.dl.write.force(sc.conn.SetWriteDeadline, time.Time{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // client -> server, starting with what is already buffered
		defer wg.Done()
		pipe(sc.conn, c.conn, c.br, idle)
	}()
	pipe(c.conn, sc.conn, sc.br, idle)
	wg.Done()
	wg.Wait()
	sc.close()
}

// cfgTunnelTimeout is "timeout tunnel", else the larger of client and server.
func (rt *runtime) cfgTunnelTimeout(fe *frontend, be *backend) time.Duration {
	if t := be.cfg.Timeout.Tunnel; t > 0 {
		return t
	}
	return max(fe.cfg.Timeout.Client, be.cfg.Timeout.Server)
}

// copyBufPool holds copy buffers for tunnels and TCP mode.
var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 16384); return &b }}

// pipe copies from src (after the bytes already in pre) to dst until EOF,
// then half-closes dst's write side. idle is an inactivity timeout (0 for
// none), refreshed on every read.
func pipe(dst, src *net.TCPConn, pre io.Reader, idle time.Duration) int64 {
	var total int64
	if pre != nil {
		if br, ok := pre.(interface{ Buffered() int }); ok && br.Buffered() > 0 {
			n, err := io.CopyN(dst, pre, int64(br.Buffered()))
			total += n
			if err != nil {
				closeBoth(src, dst)
				return total
			}
		}
	}
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	buf := *bp
	for {
		if idle > 0 {
			_ = src.SetReadDeadline(time.Now().Add(idle))
		}
		n, err := src.Read(buf)
		if n > 0 {
			if idle > 0 {
				_ = dst.SetWriteDeadline(time.Now().Add(idle))
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				closeBoth(src, dst) // the peer is gone or stuck: end the session
				return total
			}
			total += int64(n)
		}
		if err != nil {
			if err != io.EOF {
				closeBoth(src, dst) // timeout or reset: end the session
				return total
			}
			break
		}
	}
	_ = dst.CloseWrite()
	return total
}

// closeBoth ends a tunnel at once; the other direction's copy then fails
// and returns.
func closeBoth(a, b *net.TCPConn) {
	_ = a.Close()
	_ = b.Close()
}
