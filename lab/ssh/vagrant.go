package ssh

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// SSHHost is one Host block of OpenSSH client configuration, as `vagrant
// ssh-config` prints it for each machine of a Vagrantfile.
type SSHHost struct {
	// Alias is the Host pattern (Vagrant's machine name).
	Alias        string
	HostName     string
	Port         int
	User         string
	IdentityFile string
	// Line is where the block starts.
	Line int
}

// ParseSSHConfig reads OpenSSH client configuration (ssh_config(5)): Host
// blocks of "Keyword value" or "Keyword=value" lines, keywords in any case,
// values possibly in double quotes, # comments. It keeps the keywords halab
// uses and skips the rest (Vagrant's StrictHostKeyChecking no and
// UserKnownHostsFile /dev/null among them: halab always checks host keys).
// Problems name the source and line.
func ParseSSHConfig(source string, data []byte) ([]SSHHost, error) {
	var hosts []SSHHost
	var cur *SSHHost
	var problems []string
	bad := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", source, line, fmt.Sprintf(format, args...)))
	}
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := splitKeyword(line)
		if !ok {
			bad(n, "%q is not `Keyword value`", firstLine(line))
			continue
		}
		words, err := splitValues(value)
		if err != nil {
			bad(n, "%s: %v", key, err)
			continue
		}
		switch strings.ToLower(key) {
		case "host":
			if len(words) != 1 || strings.ContainsAny(words[0], "*?!") {
				bad(n, "Host %s: halab needs one machine name per Host block, not a pattern", value)
				cur = nil
				continue
			}
			hosts = append(hosts, SSHHost{Alias: words[0], Line: n})
			cur = &hosts[len(hosts)-1]
		case "match":
			bad(n, "Match blocks are not supported; give plain Host blocks (vagrant ssh-config prints those)")
			cur = nil
		default:
			if cur == nil {
				continue // global settings apply to every host; halab ignores them
			}
			if len(words) == 0 {
				bad(n, "%s has no value", key)
				continue
			}
			switch strings.ToLower(key) {
			case "hostname":
				cur.HostName = words[0]
			case "user":
				cur.User = words[0]
			case "port":
				p, err := strconv.Atoi(words[0])
				if err != nil || p < 1 || p > 65535 {
					bad(n, "Port %q is not a TCP port (1-65535)", words[0])
					continue
				}
				cur.Port = p
			case "identityfile":
				if cur.IdentityFile == "" { // ssh tries them in order; halab takes the first
					cur.IdentityFile = words[0]
				}
			}
		}
	}
	if len(hosts) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s: no Host blocks; give the output of `vagrant ssh-config` (run in the Vagrantfile's directory)", source))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return hosts, nil
}

// splitKeyword splits "Keyword value" or "Keyword=value".
func splitKeyword(line string) (string, string, bool) {
	i := strings.IndexAny(line, " \t=")
	if i <= 0 {
		return "", "", false
	}
	key := line[:i]
	rest := strings.TrimLeft(line[i:], " \t")
	rest = strings.TrimPrefix(rest, "=")
	return key, strings.TrimSpace(rest), true
}

// splitValues splits a value into words, honouring double quotes.
func splitValues(s string) ([]string, error) {
	var words []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote")
			}
			words = append(words, s[1:end+1])
			s = s[end+2:]
			continue
		}
		end := strings.IndexAny(s, " \t")
		if end < 0 {
			end = len(s)
		}
		words = append(words, s[:end])
		s = s[end:]
	}
	return words, nil
}

var nodeNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,15}$`)

var plainYAML = regexp.MustCompile(`^(~/)?[A-Za-z0-9_./@-]+$`)

// yamlScalar writes a value plain when YAML reads it back as the same
// string, else double-quoted.
func yamlScalar(s string) string {
	if plainYAML.MatchString(s) && !strings.HasPrefix(s, "-") {
		return s
	}
	return strconv.Quote(s)
}

// InventoryYAML writes the ssh part of a lab file for the machines: the
// user they share as the default, and under nodes: each machine's host,
// port and key. Host keys are checked against ~/.ssh/known_hosts (Vagrant
// itself turns checking off; halab does not): the first `halab up` needs
// --accept-new-host-keys to record them. source names the input in the
// header.
func InventoryYAML(source string, hosts []SSHHost) (string, error) {
	var b strings.Builder
	users := map[string]bool{}
	for _, h := range hosts {
		users[h.User] = true
	}
	shared := ""
	if len(users) == 1 {
		shared = hosts[0].User
	}
	fmt.Fprintf(&b, "# The ssh part of a halab lab file for %d machine(s), from %s.\n", len(hosts), source)
	b.WriteString("# Add `provider: ssh`, the networks, the VIP and each node's role and\n")
	b.WriteString("# interfaces (the machines' own names and addresses, e.g. enp0s8).\n")
	b.WriteString("# Vagrant turns host key checking off; halab does not: the first\n")
	b.WriteString("# `halab up` needs --accept-new-host-keys to record the machines' keys.\n")
	b.WriteString("ssh:\n")
	if shared != "" {
		fmt.Fprintf(&b, "  user: %s\n", yamlScalar(shared))
	}
	b.WriteString("  known_hosts: ~/.ssh/known_hosts\n  remote_dir: /opt/halab\nnodes:\n")
	seen := map[string]int{}
	for _, h := range hosts {
		name := strings.ToLower(strings.ReplaceAll(h.Alias, "-", "_"))
		if !nodeNameRE.MatchString(name) {
			return "", fmt.Errorf("%s:%d: Host %s cannot name a halab node (lowercase letters, digits and _, up to 16, starting with a letter); rename the machine in the Vagrantfile", source, h.Line, h.Alias)
		}
		if line, dup := seen[name]; dup {
			return "", fmt.Errorf("%s:%d: Host %s is the same node as the block at line %d", source, h.Line, h.Alias, line)
		}
		seen[name] = h.Line
		host := h.HostName
		if host == "" {
			host = h.Alias
		}
		fields := []string{"host: " + yamlScalar(host)}
		if h.Port != 0 && h.Port != 22 {
			fields = append(fields, fmt.Sprintf("port: %d", h.Port))
		}
		if h.User != "" && shared == "" {
			fields = append(fields, "user: "+yamlScalar(h.User))
		}
		if h.IdentityFile != "" {
			fields = append(fields, "identity_file: "+yamlScalar(h.IdentityFile))
		}
		fmt.Fprintf(&b, "  %s:\n    ssh: {%s}\n", name, strings.Join(fields, ", "))
	}
	return b.String(), nil
}
