package export

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halab/halab/lab"
)

// nginxConf is a minimal nginx.conf that includes one exported server
// block, with every path under the test's prefix directory.
const nginxConf = `pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {
    worker_connections 16;
}
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/%[2]s;
}
`

// TestRealNginxServesExport checks each exported server block with
// nginx -t, included in a minimal nginx.conf, in a namespace with the web
// server's interfaces; then runs nginx there and asks it for the page.
func TestRealNginxServesExport(t *testing.T) {
	nginx := requireTool(t, "nginx", "nginx-light")
	eachExportedNode(t, lab.RoleWeb, func(t *testing.T, r *Result, n *lab.Node) {
		ns := namespace(t, n)
		file := n.Name + ".nginx.conf"
		prefix := t.TempDir()
		writeIn(t, prefix, file, r.Files[file])
		conf := writeIn(t, prefix, "nginx.conf", []byte(fmt.Sprintf(nginxConf, prefix, file)))
		args := []string{nginx, "-p", prefix + "/", "-c", conf, "-e", filepath.Join(prefix, "error.log")}

		out, code := inNamespace(t, ns, append(args, "-t")...)
		if code != 0 || !strings.Contains(out, "syntax is ok") || !strings.Contains(out, "test is successful") {
			t.Fatalf("nginx -t: exit status %d; it says:\n%s", code, out)
		}
		startNginx(t, ns, append(args, "-g", "daemon off;"))
		addr := n.Interfaces[0].Address.Addr().String()
		get := func(path string) (*http.Response, string) {
			t.Helper()
			return httpIn(t, ns, "http://"+addr+path)
		}
		resp, body := get("/")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Halab-Web") != n.Name ||
			!strings.HasPrefix(body, n.Name+" answered (nginx on "+addr+")\n") ||
			!strings.Contains(body, "X-Forwarded-For: 172.16.0.10\n") {
			t.Errorf("GET /: %s, X-Halab-Web %q, body:\n%s", resp.Status, resp.Header.Get("X-Halab-Web"), body)
		}
		if resp, body := get("/healthz"); resp.StatusCode != http.StatusOK || body != "ok\n" {
			t.Errorf("GET /healthz: %s, body %q", resp.Status, body)
		}
		if resp, _ := get("/elsewhere"); resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Halab-Web") != n.Name {
			t.Errorf("GET /elsewhere: %s, X-Halab-Web %q; want 404 from %s", resp.Status, resp.Header.Get("X-Halab-Web"), n.Name)
		}
	})
}

// startNginx runs nginx in the foreground inside ns until the test ends.
func startNginx(t *testing.T, ns string, argv []string) {
	t.Helper()
	cmd := exec.Command(requireTool(t, "ip", "iproute2"), append([]string{"netns", "exec", ns}, argv...)...)
	cmd.Env = []string{"PATH=" + systemPath}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		// SIGQUIT: nginx's graceful stop; its master then ends the workers.
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("nginx did not stop within 10 s of SIGQUIT; it said:\n%s", out.String())
		}
	})
}

// httpIn makes a GET request from inside ns, as a load balancer would:
// with the client's address in X-Forwarded-For. It waits up to 5 s for
// nginx to listen.
func httpIn(t *testing.T, ns, url string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
				return dialIn(ns, addr)
			},
		},
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", "172.16.0.10")
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Do(req)
		if err == nil {
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("GET %s: %v", url, err)
			}
			return resp, string(body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s in %s: %v", url, ns, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeIn writes data to dir/name and returns the path.
func writeIn(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
