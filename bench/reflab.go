package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/halab/halab/lab/netns"
)

// ReflabScript finds shared/tools/reflab.sh: $HALAB_SHARED/tools, or the
// shared/ folder beside the repository.
func ReflabScript() (string, error) {
	dirs := []string{}
	if d := os.Getenv("HALAB_SHARED"); d != "" {
		dirs = append(dirs, d)
	}
	_, here, _, _ := runtime.Caller(0)
	dirs = append(dirs, filepath.Join(filepath.Dir(here), "..", "..", "shared"))
	for _, d := range dirs {
		p := filepath.Join(d, "tools", "reflab.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("reflab.sh not found in %v; set HALAB_SHARED to the shared/ folder", dirs)
}

// Reflab runs reflab.sh with a verb (up, down).
func Reflab(verb string) error {
	script, err := ReflabScript()
	if err != nil {
		return err
	}
	out, err := exec.Command("bash", script, verb).CombinedOutput()
	if err != nil {
		return fmt.Errorf("reflab.sh %s: %v\n%s", verb, err, out)
	}
	return nil
}

// NamespacePIDs lists the processes living in the named namespaces.
func NamespacePIDs(namespaces []string) []int { return netns.NamedProcesses(namespaces) }

// Namespaces lists named namespaces starting with prefix.
func Namespaces(prefix string) []string { return netns.ListNamespaces(prefix) }

// RSS returns the summed resident set size of pids, in bytes, and the
// summed proportional set size (shared pages divided among their users).
func RSS(pids []int) (rss, pss int64) {
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) < 2 {
				continue
			}
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "Rss:":
				rss += kb * 1024
			case "Pss:":
				pss += kb * 1024
			}
		}
	}
	return rss, pss
}
