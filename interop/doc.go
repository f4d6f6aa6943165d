// Package interop holds halab's interoperability tests: halab's components
// next to the real programs they stand in for (keepalived, HAProxy, nginx,
// OpenSSH from Debian), on network namespaces built by halab's own lab
// provider. The tests need root; see internal/roottest.
package interop
