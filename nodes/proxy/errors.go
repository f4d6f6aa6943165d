package proxy

import (
	"fmt"
	"strconv"
)

// errorPage is one of HAProxy 2.6's built-in error responses (http_err_msgs
// in src/http.c): the same status lines, headers and short HTML bodies, so a
// client cannot tell halab's 503 from HAProxy's.
type errorPage struct {
	status int
	raw    []byte
}

// The responses halab sends itself.
var (
	resp400 = newErrorPage(400, "Bad request", "Your browser sent an invalid request.", true)
	resp408 = newErrorPage(408, "Request Time-out", "Your browser didn't send a complete request in time.", true)
	resp422 = newErrorPage(422, "Unprocessable Content", "The server cannot process the contained instructions.", true)
	resp502 = newErrorPage(502, "Bad Gateway", "The server returned an invalid or incomplete response.", false)
	resp503 = newErrorPage(503, "Service Unavailable", "No server is available to handle this request.", false)
	resp504 = newErrorPage(504, "Gateway Time-out", "The server didn't respond in time.", false)
)

func newErrorPage(status int, reason, text string, close bool) errorPage {
	body := fmt.Sprintf("<html><body><h1>%d %s</h1>\n%s\n</body></html>\n", status, reason, text)
	head := "HTTP/1.1 " + strconv.Itoa(status) + " " + reason + "\r\n" +
		"Content-length: " + strconv.Itoa(len(body)) + "\r\n" +
		"Cache-Control: no-cache\r\n"
	if close {
		head += "Connection: close\r\n"
	}
	head += "Content-Type: text/html\r\n"
	return errorPage{status: status, raw: []byte(head + "\r\n" + body)}
}

// split returns the response's head without its final blank line, so that
// headers can be appended, and the rest: the blank line and the body.
func (e errorPage) split() (head, body []byte) {
	for i := 0; i+3 < len(e.raw); i++ {
		if e.raw[i] == '\r' && e.raw[i+1] == '\n' && e.raw[i+2] == '\r' && e.raw[i+3] == '\n' {
			return e.raw[:i+2], e.raw[i+2:]
		}
	}
	return e.raw, nil
}
