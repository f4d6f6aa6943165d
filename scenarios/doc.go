// Package scenarios runs failover drills against a running lab and reports
// what they measured (DESIGN.md, "Drills and measurement").
//
// # Drill files
//
// A drill is a YAML file. Decoding is strict: unknown keys are errors, and
// [ParseDrill] reports every problem at once as file:line:column, as lab
// files do (a *lab.ValidationError).
//
//	name: master-poweroff            # lowercase letters, digits, dashes
//	title: Power off the master      # one line
//	teaches: >                       # a sentence: what the drill teaches
//	  When the master dies without a word, …
//	lab: seed                        # the lab(s) it is written for: a name or a list
//	no_split_brain: true             # optional: no two VIP holders at any time
//	steps:
//	  - vip_on: {node: lb1, within: 10s}
//	  - fault: crash lb1
//	  - vip_on: {node: lb2, within: 4.5s}
//	  - outage: {at_most: 4.2s}
//	  - restore: lb1
//
// Each step is a mapping with one key. Acts:
//
//	fault: "crash lb1"        the words of `halab fault` (lab.ParseFault)
//	restore: lb1              power a crashed node on
//	heal: true                remove every partition, loss and delay
//	wait: 2s                  wait
//	traffic: {rate: 100}      the client probe's rate (0 pauses)
//	say: "text"               narration shown to the user
//
// Expectations, evaluated live from the moment the step starts:
//
//	vip_on: {node: lb2, within: 4s}           exactly lb2 holds the VIP (kernel truth)
//	vip_on: {nodes: [lb1, lb2], within: 5s}   exactly these hold it (a split brain); [] for nobody
//	state: {node: lb1, state: MASTER, within: 5s}   VRRP state: MASTER, BACKUP, FAULT, DOWN (not running)
//	success: {at_least: 99%, over: 5s}        share of requests answered over the next 5 s (or at_most)
//	failed: {at_most: 1, over: 8s}            failed requests over the next 8 s
//	outage: {at_most: 3.7s}                   the probe's longest outage since measurement began
//	no_split_brain: {for: 5s}                 no two VIP holders over the next 5 s
//	backend: {server: webserver1, state: DOWN, within: 7s}   what the proxies' health checks say
//	                                          (node: lb1 to ask one proxy; default every proxy)
//
// Durations take a unit (2s, 500ms); within may be left out (the answer
// must hold at once).
//
// # Running
//
// [Run] plays a drill against a [Lab]: it waits for the lab to be steady
// (one VIP holder, the client answered), resets the client probe (the start
// of measurement, from which every offset counts), runs the steps while it
// follows the lab's event stream and polls which nodes hold the VIP, reports
// each step through Options.Progress as it starts and ends, and always
// undoes the faults it applied and the probe rate it changed, newest first
// (crash → restore, kill and stop → start, link down → up, partition, loss
// and delay → heal): also when an expectation fails or ctx is cancelled.
// [RunRepeated] runs a drill N times and gives min, median and max of each
// figure.
//
// # Reports
//
// A [Report] holds each step with its time and result; the measurements:
// outage as the probe defines it (the longest interval between two
// consecutive successful answers), failed requests, and for each fault the
// time until the VIP moved, until the lab noticed (track script, health
// checks) and until answers came back, each beside the protocol's bound for
// the lab's timers (from its keepalived.conf and haproxy.cfg: master-down
// interval, skew time, script and health-check intervals); and a timeline
// of requests per bucket with VIP-owner bands and fault marks. It marshals
// to JSON as it is and renders as Markdown ([Report.Markdown]) with the
// timeline as a self-contained SVG ([Report.SVG]).
//
// scenarios/livelab implements [Lab] over a lab built by the netns
// provider.
package scenarios
