package ssh

import (
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/halab/halab/lab"
)

// facts is what halab learns about a machine before it touches it.
type facts struct {
	OS, Machine string // uname -s, uname -m
	UID         int
	// ManagementAddr is the address the SSH session arrived on
	// (SSH_CONNECTION's server side) and ManagementIface the interface
	// holding it: halab never takes that interface down.
	ManagementAddr  string
	ManagementIface string
	Interfaces      []ipLink
}

// ipLink is one interface as `ip -j addr show` prints it.
type ipLink struct {
	Name      string   `json:"ifname"`
	Flags     []string `json:"flags"`
	OperState string   `json:"operstate"`
	Addrs     []struct {
		Family    string `json:"family"`
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
	} `json:"addr_info"`
}

// up is true when the link is administratively up and not down.
func (l ipLink) up() bool {
	for _, f := range l.Flags {
		if f == "UP" {
			return l.OperState != "DOWN"
		}
	}
	return false
}

// ipv4 lists the link's IPv4 addresses as A.B.C.D/N.
func (l ipLink) ipv4() []string {
	var out []string
	for _, a := range l.Addrs {
		if a.Family == "inet" {
			out = append(out, fmt.Sprintf("%s/%d", a.Local, a.PrefixLen))
		}
	}
	return out
}

// parseIPJSON reads `ip -j addr show` output.
func parseIPJSON(data []byte) ([]ipLink, error) {
	var links []ipLink
	if err := json.Unmarshal(data, &links); err != nil {
		return nil, fmt.Errorf("cannot read `ip -j addr show` output (iproute2 too old?): %w", err)
	}
	return links, nil
}

// factsScript prints the machine's facts; it runs as the login user.
const factsScript = `echo "os=$(uname -s)"; echo "machine=$(uname -m)"; echo "uid=$(id -u)"; echo "ssh=$SSH_CONNECTION"; echo ---; ip -j addr show`

// gatherFacts runs factsScript and checks sudo for a user other than root.
func gatherFacts(ctx context.Context, m *machine) (*facts, error) {
	out, err := m.runAsUser(ctx, "read the machine's facts", factsScript)
	if err != nil {
		return nil, err
	}
	head, ipOut, ok := strings.Cut(string(out), "---\n")
	if !ok {
		return nil, fmt.Errorf("%s: unexpected answer to uname/id/ip: %q", m.node, firstLine(string(out)))
	}
	f := &facts{}
	var sshConn string
	for _, line := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "os":
			f.OS = v
		case "machine":
			f.Machine = v
		case "uid":
			f.UID, _ = strconv.Atoi(v)
		case "ssh":
			sshConn = v
		}
	}
	if f.Interfaces, err = parseIPJSON([]byte(ipOut)); err != nil {
		return nil, fmt.Errorf("%s: %w", m.node, err)
	}
	if fields := strings.Fields(sshConn); len(fields) == 4 {
		f.ManagementAddr = fields[2]
		for _, l := range f.Interfaces {
			for _, a := range l.Addrs {
				if a.Local == f.ManagementAddr {
					f.ManagementIface = l.Name
				}
			}
		}
	}
	m.uid = f.UID
	m.sudo = f.UID != 0
	if m.sudo {
		if _, err := m.runAsUser(ctx, "check sudo", "sudo -n true"); err != nil {
			return f, sudoError(m, err)
		}
	}
	return f, nil
}

// sudoError says why sudo refused and what to do.
func sudoError(m *machine, err error) error {
	var re *remoteError
	if !errors.As(err, &re) {
		return err
	}
	fix := fmt.Sprintf("halab needs root on the machine: log in as root, or give %s passwordless sudo (`%s ALL=(ALL) NOPASSWD: ALL` in /etc/sudoers.d/halab)", m.target.User, m.target.User)
	switch {
	case strings.Contains(re.stderr, "password is required"):
		return fmt.Errorf("%s: sudo needs a password for %s, and halab never types one; %s", m.node, m.target.User, fix)
	case strings.Contains(re.stderr, "not in the sudoers"), strings.Contains(re.stderr, "not allowed"):
		return fmt.Errorf("%s: %s may not use sudo; %s", m.node, m.target.User, fix)
	case re.status == 127 || strings.Contains(re.stderr, "not found"):
		return fmt.Errorf("%s: %s is not root and the machine has no sudo; %s", m.node, m.target.User, fix)
	}
	return fmt.Errorf("%s: sudo -n true failed (%s); %s", m.node, strings.TrimSpace(re.stderr), fix)
}

