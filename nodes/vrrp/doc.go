// Package vrrp is halab's VRRP daemon, the keepalived of a lab: it reads a
// keepalived.conf (package kaconf), runs one state machine per
// vrrp_instance (package fsm, RFC 3768 / RFC 5798 with keepalived 2.2.7's
// rules), speaks the protocol on raw IPv4 sockets exactly as keepalived puts
// it on the wire (package wire: PASS and AH authentication, unicast peers or
// 224.0.0.18), adds and removes the virtual addresses through netlink,
// announces them with gratuitous ARP, runs vrrp_script tracking checks,
// follows vrrp_track_process blocks (counting the processes of its own
// network namespace, told of a death at once by pidfds), runs notify
// scripts, and reports every transition, with its reason, on the control
// socket.
//
// Run it alone as `halab run vrrp -f keepalived.conf`, as keepalived -f.
// SIGTERM stops it gracefully: a master sends a priority-0 advert and
// releases its addresses, so its backup takes over after the skew time.
package vrrp
