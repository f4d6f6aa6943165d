package hacfg

import "strings"

// proxyKeywordMatrix is section 4.1 of HAProxy 2.6's configuration manual,
// "Proxy keywords matrix": every proxy keyword HAProxy 2.6 knows and the
// sections it may appear in (d = defaults, f = frontend, l = listen,
// b = backend). halab implements some of them; the others are accepted with
// a warning, because HAProxy would accept them too.
const proxyKeywordMatrix = `
acl	dflb
backlog	dfl
balance	dlb
bind	fl
bind-process	dflb
capture cookie	fl
capture request header	fl
capture response header	fl
clitcpka-cnt	dfl
clitcpka-idle	dfl
clitcpka-intvl	dfl
compression	dflb
cookie	dlb
declare capture	fl
default-server	dlb
default_backend	dfl
description	flb
disabled	dflb
dispatch	lb
email-alert from	dflb
email-alert level	dflb
email-alert mailers	dflb
email-alert myhostname	dflb
email-alert to	dflb
enabled	dflb
errorfile	dflb
errorfiles	dflb
errorloc	dflb
errorloc302	dflb
errorloc303	dflb
error-log-format	dfl
force-persist	lb
filter	flb
fullconn	dlb
hash-type	dlb
http-after-response	dflb
http-check comment	dlb
http-check connect	dlb
http-check disable-on-404	dlb
http-check expect	dlb
http-check send	dlb
http-check send-state	dlb
http-check set-var	dlb
http-check unset-var	dlb
http-error	dflb
http-request	dflb
http-response	dflb
http-reuse	dlb
http-send-name-header	lb
id	flb
ignore-persist	lb
load-server-state-from-file	dlb
log	dflb
log-format	dfl
log-format-sd	dfl
log-tag	dflb
max-keep-alive-queue	dlb
maxconn	dfl
mode	dflb
monitor fail	fl
monitor-uri	dfl
option abortonclose	dlb
option accept-invalid-http-request	dfl
option accept-invalid-http-response	dlb
option allbackups	dlb
option checkcache	dlb
option clitcpka	dfl
option contstats	dfl
option disable-h2-upgrade	dfl
option dontlog-normal	dfl
option dontlognull	dfl
option forwardfor	dflb
option h1-case-adjust-bogus-client	dfl
option h1-case-adjust-bogus-server	dlb
option http-buffer-request	dflb
option http-ignore-probes	dfl
option http-keep-alive	dflb
option http-no-delay	dflb
option http-pretend-keepalive	dlb
option http-restrict-req-hdr-names	dflb
option http-server-close	dflb
option http-use-proxy-header	dfl
option httpchk	dlb
option httpclose	dflb
option httplog	dfl
option httpslog	dfl
option independent-streams	dflb
option ldap-check	dlb
option external-check	dlb
option log-health-checks	dlb
option log-separate-errors	dfl
option logasap	dfl
option mysql-check	dlb
option nolinger	dflb
option originalto	dflb
option persist	dlb
option pgsql-check	dlb
option prefer-last-server	dlb
option redispatch	dlb
option redis-check	dlb
option smtpchk	dlb
option socket-stats	dfl
option splice-auto	dflb
option splice-request	dflb
option splice-response	dflb
option spop-check	b
option srvtcpka	dlb
option ssl-hello-chk	dlb
option tcp-check	dlb
option tcp-smart-accept	dfl
option tcp-smart-connect	dlb
option tcpka	dflb
option tcplog	dflb
option transparent	dlb
option idle-close-on-response	dfl
external-check command	dlb
external-check path	dlb
persist rdp-cookie	dlb
rate-limit sessions	dfl
redirect	flb
retries	dlb
retry-on	dlb
server	lb
server-state-file-name	dlb
server-template	lb
source	dlb
srvtcpka-cnt	dlb
srvtcpka-idle	dlb
srvtcpka-intvl	dlb
stats admin	flb
stats auth	dflb
stats enable	dflb
stats hide-version	dflb
stats http-request	flb
stats realm	dflb
stats refresh	dflb
stats scope	dflb
stats show-desc	dflb
stats show-legends	dflb
stats show-node	dflb
stats uri	dflb
stick match	lb
stick on	lb
stick store-request	lb
stick store-response	lb
stick-table	flb
tcp-check comment	dlb
tcp-check connect	dlb
tcp-check expect	dlb
tcp-check send	dlb
tcp-check send-lf	dlb
tcp-check send-binary	dlb
tcp-check send-binary-lf	dlb
tcp-check set-var	dlb
tcp-check unset-var	dlb
tcp-request connection	dfl
tcp-request content	dflb
tcp-request inspect-delay	dflb
tcp-request session	dfl
tcp-response content	dlb
tcp-response inspect-delay	dlb
timeout check	dlb
timeout client	dfl
timeout client-fin	dfl
timeout connect	dlb
timeout http-keep-alive	dflb
timeout http-request	dflb
timeout queue	dlb
timeout server	dlb
timeout server-fin	dlb
timeout tarpit	dflb
timeout tunnel	dlb
transparent	dlb
unique-id-format	dfl
unique-id-header	dfl
use_backend	fl
use-fcgi-app	lb
use-server	lb
`

