package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"net/netip"
	"strconv"
	"time"
)

// connect picks a server of be for a client at src and connects to it, with
// HAProxy 2.6's connection retries (back_handle_st_cer and
// stream_choose_redispatch, as in 2.6.12): a failed attempt is retried up to
// "retries" times; with "option redispatch" a retry goes to another server
// when the server went down, on the last retry (or every Nth with "option
// redispatch N"), and at once when more than one active server is up and
// the algorithm is not a hash ("source"). After a connection error (not a
// timeout) a retry on the same server, or with a single active server,
// waits min(1 s, timeout connect) first (the turn-around). The picked server
// stays counted in flight until the caller releases it. ok is false when no
// server could be reached (a 503). reuse allows an idle pooled connection
// (HTTP mode).
func (be *backend) connect(src netip.Addr, reuse bool) (srv *server, sc *serverConn, ok bool) {
	idx := be.lb.Pick(src, -1)
	if idx < 0 {
		be.noServer.Add(1)
		return nil, nil, false
	}
	srv = be.servers[idx]
	rt := be.rt
	tries := 0
	for {
		if reuse {
			if sc = srv.pool.get(time.Now()); sc != nil {
				return srv, sc, true
			}
		}
		var err error
		sc, err = srv.pool.dial(rt.ctx, be.cfg.Timeout.Connect)
		if err == nil {
			return srv, sc, true
		}
		timedOut := isTimeout(err)
		if tries >= be.cfg.Retries || rt.ctx.Err() != nil {
			srv.connErrors.Add(1)
			be.connErrors.Add(1)
			be.lb.Release(idx)
			rt.log.Warn("connection to server failed", "backend", be.name, "server", srv.name, "addr", srv.addr, "attempts", tries+1, "err", err)
			return nil, nil, false
		}
		tries++
		redispatch := be.shouldRedispatch(srv, tries)
		if redispatch {
			be.lb.Release(idx)
			next := be.lb.Pick(src, idx)
			if next < 0 {
				be.noServer.Add(1)
				return nil, nil, false
			}
			if next != idx {
				be.redispatches.Add(1)
				be.servers[next].redisp.Add(1)
			} else { // the algorithm gave the same server back
				be.retries.Add(1)
				srv.retries.Add(1)
			}
			idx, srv = next, be.servers[next]
		} else {
			be.retries.Add(1)
			srv.retries.Add(1)
		}
		active, _ := be.lb.Counts()
		if !timedOut && (!redispatch || active <= 1) {
			turnAround := time.Second
			if t := be.cfg.Timeout.Connect; t > 0 && t < turnAround {
				turnAround = t
			}
			select {
			case <-time.After(turnAround):
			case <-rt.ctx.Done():
			}
		}
	}
}

// shouldRedispatch is HAProxy's stream_choose_redispatch decision for the
// retry number tries (1 for the first retry).
func (be *backend) shouldRedispatch(srv *server, tries int) bool {
	cfg := be.cfg
	if !cfg.Redispatch {
		return false
	}
	if !srv.usable() {
		return true
	}
	if every := cfg.RedispatchEvery; every > 0 && tries%every == 0 {
		return true
	} else if every < 0 {
		if div := cfg.Retries + 1 + every; div > 0 && tries%div == 0 {
			return true
		}
	}
	active, _ := be.lb.Counts()
	return !be.hashed && active > 1
}

// forward sends the request in c.req (its head, n bytes, still buffered)
// to a server of be and relays the response. It reports whether the client
// connection stays open.
func (c *clientConn) forward(be *backend, n int) bool {
	fe, req := c.fe, &c.req
	be.requests.Add(1)
	srv, sc, ok := be.connect(c.src, true)
	if !ok {
		fe.gatewayErrors.Add(1)
		return c.replyError(n, resp503)
	}
	defer be.lb.Release(srv.index)
	srv.sessions.Add(1)
	srv.lastSess.Store(time.Now().UnixNano())
	c.setActive(sc)
	defer c.setActive(nil)

	isHead := string(req.method) == "HEAD" // methods are case-sensitive (RFC 9110 §9.1)
	hasBody := req.chunked || req.contentLength > 0
	reqKeep := req.keepAlive()
	upgradeReq := req.connUpgrade
	if req.expectContinue && hasBody && req.minor == 1 {
		// answer the Expect ourselves, so the body can follow the head
		_, _ = c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
		_ = c.bw.Flush()
	}
	xff := fe.cfg.ForwardFor || be.cfg.ForwardFor
	var respLen int
	var err error
	for {
		err = c.sendRequest(sc, n, hasBody, xff)
		if err == nil {
			respLen, err = c.readResponseHead(sc)
		}
		if err != nil && sc.reused && !hasBody && !isTimeout(err) && sc.br.Buffered() == 0 {
			// an idle pooled connection the server had closed: replay once
			// on a fresh one, as the request has not been consumed
			sc.close()
			if sc, err = srv.pool.dial(be.rt.ctx, be.cfg.Timeout.Connect); err != nil {
				srv.connErrors.Add(1)
				be.connErrors.Add(1)
				fe.gatewayErrors.Add(1)
				return c.replyError(n, resp503)
			}
			c.setActive(sc)
			continue
		}
		break
	}
	if !hasBody {
		_, _ = c.br.Discard(n)
	}
	if err != nil && hasBody && isSourceError(err) {
		// the client's body failed: a framing error is a 400, a client that
		// left or stalled just loses its connection (HAProxy's "CD"/"cD")
		sc.close()
		if errors.Is(err, errBadChunk) {
			c.fe.reqErrors.Add(1)
			c.writeErrorPageClose(resp400)
		}
		return false
	}
	if err != nil {
		sc.close()
		srv.respErrors.Add(1)
		be.respErrors.Add(1)
		fe.gatewayErrors.Add(1)
		page := resp502
		if isTimeout(err) {
			page = resp504
		}
		be.rt.log.Warn("bad response from server", "backend", be.name, "server", srv.name, "err", err, "status", page.status)
		c.writeErrorPageClose(page)
		return false
	}
	return c.relayResponse(be, srv, sc, respLen, isHead, reqKeep, upgradeReq)
}

