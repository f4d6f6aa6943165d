// Package bench measures halab side by side with the reference programs
// (keepalived, HAProxy, nginx from Debian, built into the same lab by
// shared/tools/reflab.sh) in one run, so that the figures in the README are
// ratios taken under the same conditions. Run with `make bench` as root.
package bench