// globalKeywords lists the global-section keywords of HAProxy 2.6
// (section 3 of its configuration manual).
const globalKeywords = `ca-base chroot cluster-secret crt-base cpu-map daemon default-path
description deviceatlas-json-file deviceatlas-log-level deviceatlas-separator
deviceatlas-properties-cookie expose-experimental-directives external-check
fd-hard-limit gid grace group hard-stop-after httpclient.resolvers.id
httpclient.resolvers.prefer httpclient.ssl.ca-file httpclient.ssl.verify
h1-accept-payload-with-any-method h1-case-adjust h1-case-adjust-file
insecure-fork-wanted insecure-setuid-wanted issuers-chain-path
h2-workaround-bogus-websocket-clients localpeer log log-tag log-send-hostname
lua-load lua-load-per-thread lua-prepend-path master-worker mworker-max-reloads
nbthread node numa-cpu-mapping pidfile pp2-never-send-local presetenv resetenv
uid ulimit-n user set-dumpable set-var setenv stats ssl-default-bind-ciphers
ssl-default-bind-ciphersuites ssl-default-bind-curves ssl-default-bind-options
ssl-default-server-ciphers ssl-default-server-ciphersuites
ssl-default-server-options ssl-dh-param-file ssl-propquery ssl-provider
ssl-provider-path ssl-server-verify ssl-skip-self-issued-ca unix-bind unsetenv
51degrees-data-file 51degrees-property-name-list 51degrees-property-separator
51degrees-cache-size wurfl-data-file wurfl-information-list
wurfl-information-list-separator wurfl-cache-size strict-limits busy-polling
max-spread-checks maxconn maxconnrate maxcomprate maxcompcpuusage maxpipes
maxsessrate maxsslconn maxsslrate maxzlibmem no-memory-trimming noepoll
nokqueue noevports nopoll nosplice nogetaddrinfo noreuseport profiling.tasks
spread-checks server-state-base server-state-file ssl-engine ssl-mode-async
tune.buffers.limit tune.buffers.reserve tune.bufsize tune.comp.maxlevel
tune.fd.edge-triggered tune.h2.header-table-size tune.h2.initial-window-size
tune.h2.max-concurrent-streams tune.http.cookielen tune.http.logurilen
tune.http.maxhdr tune.idle-pool.shared tune.idletimer tune.lua.forced-yield
tune.lua.maxmem tune.lua.session-timeout tune.lua.task-timeout
tune.lua.service-timeout tune.maxaccept tune.maxpollevents tune.maxrewrite
tune.pattern.cache-size tune.pipesize tune.pool-high-fd-ratio
tune.pool-low-fd-ratio tune.rcvbuf.client tune.rcvbuf.server tune.recv_enough
tune.runqueue-depth tune.sched.low-latency tune.sndbuf.client tune.sndbuf.server
tune.ssl.cachesize tune.ssl.force-private-cache tune.ssl.hard-maxrecord
tune.ssl.keylog tune.ssl.lifetime tune.ssl.maxrecord tune.ssl.default-dh-param
tune.ssl.ssl-ctx-cache-size tune.ssl.capture-buffer-size
tune.ssl.capture-cipherlist-size tune.vars.global-max-size
tune.vars.proc-max-size tune.vars.reqres-max-size tune.vars.sess-max-size
tune.vars.txn-max-size tune.zlib.memlevel tune.zlib.windowsize quiet
zero-warning debug`