// sendRequest writes the request head (with X-Forwarded-For when asked,
// without the headers the proxy consumed) and its body to the server.
func (c *clientConn) sendRequest(sc *serverConn, n int, hasBody, xff bool) error {
	w := sc.bw
	c.writeRequestHead(w, hasBody, xff)
	if hasBody {
		_, _ = c.br.Discard(n)
		cp := bodyCopier{dst: w, src: c.br, srcDL: &c.dl, srcTimeout: c.fe.clientTimeout()}
		var err error
		if c.req.chunked {
			err = cp.copyChunked()
		} else {
			err = cp.copyN(c.req.contentLength)
		}
		if err != nil {
			return err
		}
	}
	return w.Flush()
}

// writeRequestHead writes the head of the request in c.req as it goes to
// the server, normalised as HAProxy's HTX forwards it: a canonical request
// line when the client's was odd, one Host, one Content-Length (none when
// Transfer-Encoding frames the body), no Expect the proxy answered itself,
// and X-Forwarded-For when xff is set.
func (c *clientConn) writeRequestHead(w *bufio.Writer, hasBody, xff bool) {
	req := &c.req
	if req.oddLine { // canonical request line, as HAProxy forwards it
		_, _ = w.Write(req.method)
		_, _ = w.WriteString(" ")
		_, _ = w.Write(req.uri)
		_, _ = w.WriteString([]string{" HTTP/1.0\r\n", " HTTP/1.1\r\n"}[req.minor])
	}
	var drop func([]byte) bool
	if req.dropLength || req.fixLength || req.dupHost || req.expectContinue {
		hosts := 0
		drop = func(name []byte) bool {
			isHost := req.dupHost && equalFold(name, "host")
			if isHost {
				hosts++
			}
			return (req.dropLength || req.fixLength) && equalFold(name, "content-length") || isHost && hosts > 1 ||
				req.expectContinue && hasBody && req.minor == 1 && equalFold(name, "expect")
		}
	}
	req.writeHead(w, req.oddLine, drop)
	if req.fixLength && !req.dropLength {
		_, _ = w.WriteString("Content-Length: ")
		_, _ = w.Write(strconv.AppendInt(c.scratch[:0], req.contentLength, 10))
		_, _ = w.WriteString("\r\n")
	}
	if xff && c.srcStr != "" {
		_, _ = w.WriteString("X-Forwarded-For: ")
		_, _ = w.WriteString(c.srcStr)
		_, _ = w.WriteString("\r\n")
	}
	_, _ = w.WriteString("\r\n")
}

// readResponseHead waits for the server's final response head (relaying
// 1xx interim responses) and parses it into c.resp.
func (c *clientConn) readResponseHead(sc *serverConn) (int, error) {
	be := sc.srv.be
	sc.dl.armRead(be.cfg.Timeout.Server)
	for {
		n, err := readHead(sc.br, be.rt.bufSize)
		if err != nil {
			return 0, err
		}
		buf, _ := sc.br.Peek(n)
		if err := parseResponseHead(buf, &c.resp, be.rt.maxHdr); err != nil {
			return 0, err
		}
		if c.resp.teOther { // a coding the client may not know: 502, as HAProxy
			return 0, errOtherCoding
		}
		if c.resp.status >= 200 || c.resp.status == 101 {
			if c.resp.chunked && !firstChunkValid(sc.br, n) {
				return 0, errBadChunk // caught before the head goes out: a 502
			}
			return n, nil
		}
		_, _ = c.bw.Write(buf) // 100 Continue, 103 Early Hints: relay as is
		_, _ = sc.br.Discard(n)
		if err := c.bw.Flush(); err != nil {
			return 0, err
		}
	}
}

// firstChunkValid checks the chunk-size line following a head of n bytes
// when it is already buffered, as HAProxy parses what it received before
// forwarding anything.
func firstChunkValid(br *bufio.Reader, n int) bool {
	buf, _ := br.Peek(br.Buffered())
	rest := buf[n:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return true
	}
	_, ok := parseChunkSize(rest[:i+1])
	return ok
}

// readHead waits until br holds a complete message head of at most limit
// bytes and returns its length.
func readHead(br *bufio.Reader, limit int) (int, error) {
	scanned := 0
	for {
		buf, _ := br.Peek(br.Buffered())
		if end := findHeadEnd(buf, scanned); end >= 0 {
			return end, nil
		}
		if len(buf) >= limit {
			return 0, errHeadTooBig
		}
		if len(buf) > 3 {
			scanned = len(buf) - 3
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			if err == bufio.ErrBufferFull {
				return 0, errHeadTooBig
			}
			return 0, err
		}
	}
}

// writeErrorPageClose answers with page and "Connection: close".
func (c *clientConn) writeErrorPageClose(page errorPage) {
	c.dl.armWrite(c.fe.clientTimeout())
	head, body := page.split()
	_, _ = c.bw.Write(head)
	c.writeLBHeader()
	_, _ = c.bw.WriteString("Connection: close\r\n")
	_, _ = c.bw.Write(body)
	c.fe.bytesOut.Add(int64(len(page.raw)))
}
