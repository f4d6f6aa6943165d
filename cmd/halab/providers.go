package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/halab/halab/lab"
	"github.com/halab/halab/lab/netns"
	sshlab "github.com/halab/halab/lab/ssh"
)

// providerOptions are the flags that shape a provider (the ssh one's).
type providerOptions struct {
	// AcceptNewHostKeys trusts and records unknown host keys.
	AcceptNewHostKeys bool
	// RemoteBinaries are halab builds for machines of other architectures.
	RemoteBinaries []string
	// Lab is the lab file's model, for removing an ssh lab whose state
	// this machine lost.
	Lab *lab.Lab
}

func (o *providerOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.AcceptNewHostKeys, "accept-new-host-keys", false, "ssh labs: trust and record host keys of machines not yet in known_hosts (like ssh's accept-new)")
	cmd.Flags().StringArrayVar(&o.RemoteBinaries, "remote-binary", nil, "ssh labs: a halab build for machines of another architecture (GOARCH=arm64 go build -o halab-arm64 ./cmd/halab); repeatable")
}

// providerFor returns the provider a lab is built with: the one named by
// --provider, else the lab file's.
func providerFor(name string, l *lab.Lab, o providerOptions) (lab.Provider, error) {
	if name == "" {
		name = l.Provider
	}
	if name != "" && l.Provider != "" && name != l.Provider {
		return nil, fmt.Errorf("lab %s is written for the %s provider (%s); it cannot be built with --provider %s", l.Name, l.Provider, l.Source, name)
	}
	switch name {
	case "", lab.ProviderNetns:
		if err := netns.CheckPrivileges(); err != nil {
			return nil, err
		}
		return &netns.Provider{}, nil
	case lab.ProviderSSH:
		return &sshlab.Provider{AcceptNewHostKeys: o.AcceptNewHostKeys, RemoteBinaries: o.RemoteBinaries, Lab: l}, nil
	default:
		return nil, fmt.Errorf("provider %q is not supported; supported: netns, ssh", name)
	}
}

// providerForState returns the provider that built a running lab.
func providerForState(st *lab.State, o providerOptions) (lab.Provider, error) {
	if st.Lab == nil {
		return &netns.Provider{}, nil
	}
	if o.Lab == nil {
		o.Lab = st.Lab
	}
	return providerFor(st.Provider, st.Lab, o)
}
