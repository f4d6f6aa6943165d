package proxy

import (
	"bufio"
	"bytes"
	"errors"
)

// Parse errors of HTTP/1.x message heads. A request that fails to parse gets
// a 400, a response a 502, as in HAProxy.
var (
	errMalformed   = errors.New("malformed HTTP message head")
	errHeadTooBig  = errors.New("HTTP message head larger than the buffer")
	errBadLength   = errors.New("invalid or conflicting Content-Length")
	errBadEncoding = errors.New("Transfer-Encoding not ending with chunked")
	// errOtherCoding is a chunked request with another coding before it:
	// HAProxy 2.6.12 answers 422 (a response gets a 502).
	errOtherCoding = errors.New("Transfer-Encoding with a coding other than chunked")
	errBadHost     = errors.New("several different Host headers")
	// errTooManyHeaders is a head with tune.http.maxhdr header lines or
	// more: HAProxy 2.6 answers a request with 400, a response with 502.
	errTooManyHeaders = errors.New("more header lines than tune.http.maxhdr allows")
)

// header locates one header line inside a message head.
type header struct {
	start    int // first byte of the line
	nameEnd  int // the colon
	valStart int
	valEnd   int // value without trailing blanks
	end      int // after the line's LF
}

// messageHead is a parsed HTTP/1.x request or response head. Its slices point
// into raw, which points into a connection's read buffer: they are valid
// until that buffer is read again.
type messageHead struct {
	raw     []byte
	lineEnd int // end of the start line (after LF)
	headers []header
	minor   int // HTTP/1.<minor>

	// request
	method []byte
	uri    []byte
	// response
	status int

	contentLength int64 // -1 when absent
	chunked       bool
	teOther       bool // a Transfer-Encoding coding other than chunked
	dropLength    bool // Content-Length to remove (Transfer-Encoding wins)
	// fixLength: Content-Length came as a list or several times (all equal);
	// it is forwarded as one header, as HAProxy normalises it
	fixLength bool
	host      []byte
	dupHost   bool // the same Host again: forwarded once, as HAProxy merges it
	// oddLine: the request line is not "METHOD SP URI SP HTTP/1.x": it is
	// forwarded rewritten, as HAProxy's HTX rebuilds it
	oddLine bool
	// bareLF: some line ends with LF alone; lines are forwarded with CRLF
	bareLF         bool
	connClose      bool
	connKeepAlive  bool
	connUpgrade    bool
	expectContinue bool
}

func (h *messageHead) reset(raw []byte) {
	hdrs := h.headers[:0]
	*h = messageHead{raw: raw, headers: hdrs, contentLength: -1}
}

// name returns the header's name, value its value.
func (h *messageHead) name(x header) []byte  { return h.raw[x.start:x.nameEnd] }
func (h *messageHead) value(x header) []byte { return h.raw[x.valStart:x.valEnd] }

// lookup returns the first value of the named header (case-insensitive).
func (h *messageHead) lookup(name string) ([]byte, bool) {
	for _, x := range h.headers {
		if equalFold(h.name(x), name) {
			return h.value(x), true
		}
	}
	return nil, false
}