// checkNode checks a machine against the lab: Linux, interfaces present
// with the addresses the lab file gives them, and none of them the one
// halab's SSH session uses.
func checkNode(n *lab.Node, f *facts) error {
	if f.OS != "Linux" {
		return fmt.Errorf("%s runs %s; halab's components need Linux", n.Name, f.OS)
	}
	byName := map[string]ipLink{}
	var names []string
	for _, l := range f.Interfaces {
		byName[l.Name] = l
		if l.Name != "lo" {
			names = append(names, l.Name)
		}
	}
	sort.Strings(names)
	var problems []string
	for _, want := range n.Interfaces {
		l, ok := byName[want.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("it has no interface %s (it has %s); fix `interfaces:` in the lab file to the machine's names", want.Name, strings.Join(names, ", ")))
			continue
		}
		if want.Name == f.ManagementIface {
			problems = append(problems, fmt.Sprintf("%s carries the SSH session (%s): a crash or link fault would cut halab off from the machine. Reach %s over another interface (its ssh host), or leave %s out of the lab", want.Name, f.ManagementAddr, n.Name, want.Name))
			continue
		}
		have := l.ipv4()
		if !containsPrefix(have, want.Address) {
			got := "no IPv4 address"
			if len(have) > 0 {
				got = strings.Join(have, ", ")
			}
			problems = append(problems, fmt.Sprintf("%s has %s, not %s as the lab file says; give the machine that address or fix the lab file", want.Name, got, want.Address))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", n.Name, strings.Join(problems, "; "))
	}
	return nil
}

func containsPrefix(have []string, want netip.Prefix) bool {
	for _, h := range have {
		if p, err := netip.ParsePrefix(h); err == nil && p == want {
			return true
		}
	}
	return false
}

// goArch maps `uname -m` to Go's GOARCH.
func goArch(machine string) string {
	switch machine {
	case "x86_64", "amd64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	case "i386", "i486", "i586", "i686":
		return "386"
	case "riscv64", "ppc64le", "s390x", "mips64", "mips64le":
		return machine
	case "loongarch64":
		return "loong64"
	}
	if strings.HasPrefix(machine, "armv") {
		return "arm"
	}
	return machine
}

// elfArch reads the GOARCH a Linux executable is built for.
func elfArch(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s is not a Linux executable: %w", path, err)
	}
	defer f.Close()
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64", nil
	case elf.EM_AARCH64:
		return "arm64", nil
	case elf.EM_386:
		return "386", nil
	case elf.EM_ARM:
		return "arm", nil
	case elf.EM_RISCV:
		return "riscv64", nil
	case elf.EM_PPC64:
		return "ppc64le", nil
	case elf.EM_S390:
		return "s390x", nil
	case elf.EM_LOONGARCH:
		return "loong64", nil
	}
	return "", fmt.Errorf("%s is built for %v, which halab does not know", path, f.Machine)
}

// binaries maps GOARCH to a halab executable for it: this program for its
// own architecture, plus the --remote-binary builds.
func binaries(self string, extra []string) (map[string]string, error) {
	if self == "" {
		var err error
		if self, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find halab's own binary: %w", err)
		}
	}
	out := map[string]string{runtime.GOARCH: self}
	for _, path := range extra {
		arch, err := elfArch(path)
		if err != nil {
			return nil, fmt.Errorf("--remote-binary: %w", err)
		}
		out[arch] = path
	}
	return out, nil
}

// binaryFor picks the executable for a machine, or says which build to make.
func binaryFor(node string, f *facts, bins map[string]string) (string, error) {
	arch := goArch(f.Machine)
	if path, ok := bins[arch]; ok {
		return path, nil
	}
	var have []string
	for a := range bins {
		have = append(have, a)
	}
	sort.Strings(have)
	return "", fmt.Errorf("%s is linux/%s (uname -m: %s), but halab has a build only for %s: make one with `GOOS=linux GOARCH=%s go build -o halab-linux-%s ./cmd/halab` and pass it with --remote-binary halab-linux-%s",
		node, arch, f.Machine, strings.Join(have, ", "), arch, arch, arch)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
