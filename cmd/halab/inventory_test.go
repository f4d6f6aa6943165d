package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halab/halab/lab"
)

// TestInventoryFromVagrant turns vagrant ssh-config output into the ssh
// part of a lab file, completes it as a person would, and loads it.
func TestInventoryFromVagrant(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "vms.txt")
	vagrant := "Host lb1\n  HostName 127.0.0.1\n  User vagrant\n  Port 2222\n  StrictHostKeyChecking no\n  IdentityFile /k/lb1\n" +
		"Host web1\n  HostName 127.0.0.1\n  User vagrant\n  Port 2200\n  IdentityFile /k/web1\n"
	if err := os.WriteFile(in, []byte(vagrant), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "part.yaml")
	cmd := newInventoryCommand()
	cmd.SetArgs([]string{"from-vagrant", in, "-o", out})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	part, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The person adds the provider, networks, VIP, roles and interfaces.
	text := "name: vm\nprovider: ssh\nnetworks: {private: {subnet: 192.168.10.0/24}}\nvip: {address: 192.168.10.250, network: private}\n" + string(part)
	text = strings.Replace(text, "  lb1:\n", "  lb1:\n    role: host\n    interfaces: {enp0s8: {network: private, address: 192.168.10.101/24}}\n", 1)
	text = strings.Replace(text, "  web1:\n", "  web1:\n    role: web\n    interfaces: {enp0s8: {network: private, address: 192.168.10.200/24}}\n", 1)
	l, err := lab.Parse("vm.yaml", []byte(text), nil)
	if err != nil {
		t.Fatalf("the completed lab file does not load: %v\n%s", err, text)
	}
	n, _ := l.Node("lb1")
	if got := *n.SSH; got.Host != "127.0.0.1" || got.Port != 2222 || got.User != "vagrant" || got.IdentityFile != "/k/lb1" || got.KnownHosts != "~/.ssh/known_hosts" {
		t.Errorf("lb1 ssh %+v", got)
	}
	// It never overwrites a file.
	cmd = newInventoryCommand()
	cmd.SetArgs([]string{"from-vagrant", in, "-o", out})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("overwrite: %v", err)
	}
}
