// Package soak runs halab's failover drills on one running lab, round after
// round for a set time, and watches what they leave behind: after every
// drill run it samples each component process's open file descriptors
// (/proc/PID/fd), resident memory (/proc/PID/status VmRSS) and goroutines
// (its control socket's status), the drill runner's own, the lab's network
// namespaces and the size of its directory. The first full round is a
// warm-up; its last sample is the baseline the rest is held to (see
// Limits). `make soak` runs it through cmd/soak.
//
// Sampling reads /proc on this machine, so the lab must be a netns lab.
package soak
