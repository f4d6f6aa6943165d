// Package control is the control-socket protocol every halab component
// speaks: HTTP/1.1 with JSON over a unix socket.
//
//	GET  /status          the component's Status (envelope + component detail)
//	GET  /events?since=N  newline-delimited JSON Events with Seq > N: the
//	                      retained history first, then live ones as they happen
//	POST /action/NAME     run an action; JSON body in, JSON result out
//
// Components (nodes/vrrp, nodes/proxy, nodes/web, nodes/probe) embed a Server;
// the lab and the tools read them with a Client. A filesystem unix socket can
// be reached from the root network namespace without entering the node's
// namespace, and over SSH through direct-streamlocal forwarding, so the same
// Client serves both providers (its Dial is replaceable).
package control
