// Package kaconf reads the keepalived.conf subset halab's VRRP daemon runs,
// so that a configuration written for keepalived 2.2.7 means the same to
// halab, and halab says what keepalived says about it.
//
// The syntax is keepalived's own: words separated by white space; "..."
// keeps spaces in one word; '!' and '#' start a comment (also after words,
// and also escaped as "\#" outside quotes, since keepalived's VRRP process
// re-reads the line without the backslash); every '{' and '}' outside quotes
// stands alone, so "global_defs { vrrp_version 2" is a block keyword, a '{'
// and a line of the block; include FILE reads the files matching a glob
// pattern, relative to the including file.
//
// The subset: global_defs (router_id, vrrp_version, script_user,
// enable_script_security, vrrp_garp_master_delay, vrrp_garp_master_repeat),
// vrrp_script (script, interval, timeout, weight [reverse], rise, fall),
// vrrp_track_process (process, param_match, weight [reverse], quorum,
// quorum_max, delay, fork_delay, terminate_delay, full_command) and
// vrrp_instance (state, interface, virtual_router_id, priority, advert_int,
// version, nopreempt, preempt, preempt_delay, authentication { auth_type
// PASS|AH; auth_pass }, unicast_src_ip, unicast_peer, virtual_ipaddress,
// track_script, track_interface, track_process, notify_master,
// notify_backup, notify_fault, notify_stop, notify, garp_master_delay,
// garp_master_repeat).
//
// The model holds the values keepalived 2.2.7 ends up using, after the
// adjustments it makes and warns about: auth_pass truncated to 8
// characters, a MASTER initial state with AH authentication started as
// BACKUP, authentication ignored with VRRP version 3, version 2 advert
// intervals rounded to whole seconds, a priority of 255 for state MASTER
// without a priority, and so on. Each adjustment is a warning; an invalid
// value (virtual_router_id 0, priority 300, a malformed address) or a broken
// block structure is an error, which halab refuses where keepalived would
// carry on with a different value. A keyword keepalived does not know is a
// warning, "Unknown keyword 'x'", as keepalived says; one it knows and halab
// does not support is a warning too. All problems are returned at once,
// each with file:line and, where the message is keepalived's, keepalived's
// words.
//
// Not supported, beyond the unsupported keywords: IPv6, $definitions,
// @conditionals, ~SEQ, and the checks keepalived makes against the running
// system (interfaces, users and script files exist).
package kaconf
