package bench

import (
	"testing"
	"time"
)

func TestParseWrk(t *testing.T) {
	report := `Running 5s test @ http://172.16.0.200/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02ms  312.45us   9.87ms   80.12%
    Req/Sec    31.20k     1.10k   33.50k    70.00%
  Latency Distribution
     50%  985.00us
     75%    1.15ms
     90%    1.40ms
     99%    2.07ms
  310523 requests in 5.00s, 280.12MB read
  Non-2xx or 3xx responses: 12
Requests/sec:  62104.60
Transfer/sec:     56.02MB
`
	r, err := ParseWrk(report)
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestsPerSec != 62104.60 || r.P50 != 985*time.Microsecond || r.P99 != 2070*time.Microsecond || r.Non2xx != 12 {
		t.Fatalf("got %+v", r)
	}
	if _, err := ParseWrk("garbage"); err == nil {
		t.Fatal("no error for a report without Requests/sec")
	}
}
