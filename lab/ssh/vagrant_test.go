package ssh

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// vagrantOutput is `vagrant ssh-config` for the tutorial's machines, as
// Vagrant 2.3 prints it (VirtualBox, NAT port forwards).
const vagrantOutput = `Host lb1
  HostName 127.0.0.1
  User vagrant
  Port 2222
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  PasswordAuthentication no
  IdentityFile /home/ana/ha/.vagrant/machines/lb1/virtualbox/private_key
  IdentitiesOnly yes
  LogLevel FATAL
  PubkeyAcceptedKeyTypes +ssh-rsa
  HostKeyAlgorithms +ssh-rsa

Host lb2
  HostName 127.0.0.1
  User vagrant
  Port 2200
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  IdentityFile "/home/ana/my vms/.vagrant/machines/lb2/virtualbox/private_key"
  IdentitiesOnly yes

Host web-server
  HostName=127.0.0.1
  user vagrant
  port 2201
  IdentityFile /home/ana/ha/.vagrant/machines/web/virtualbox/private_key
  IdentityFile /home/ana/.ssh/id_ed25519
`

func TestParseSSHConfig(t *testing.T) {
	hosts, err := ParseSSHConfig("vagrant", []byte(vagrantOutput))
	if err != nil {
		t.Fatal(err)
	}
	want := []SSHHost{
		{Alias: "lb1", HostName: "127.0.0.1", Port: 2222, User: "vagrant", IdentityFile: "/home/ana/ha/.vagrant/machines/lb1/virtualbox/private_key", Line: 1},
		{Alias: "lb2", HostName: "127.0.0.1", Port: 2200, User: "vagrant", IdentityFile: "/home/ana/my vms/.vagrant/machines/lb2/virtualbox/private_key", Line: 14},
		{Alias: "web-server", HostName: "127.0.0.1", Port: 2201, User: "vagrant", IdentityFile: "/home/ana/ha/.vagrant/machines/web/virtualbox/private_key", Line: 23},
	}
	if diff := cmp.Diff(want, hosts); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}

	text, err := InventoryYAML("vagrant ssh-config", hosts)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SSH   map[string]string `yaml:"ssh"`
		Nodes map[string]struct {
			SSH map[string]any `yaml:"ssh"`
		} `yaml:"nodes"`
	}
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("inventory is not YAML: %v\n%s", err, text)
	}
	if doc.SSH["user"] != "vagrant" || doc.SSH["known_hosts"] != "~/.ssh/known_hosts" {
		t.Errorf("defaults %v", doc.SSH)
	}
	if got := doc.Nodes["lb2"].SSH["identity_file"]; got != "/home/ana/my vms/.vagrant/machines/lb2/virtualbox/private_key" {
		t.Errorf("lb2 key %v\n%s", got, text)
	}
	if got := doc.Nodes["web_server"].SSH["port"]; got != 2201 {
		t.Errorf("web_server port %v\n%s", got, text)
	}
	if strings.Contains(text, "/dev/null") || strings.Contains(text, "StrictHostKeyChecking") {
		t.Errorf("the inventory carries Vagrant's host key opt-out:\n%s", text)
	}
}

func TestParseSSHConfigProblems(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "# nothing\n", "vagrant: no Host blocks"},
		{"pattern", "Host *\n  User x\n", "vagrant:1: Host *: halab needs one machine name"},
		{"bad port", "Host a\n  Port 99999\n", "vagrant:2: Port \"99999\" is not a TCP port"},
		{"quote", "Host a\n  IdentityFile \"/x\n", "vagrant:2: IdentityFile: unterminated quote"},
		{"match", "Match host a\n", "vagrant:1: Match blocks are not supported"},
		{"no value", "Host a\n  HostName\n", "vagrant:2: \"HostName\" is not `Keyword value`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSSHConfig("vagrant", []byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	hosts, _ := ParseSSHConfig("v", []byte("Host Web.1\n  HostName h\n"))
	if _, err := InventoryYAML("v", hosts); err == nil || !strings.Contains(err.Error(), "v:1: Host Web.1 cannot name a halab node") {
		t.Errorf("got %v", err)
	}
}

// FuzzParseSSHConfig: any input either parses into hosts whose inventory
// is valid YAML, or fails with source:line problems; never a panic.
func FuzzParseSSHConfig(f *testing.F) {
	f.Add(vagrantOutput)
	f.Add("Host a\nHostName=b\nPort 22\n")
	f.Add("Host \"a b\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		hosts, err := ParseSSHConfig("f", []byte(in))
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f:") {
					t.Fatalf("problem without its place: %q", line)
				}
			}
			return
		}
		text, err := InventoryYAML("f", hosts)
		if err != nil {
			return
		}
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("inventory is not YAML: %v\n%s", err, text)
		}
	})
}
