package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"time"
)

// errBadChunk reports invalid chunked framing.
var errBadChunk = errors.New("invalid chunked encoding")

// maxChunkLine bounds a chunk-size or trailer line.
const maxChunkLine = 4096

// sourceError marks a failure on the side a body is read from (bad framing
// included), as opposed to the side it is written to: a request body the
// client botched is a 400, not a server error.
type sourceError struct{ err error }

func (e sourceError) Error() string { return e.err.Error() }
func (e sourceError) Unwrap() error { return e.err }

// isSourceError reports whether err happened on the source side.
func isSourceError(err error) bool {
	var se sourceError
	return errors.As(err, &se)
}

// bodyCopier moves message bodies between buffered connections without
// allocating: bytes go from the source reader's buffer straight into the
// destination writer. Before every read that may block, it flushes what the
// destination holds (so a streamed response reaches the client as it comes)
// and pushes the inactivity deadlines: the source's read deadline and, when
// set, the destination's write deadline.
type bodyCopier struct {
	dst        *bufio.Writer
	src        *bufio.Reader
	srcDL      *connDeadlines
	srcTimeout time.Duration
	dstDL      *connDeadlines // nil when the destination has none to push
	dstTimeout time.Duration
}

// refresh pushes the inactivity deadlines before a read that may block.
func (c *bodyCopier) refresh() {
	if c.srcDL != nil {
		c.srcDL.armRead(c.srcTimeout)
	}
	if c.dstDL != nil {
		c.dstDL.armWrite(c.dstTimeout)
	}
}

// fill makes sure src has buffered data, flushing dst first if it must wait.
func (c *bodyCopier) fill() error {
	if c.src.Buffered() > 0 {
		return nil
	}
	if err := c.dst.Flush(); err != nil {
		return err
	}
	c.refresh()
	if _, err := c.src.Peek(1); err != nil {
		return sourceError{err}
	}
	return nil
}

// copyN copies exactly n bytes.
func (c *bodyCopier) copyN(n int64) error {
	for n > 0 {
		if err := c.fill(); err != nil {
			if errors.Is(err, io.EOF) {
				return sourceError{io.ErrUnexpectedEOF}
			}
			return err
		}
		k := c.src.Buffered()
		if int64(k) > n {
			k = int(n)
		}
		b, _ := c.src.Peek(k)
		if _, err := c.dst.Write(b); err != nil {
			return err
		}
		_, _ = c.src.Discard(k)
		n -= int64(k)
	}
	return nil
}

// copyUntilEOF copies until the source closes (a close-delimited response).
func (c *bodyCopier) copyUntilEOF() error {
	for {
		if err := c.fill(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		b, _ := c.src.Peek(c.src.Buffered())
		if _, err := c.dst.Write(b); err != nil {
			return err
		}
		_, _ = c.src.Discard(len(b))
	}
}

// line reads one line (through LF) and copies it.
func (c *bodyCopier) line() ([]byte, error) {
	if buf, _ := c.src.Peek(c.src.Buffered()); bytes.IndexByte(buf, '\n') < 0 {
		if err := c.dst.Flush(); err != nil {
			return nil, err
		}
		c.refresh()
	}
	l, err := c.src.ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull || err == io.EOF {
			return nil, sourceError{errBadChunk}
		}
		return nil, sourceError{err}
	}
	if len(l) > maxChunkLine {
		return nil, sourceError{errBadChunk}
	}
	if _, err := c.dst.Write(l); err != nil {
		return nil, err
	}
	return l, nil
}

// copyChunked forwards a chunked body byte for byte: chunk sizes,
// extensions, data and trailers, checking the framing as it goes.
func (c *bodyCopier) copyChunked() error {
	for {
		l, err := c.line()
		if err != nil {
			return err
		}
		size, ok := parseChunkSize(l)
		if !ok {
			return sourceError{errBadChunk}
		}
		if size == 0 {
			for { // trailer section, ended by an empty line
				t, err := c.line()
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if err := c.copyN(size); err != nil {
			return err
		}
		crlf, err := c.line()
		if err != nil {
			return err
		}
		if len(bytes.TrimRight(crlf, "\r\n")) != 0 {
			return sourceError{errBadChunk}
		}
	}
}

// parseChunkSize reads the hexadecimal size before any ";extension".
func parseChunkSize(l []byte) (int64, bool) {
	l = bytes.TrimRight(l, "\r\n")
	if i := bytes.IndexByte(l, ';'); i >= 0 {
		l = l[:i]
	}
	l = bytes.TrimRight(l, " \t")
	if len(l) == 0 || len(l) > 15 {
		return 0, false
	}
	var n int64
	for _, ch := range l {
		switch {
		case ch >= '0' && ch <= '9':
			n = n<<4 | int64(ch-'0')
		case ch >= 'a' && ch <= 'f':
			n = n<<4 | int64(ch-'a'+10)
		case ch >= 'A' && ch <= 'F':
			n = n<<4 | int64(ch-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}
