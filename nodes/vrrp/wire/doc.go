// Package wire encodes and decodes VRRP packets for IPv4 exactly as
// keepalived 2.2.7 puts them on the wire, so that a halab node and a real
// keepalived node can elect a master and fail over together.
//
// It covers:
//
//   - RFC 3768 (VRRP version 2) and RFC 5798 (VRRP version 3) advertisements
//     ([Advert]), with the version 3 IPv4 pseudo-header checksum computed over
//     the real destination (224.0.0.18, or the unicast peer) as keepalived does
//     ([Checksum], [VerifyChecksum]).
//   - keepalived's version 2 authentication: simple text ("auth_type PASS",
//     the password's first 8 bytes zero padded in the authentication data,
//     [PasswordAuthData]) and IPsec AH after RFC 2402 ("auth_type AH", IP
//     protocol 51, [AHHeader], [ComputeICV], [VerifyICV], [SequenceCounter]).
//   - Whole IPv4 datagrams for a raw socket with IP_HDRINCL: [BuildPacket]
//     writes the header keepalived writes (TOS 0xc0, TTL 255, no DF, an
//     identification the caller counts and never 0), [ParsePacket] reads one
//     back, and [Filter] applies keepalived's receive checks, reporting why a
//     packet was dropped as a [DropReason] the daemon can count.
//
// keepalived's AH is not IPsec as the kernel knows it: the SPI is the sender's
// IPv4 address, the ICV is HMAC-MD5-96 keyed with the 8-byte authentication
// data, computed over the IPv4 header with TOS, fragment field and checksum
// zeroed (and the TTL zeroed when the advert is unicast), the AH header with a
// zero ICV, and the VRRP packet, whose own auth type is 2 and whose
// authentication data is zero. Each VRRP instance keeps one sequence counter
// for what it sends and what it accepts, so a new master continues above the
// last sequence number it saw from the old one.
//
// The package does no I/O. Every rule in it is checked by the tests against
// captures of keepalived 2.2.7 in testdata/.
package wire
