package netns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// faultTable is the nftables table halab's partition and loss faults live
// in, inside a node's namespace; heal deletes it whole.
const faultTable = "halab_fault"

// nftConn opens nftables in a node's namespace.
func nftConn(h netns.NsHandle) (*nftables.Conn, error) {
	return nftables.New(nftables.WithNetNSFd(int(h)))
}

// faultChains makes (or finds) the fault table with an input and an output
// chain, both filtering before anything else.
func faultChains(c *nftables.Conn) (in, out *nftables.Chain) {
	t := c.AddTable(&nftables.Table{Family: nftables.TableFamilyIPv4, Name: faultTable})
	policy := nftables.ChainPolicyAccept
	in = c.AddChain(&nftables.Chain{Name: "input", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityRef(-10), Policy: &policy})
	out = c.AddChain(&nftables.Chain{Name: "output", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookOutput, Priority: nftables.ChainPriorityRef(-10), Policy: &policy})
	return in, out
}

// dropAddresses adds `ip saddr A drop` on input and `ip daddr A drop` on
// output for each address: nothing passes between this node and those.
func dropAddresses(h netns.NsHandle, addrs []netip.Addr) error {
	c, err := nftConn(h)
	if err != nil {
		return err
	}
	in, out := faultChains(c)
	for _, a := range addrs {
		ip := a.As4()
		for _, r := range []struct {
			chain  *nftables.Chain
			offset uint32
		}{{in, 12}, {out, 16}} { // IPv4 source, destination
			c.AddRule(&nftables.Rule{Table: r.chain.Table, Chain: r.chain, Exprs: []expr.Any{
				&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: r.offset, Len: 4},
				&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ip[:]},
				&expr.Verdict{Kind: expr.VerdictDrop},
			}})
		}
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	return nil
}

// dropRandomly drops percent of the packets in and out of ifname
// (`iifname X numgen random mod 10000 < P*100 drop`).
func dropRandomly(h netns.NsHandle, ifname string, percent float64) error {
	c, err := nftConn(h)
	if err != nil {
		return err
	}
	in, out := faultChains(c)
	name := make([]byte, unix.IFNAMSIZ)
	copy(name, ifname)
	threshold := make([]byte, 4)
	binary.NativeEndian.PutUint32(threshold, uint32(percent*100))
	for _, r := range []struct {
		chain *nftables.Chain
		key   expr.MetaKey
	}{{in, expr.MetaKeyIIFNAME}, {out, expr.MetaKeyOIFNAME}} {
		c.AddRule(&nftables.Rule{Table: r.chain.Table, Chain: r.chain, Exprs: []expr.Any{
			&expr.Meta{Key: r.key, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: name},
			&expr.Numgen{Register: 1, Modulus: 10000, Type: unix.NFT_NG_RANDOM},
			&expr.Cmp{Op: expr.CmpOpLt, Register: 1, Data: threshold},
			&expr.Verdict{Kind: expr.VerdictDrop},
		}})
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	return nil
}

// removeFaultTable deletes the fault table, if there is one.
func removeFaultTable(h netns.NsHandle) error {
	c, err := nftConn(h)
	if err != nil {
		return err
	}
	tables, err := c.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	for _, t := range tables {
		if t.Name == faultTable {
			c.DelTable(t)
			if err := c.Flush(); err != nil && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("nftables: %w", err)
			}
		}
	}
	return nil
}
