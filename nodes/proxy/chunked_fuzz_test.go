package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http/httputil"
	"net/textproto"
	"testing"
)

// FuzzChunkedBody feeds chunked bodies to the copier that forwards them
// byte for byte. It must never panic; what it forwards must be exactly the
// input up to where it judged the body to end; and a Go HTTP server (the
// lab's web server) reading the forwarded bytes must either refuse them or
// find the body ending at the same byte: never want more (it would take the
// client's next request as body) nor stop short (the rest would be read as
// a request): the proxy and its server must agree on the framing.
func FuzzChunkedBody(f *testing.F) {
	for _, s := range []string{
		"4\r\nWiki\r\n5;x=y\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: v\r\n\r\nNEXT",
		"0\r\n\r\n", "1\nA\n0\n\n", "5 \t;ext\r\nhello\r\n0\r\n\r\n", "zz\r\n", "4\r\nWi",
		"10000000000000000\r\n", "3\r\nabc\r\n0\r\nA: b\r\nC: d\r\n\r\nGET / HTTP/1.1\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := bufio.NewReaderSize(bytes.NewReader(data), 4096)
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		cp := bodyCopier{dst: w, src: src}
		err := cp.copyChunked()
		_ = w.Flush()
		rest, _ := io.ReadAll(src)
		consumed := len(data) - len(rest)
		if err != nil {
			if !isSourceError(err) {
				t.Fatalf("framing error %v not marked as the source's", err)
			}
			return
		}
		if !bytes.Equal(out.Bytes(), data[:consumed]) {
			t.Fatalf("forwarded %q for the %d-byte body %q", out.Bytes(), consumed, data[:consumed])
		}
		checkGoFraming(t, out.Bytes())
	})
}

// checkGoFraming reads body as net/http's server does: the chunks, then
// the trailer section.
func checkGoFraming(t *testing.T, body []byte) {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(body))
	if _, err := io.Copy(io.Discard, httputil.NewChunkedReader(br)); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("the proxy took %q for a whole chunked body; Go's reader wants more", body)
		}
		return // refused: the server answers 400, framing cannot diverge
	}
	tr := textproto.NewReader(br)
	if _, err := tr.ReadMIMEHeader(); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("the proxy ended %q inside its trailer section, as Go reads it", body)
		}
		return
	}
	if n := br.Buffered(); n != 0 {
		t.Fatalf("Go's reader ends the body %q %d bytes before the proxy does", body, n)
	}
}