// serverKeywords lists HAProxy 2.6's server and default-server options
// (section 5.2).
const serverKeywords = `addr agent-addr agent-check agent-inter agent-port agent-send allow-0rtt
alpn backup ca-file check check-alpn check-proto check-send-proxy check-sni
check-ssl check-via-socks4 ciphers ciphersuites cookie crl-file crt disabled
downinter enabled error-limit fall fastinter force-sslv3 force-tlsv10
force-tlsv11 force-tlsv12 force-tlsv13 id init-addr inter log-proto max-reuse
maxconn maxqueue minconn namespace no-agent-check no-backup no-check
no-check-ssl no-send-proxy no-send-proxy-v2 no-send-proxy-v2-ssl
no-send-proxy-v2-ssl-cn no-ssl no-ssl-reuse no-sslv3 no-tfo no-tls-tickets
no-tlsv10 no-tlsv11 no-tlsv12 no-tlsv13 no-verifyhost non-stick npn observe
on-error on-marked-down on-marked-up pool-low-conn pool-max-conn
pool-purge-delay port proto proxy-v2-options redir resolve-net resolve-opts
resolve-prefer resolvers rise send-proxy send-proxy-v2 send-proxy-v2-ssl
send-proxy-v2-ssl-cn slowstart sni socks4 source ssl ssl-max-ver ssl-min-ver
ssl-reuse stick tcp-ut tfo tls-tickets track verify verifyhost weight ws`

// bindKeywords lists HAProxy 2.6's bind options (section 5.1).
const bindKeywords = `accept-netscaler-cip accept-proxy allow-0rtt alpn backlog ca-file
ca-ignore-err ca-sign-file ca-sign-pass ca-verify-file ciphers ciphersuites
crl-file crt crt-ignore-err crt-list curves defer-accept ecdhe expose-fd
force-sslv3 force-tlsv10 force-tlsv11 force-tlsv12 force-tlsv13
generate-certificates gid group id interface level maxconn mode mss name
namespace nice no-ca-names no-sslv3 no-tls-tickets no-tlsv10 no-tlsv11
no-tlsv12 no-tlsv13 npn prefer-client-ciphers process proto quic-force-retry
severity-output shards ssl ssl-max-ver ssl-min-ver strict-sni tcp-ut tfo
thread tls-ticket-keys transparent uid user v4v6 v6only verify`

// otherSections are HAProxy 2.6 section keywords halab does not implement.
const otherSections = `userlist peers resolvers mailers program http-errors ring cache
fcgi-app log-forward dynamic-update crt-store traces`

// sectionSet marks the sections a proxy keyword may appear in.
type sectionSet struct{ defaults, frontend, listen, backend bool }

var (
	proxyKeywords     = map[string]sectionSet{}
	globalKeywordSet  = wordSet(globalKeywords)
	serverKeywordSet  = wordSet(serverKeywords)
	bindKeywordSet    = wordSet(bindKeywords)
	otherSectionNames = wordSet(otherSections)
)

func init() {
	for _, line := range strings.Split(proxyKeywordMatrix, "\n") {
		kw, flags, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		proxyKeywords[kw] = sectionSet{
			defaults: strings.Contains(flags, "d"),
			frontend: strings.Contains(flags, "f"),
			listen:   strings.Contains(flags, "l"),
			backend:  strings.Contains(flags, "b"),
		}
	}
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// lookupProxyKeyword finds the matrix entry for a proxy line's words: the
// longest of "w0 w1" and "w0" that HAProxy knows. It returns the keyword as
// the matrix spells it.
func lookupProxyKeyword(words []string) (string, sectionSet, bool) {
	if len(words) > 1 {
		two := words[0] + " " + words[1]
		if s, ok := proxyKeywords[two]; ok {
			return two, s, true
		}
	}
	s, ok := proxyKeywords[words[0]]
	return words[0], s, ok
}

// suggest returns the known word closest to w when it is a likely typo, as
// HAProxy's "did you mean 'x' maybe ?" hint.
func suggest(w string, known map[string]bool) string {
	best, bestDist := "", 3
	for k := range known {
		if d := editDistance(w, k); d < bestDist || d == bestDist && best != "" && k < best {
			best, bestDist = k, d
		}
	}
	if bestDist >= 3 || len(w) < 3 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 40 || len(b) > 40 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