// findHeadEnd returns the length of the head at the start of buf (through
// the empty line ending it), or -1 if it is not complete yet. from is where
// to resume scanning. Bare LF line ends are accepted, as HAProxy does.
func findHeadEnd(buf []byte, from int) int {
	for i := from; i < len(buf); i++ {
		j := bytes.IndexByte(buf[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j
		// an empty line is "\n" right after a previous "\n", or "\r\n" there
		if i >= 1 && buf[i-1] == '\n' {
			return i + 1
		}
		if i >= 2 && buf[i-1] == '\r' && buf[i-2] == '\n' {
			return i + 1
		}
	}
	return -1
}

// parseRequestHead parses a request head ("METHOD URI HTTP/1.x" and
// headers) of fewer than maxHdr counted header lines.
func parseRequestHead(raw []byte, h *messageHead, maxHdr int) error {
	h.reset(raw)
	line, rest, ok := h.cutLine(raw)
	if !ok {
		return errMalformed
	}
	h.lineEnd = len(raw) - len(rest)
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 || !isToken(line[:sp]) {
		return errMalformed
	}
	h.method = line[:sp]
	full := len(line)
	line = bytes.TrimLeft(line[sp:], " ") // HAProxy tolerates repeated spaces
	sp = bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return errMalformed // HTTP/0.9 requests and empty URIs are refused
	}
	h.uri = line[:sp]
	for _, c := range h.uri {
		if c <= ' ' || c >= 0x7f { // as HAProxy without accept-invalid-http-request
			return errMalformed
		}
	}
	if !validTarget(h.method, h.uri) {
		return errMalformed
	}
	version := bytes.TrimLeft(line[sp:], " ")
	minor, ok := parseVersion(version)
	if !ok {
		return errMalformed
	}
	h.minor = minor
	h.oddLine = len(h.method)+len(h.uri)+10 != full || version[5] != '1' || version[7] > '1'
	if err := h.parseHeaders(rest, maxHdr); err != nil {
		return err
	}
	switch {
	case h.teOther && !h.chunked:
		return errBadEncoding // a request body must be chunked last
	case h.teOther:
		return errOtherCoding
	}
	return nil
}

// parseResponseHead parses a response head ("HTTP/1.x NNN reason") of
// fewer than maxHdr counted header lines.
func parseResponseHead(raw []byte, h *messageHead, maxHdr int) error {
	h.reset(raw)
	line, rest, ok := h.cutLine(raw)
	if !ok || len(line) < 12 {
		return errMalformed
	}
	h.lineEnd = len(raw) - len(rest)
	minor, ok := parseVersion(line[:8])
	if !ok || line[8] != ' ' {
		return errMalformed
	}
	h.minor = minor
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return errMalformed
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 || len(line) > 12 && line[12] != ' ' {
		return errMalformed
	}
	h.status = code
	return h.parseHeaders(rest, maxHdr)
}

// parseHeaders reads header lines up to the empty line ending the head.
// As HAProxy 2.6's tune.http.maxhdr, a head may hold at most maxHdr-1
// header lines, not counting a Connection header made only of "close"
// and "keep-alive", which HAProxy consumes instead of storing.
func (h *messageHead) parseHeaders(rest []byte, maxHdr int) error {
	counted := 0
	for {
		start := len(h.raw) - len(rest)
		line, next, ok := h.cutLine(rest)
		if !ok {
			return errMalformed
		}
		if len(line) == 0 {
			return nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			return errMalformed // obsolete line folding
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !isToken(line[:colon]) {
			return errMalformed
		}
		vs, ve := colon+1, len(line)
		for vs < ve && (line[vs] == ' ' || line[vs] == '\t') {
			vs++
		}
		for ve > vs && (line[ve-1] == ' ' || line[ve-1] == '\t') {
			ve--
		}
		if bytes.IndexByte(line[vs:ve], 0) >= 0 {
			return errMalformed // NUL; other control bytes pass, as in HAProxy
		}
		if !connectionOnly(line[:colon], line[vs:ve]) {
			if counted++; counted >= maxHdr {
				return errTooManyHeaders
			}
		}
		x := header{start: start, nameEnd: start + colon, valStart: start + vs, valEnd: start + ve, end: len(h.raw) - len(next)}
		h.headers = append(h.headers, x)
		if err := h.noteHeader(line[:colon], line[vs:ve]); err != nil {
			return err
		}
		rest = next
	}
}

// connectionOnly reports whether a header is a Connection header holding
// nothing but "close" and "keep-alive" tokens.
func connectionOnly(name, value []byte) bool {
	if len(name) != 10 || !equalFold(name, "connection") {
		return false
	}
	only := true
	forEachToken(value, func(tok []byte) {
		only = only && (len(tok) == 0 || equalFold(tok, "close") || equalFold(tok, "keep-alive"))
	})
	return only
}

// noteHeader records what the proxy must know about a header.
func (h *messageHead) noteHeader(name, value []byte) error {
	switch len(name) {
	case 14:
		if equalFold(name, "content-length") {
			n, ok := parseContentLength(value)
			if !ok || h.contentLength >= 0 && h.contentLength != n {
				return errBadLength
			}
			if h.contentLength >= 0 || bytes.IndexByte(value, ',') >= 0 {
				h.fixLength = true
			}
			h.contentLength = n
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			// the last coding decides whether the body is chunked; chunked
			// must be last and only once
			twice := false
			forEachToken(value, func(tok []byte) {
				isChunked := equalFold(tok, "chunked")
				twice = twice || isChunked && h.chunked
				h.teOther = h.teOther || !isChunked
				h.chunked = isChunked
			})
			if twice {
				return errBadEncoding
			}
		}
	case 10:
		if equalFold(name, "connection") {
			forEachToken(value, func(tok []byte) {
				switch {
				case equalFold(tok, "close"):
					h.connClose = true
				case equalFold(tok, "keep-alive"):
					h.connKeepAlive = true
				case equalFold(tok, "upgrade"):
					h.connUpgrade = true
				}
			})
		}
	case 6:
		if equalFold(name, "expect") && equalFold(value, "100-continue") {
			h.expectContinue = true
		}
	case 4:
		if equalFold(name, "host") {
			if h.host != nil && !bytes.EqualFold(h.host, value) {
				return errBadHost
			}
			h.dupHost = h.host != nil
			h.host = value
		}
	}
	if (h.chunked || h.teOther) && h.contentLength >= 0 {
		h.dropLength = true // RFC 9112 §6.3: Transfer-Encoding overrides
	}
	return nil
}

// headersEnd is the offset just after the last header line.
func (h *messageHead) headersEnd() int {
	if k := len(h.headers); k > 0 {
		return h.headers[k-1].end
	}
	return h.lineEnd
}

// writeHead copies the head to w without its final blank line: the start
// line (unless skipStart), then every header drop does not reject. Runs of
// kept lines go out in one write; a head with bare LF line ends is
// rewritten with CRLF, as HAProxy emits it.
func (h *messageHead) writeHead(w *bufio.Writer, skipStart bool, drop func(name []byte) bool) {
	raw := h.raw
	if !h.bareLF {
		pos := 0
		if skipStart {
			pos = h.lineEnd
		}
		for _, x := range h.headers {
			if drop != nil && drop(h.name(x)) {
				_, _ = w.Write(raw[pos:x.start])
				pos = x.end
			}
		}
		_, _ = w.Write(raw[pos:h.headersEnd()])
		return
	}
	if !skipStart {
		writeCRLFLine(w, raw[:h.lineEnd])
	}
	for _, x := range h.headers {
		if drop == nil || !drop(h.name(x)) {
			writeCRLFLine(w, raw[x.start:x.end])
		}
	}
}

func writeCRLFLine(w *bufio.Writer, line []byte) {
	_, _ = w.Write(bytes.TrimRight(line, "\r\n"))
	_, _ = w.WriteString("\r\n")
}

// keepAlive reports whether the sender of this head wants the connection
// kept open: the HTTP/1.1 default unless "close", HTTP/1.0 only with
// "keep-alive".
func (h *messageHead) keepAlive() bool {
	if h.minor >= 1 {
		return !h.connClose
	}
	return h.connKeepAlive && !h.connClose
}

func parseContentLength(v []byte) (int64, bool) {
	var n int64 = -1
	ok := true
	forEachToken(v, func(tok []byte) { // "5, 5" is tolerated when all equal
		var x int64
		if len(tok) == 0 || len(tok) > 18 {
			ok = false
			return
		}
		for _, c := range tok {
			if c < '0' || c > '9' {
				ok = false
				return
			}
			x = x*10 + int64(c-'0')
		}
		if n >= 0 && n != x {
			ok = false
		}
		n = x
	})
	return n, ok && n >= 0
}

// validTarget accepts the request-target forms HAProxy does: origin form
// ("/path"), "*" (OPTIONS), absolute form ("http://host/…") and authority
// form (CONNECT host:port).
func validTarget(method, uri []byte) bool {
	switch {
	case uri[0] == '/':
		return true
	case len(uri) == 1 && uri[0] == '*':
		return true
	case string(method) == "CONNECT": // case-sensitive, as HAProxy
		return true
	}
	i := bytes.Index(uri, []byte("://"))
	return i > 0 && isToken(uri[:i])
}

// parseVersion reads "HTTP/<digit>.<digit>" as HAProxy's parser does,
// refusing HTTP/0.x; it returns 0 for HTTP/1.0 (close by default) and 1 for
// the later versions (keep-alive by default).
func parseVersion(b []byte) (int, bool) {
	if len(b) != 8 || string(b[:5]) != "HTTP/" || b[6] != '.' || b[5] < '1' || b[5] > '9' || b[7] < '0' || b[7] > '9' {
		return 0, false
	}
	if b[5] == '1' && b[7] == '0' {
		return 0, true
	}
	return 1, true
}

// cutLine returns the line at the start of b without its CRLF or LF,
// noting a bare LF.
func (h *messageHead) cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, nil, false
	}
	line = b[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	} else if i > 0 {
		h.bareLF = true
	}
	if bytes.IndexByte(line, '\r') >= 0 {
		return nil, nil, false // a lone CR inside a line
	}
	return line, b[i+1:], true
}

func forEachToken(v []byte, fn func([]byte)) {
	for len(v) > 0 {
		i := bytes.IndexByte(v, ',')
		tok := v
		if i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		fn(bytes.TrimSpace(tok))
	}
}

// tokenChars marks RFC 9110 tchar.
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken(b []byte) bool {
	for _, c := range b {
		if !tokenChars[c] {
			return false
		}
	}
	return len(b) > 0
}

// equalFold compares ASCII case-insensitively.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c, d := b[i], s[i]
		if c != d && c|0x20 != d|0x20 {
			return false
		}
		if c != d && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return true
}
