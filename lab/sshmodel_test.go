package lab

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sshLab is goodLab on machines reached over SSH.
func sshLab(nodeSSH map[string]string, defaults string) string {
	s := strings.Replace(goodLab, "name: t1", "name: t1\nprovider: ssh\n"+defaults, 1)
	for _, n := range []string{"client", "lb1", "web1"} {
		block, ok := nodeSSH[n]
		if !ok {
			continue
		}
		role := map[string]string{"client": "role: client", "lb1": "role: lb", "web1": "role: web"}[n]
		s = strings.Replace(s, role, role+"\n    ssh: "+block, 1)
	}
	return s
}

func TestParseSSHTargets(t *testing.T) {
	all := map[string]string{"client": "{host: 10.9.0.30}", "lb1": "{host: 10.9.0.11, port: 2222, user: vagrant}", "web1": "{host: 10.9.0.20, remote_dir: /srv/h}"}
	l, err := Parse("t.yaml", []byte(sshLab(all, "ssh: {identity_file: ~/.ssh/lab, remote_dir: /opt/lab}")), testFS)
	if err != nil {
		t.Fatal(err)
	}
	if l.Provider != ProviderSSH {
		t.Errorf("provider %q", l.Provider)
	}
	got := map[string]SSHTarget{}
	for _, n := range l.Nodes {
		got[n.Name] = *n.SSH
	}
	want := map[string]SSHTarget{
		"client": {Host: "10.9.0.30", Port: 22, User: "root", IdentityFile: "~/.ssh/lab", KnownHosts: DefaultKnownHosts, RemoteDir: "/opt/lab"},
		"lb1":    {Host: "10.9.0.11", Port: 2222, User: "vagrant", IdentityFile: "~/.ssh/lab", KnownHosts: DefaultKnownHosts, RemoteDir: "/opt/lab"},
		"web1":   {Host: "10.9.0.20", Port: 22, User: "root", IdentityFile: "~/.ssh/lab", KnownHosts: DefaultKnownHosts, RemoteDir: "/srv/h"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	if got["lb1"].String() != "vagrant@10.9.0.11:2222" {
		t.Errorf("String() = %q", got["lb1"].String())
	}
}

func TestParseSSHProblems(t *testing.T) {
	all := map[string]string{"client": "{host: 10.9.0.30}", "lb1": "{host: 10.9.0.11}", "web1": "{host: 10.9.0.20}"}
	with := func(node, block string) map[string]string {
		m := map[string]string{}
		for k, v := range all {
			m[k] = v
		}
		if block == "" {
			delete(m, node)
		} else {
			m[node] = block
		}
		return m
	}
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"node without host", sshLab(with("web1", ""), ""), []string{"node web1 has no ssh host"}},
		{"host in the defaults", sshLab(all, "ssh: {host: 10.9.0.1}"), []string{"ssh.host is per node"}},
		{"bad port and user", sshLab(with("lb1", "{host: 10.9.0.11, port: 70000, user: 'x y'}"), ""),
			[]string{"node lb1: ssh port 70000 is not a TCP port", `node lb1: ssh user "x y" is not a Linux user name`}},
		{"relative remote dir", sshLab(with("lb1", "{host: 10.9.0.11, remote_dir: opt/halab}"), ""), []string{`remote_dir "opt/halab" must be an absolute directory`}},
		{"remote dir with shell characters", sshLab(with("lb1", "{host: 10.9.0.11, remote_dir: '/opt/$(reboot)'}"), ""), []string{`remote_dir "/opt/$(reboot)" must be`}},
		{"two nodes on one machine", sshLab(with("web1", "{host: 10.9.0.11}"), ""), []string{"nodes lb1 and web1 are both 10.9.0.11:22 with remote_dir /opt/halab"}},
		{"ssh on a netns lab", strings.Replace(goodLab, "role: web", "role: web\n    ssh: {host: 10.9.0.20}", 1), []string{"node web1: ssh: is for labs with `provider: ssh`"}},
		{"ssh defaults on a netns lab", strings.Replace(goodLab, "name: t1", "name: t1\nssh: {user: root}", 1), []string{"ssh: is for labs on machines reached over SSH"}},
		{"unknown provider", strings.Replace(goodLab, "name: t1", "name: t1\nprovider: docker", 1), []string{`provider "docker" is not supported; supported: netns, ssh`}},
		{"unknown ssh key", sshLab(with("lb1", "{host: 10.9.0.11, password: hunter2}"), ""), []string{`unknown key "password" in nodes.lb1.ssh`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.text), testFS)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error repeats a secret: %v", err)
			}
		})
	}
}
