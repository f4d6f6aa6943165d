package lab

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The providers a lab file may name.
const (
	// ProviderNetns builds the lab as network namespaces on this machine.
	ProviderNetns = "netns"
	// ProviderSSH deploys the lab onto existing machines reached over SSH.
	ProviderSSH = "ssh"
)

// SSH defaults, as OpenSSH and the tutorial's VMs have them.
const (
	DefaultSSHPort    = 22
	DefaultSSHUser    = "root"
	DefaultKnownHosts = "~/.ssh/known_hosts"
	DefaultRemoteDir  = "/opt/halab"
)

// SSHTarget says how to reach one node of an ssh lab and where halab keeps
// its files there. Paths beginning with ~/ are the invoking user's home.
type SSHTarget struct {
	// Host is the machine's management address or name (ssh's HostName).
	Host string `json:"host"`
	Port int    `json:"port"`
	User string `json:"user"`
	// IdentityFile is a private key file; empty means the ssh-agent and
	// OpenSSH's default key files.
	IdentityFile string `json:"identity_file,omitempty"`
	// KnownHosts is the known_hosts file host keys are checked against.
	KnownHosts string `json:"known_hosts"`
	// RemoteDir holds halab's binary, configurations, sockets and logs on
	// the machine, one directory per lab below it.
	RemoteDir string `json:"remote_dir"`
}

// Address is host:port, as ssh dials it.
func (t SSHTarget) Address() string {
	host := t.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(t.Port)
}

// fileSSH is an `ssh:` block of a lab file, at the top (defaults) or in a node.
type fileSSH struct {
	Host         string `yaml:"host"`
	Port         int    `yaml:"port"`
	User         string `yaml:"user"`
	IdentityFile string `yaml:"identity_file"`
	KnownHosts   string `yaml:"known_hosts"`
	RemoteDir    string `yaml:"remote_dir"`
}

var (
	remoteDirRE = regexp.MustCompile(`^/[A-Za-z0-9._/-]+$`)
	sshUserRE   = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}$`)
	sshHostRE   = regexp.MustCompile(`^[A-Za-z0-9.:_-]{1,253}$`)
)

// buildSSH merges a node's ssh block over the lab's defaults and checks it.
func buildSSH(name string, node, defaults *fileSSH, at positions, ps *problems) *SSHTarget {
	p := "nodes." + name + ".ssh"
	t := SSHTarget{Port: DefaultSSHPort, User: DefaultSSHUser, KnownHosts: DefaultKnownHosts, RemoteDir: DefaultRemoteDir}
	where := map[string]string{}
	for _, layer := range []struct {
		block *fileSSH
		path  string
	}{{defaults, "ssh"}, {node, p}} {
		b := layer.block
		if b == nil {
			continue
		}
		set := func(dst *string, v, key string) {
			if v != "" {
				*dst, where[key] = v, layer.path+"."+key
			}
		}
		set(&t.Host, b.Host, "host")
		set(&t.User, b.User, "user")
		set(&t.IdentityFile, b.IdentityFile, "identity_file")
		set(&t.KnownHosts, b.KnownHosts, "known_hosts")
		set(&t.RemoteDir, b.RemoteDir, "remote_dir")
		if b.Port != 0 {
			t.Port, where["port"] = b.Port, layer.path+".port"
		}
	}
	if defaults != nil && defaults.Host != "" {
		ps.at(at.get("ssh.host"), "ssh.host is per node: move it under nodes.%s.ssh (every node is its own machine)", name)
	}
	switch {
	case t.Host == "":
		ps.at(at.get("nodes."+name), "node %s has no ssh host: add `ssh: {host: ADDRESS}` (its management address, the one `ssh` uses)", name)
	case !sshHostRE.MatchString(t.Host):
		ps.at(at.get(where["host"]), "node %s: ssh host %q is not a host name or address", name, t.Host)
	}
	if t.Port < 1 || t.Port > 65535 {
		ps.at(at.get(where["port"]), "node %s: ssh port %d is not a TCP port (1-65535)", name, t.Port)
	}
	if !sshUserRE.MatchString(t.User) {
		ps.at(at.get(where["user"]), "node %s: ssh user %q is not a Linux user name", name, t.User)
	}
	if !remoteDirRE.MatchString(t.RemoteDir) || strings.Contains(t.RemoteDir, "..") || t.RemoteDir == "/" {
		ps.at(at.get(where["remote_dir"]), "node %s: remote_dir %q must be an absolute directory of letters, digits and ._-/ (like /opt/halab)", name, t.RemoteDir)
	}
	return &t
}

// checkSSHTargets refuses two nodes that would share one machine's files.
func checkSSHTargets(l *Lab, at positions, ps *problems) {
	seen := map[string]string{}
	for _, n := range l.Nodes {
		if n.SSH == nil {
			continue
		}
		key := n.SSH.Address() + " " + n.SSH.RemoteDir
		if other, ok := seen[key]; ok {
			ps.at(at.get("nodes."+n.Name+".ssh"), "nodes %s and %s are both %s with remote_dir %s; give each node its own machine (or its own remote_dir)", other, n.Name, n.SSH.Address(), n.SSH.RemoteDir)
			continue
		}
		seen[key] = n.Name
	}
}

// String says where the node is, for messages: user@host:port.
func (t SSHTarget) String() string {
	return fmt.Sprintf("%s@%s", t.User, t.Address())
}
