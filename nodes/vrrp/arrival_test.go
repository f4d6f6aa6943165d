package vrrp

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestReadAtTimestamps reads datagrams with their kernel receive stamps,
// on a UDP socket (the same recvmsg path as the raw socket, without root).
func TestReadAtTimestamps(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := &rawSocket{fd: fd, file: os.NewFile(uintptr(fd), "udp")}
	defer s.Close()
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := s.enableTimestamps(); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	if s.queued() != 0 {
		t.Errorf("queued %d before anything was sent", s.queued())
	}
	// The kernel turns receive stamps on asynchronously (a deferred static
	// key): the first datagrams after enabling may come without one and
	// read as "now". A daemon enables them long before adverts matter; the
	// test tries a few times for a stamped datagram.
	var d time.Duration
	var at time.Time
	for try := 0; try < 10; try++ {
		sent := time.Now()
		if err := unix.Sendto(fd, []byte("advert"), 0, sa); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // the datagram waits, as for a starved daemon
		if q := s.queued(); q != len("advert") {
			t.Errorf("queued %d, want %d", q, len("advert"))
		}
		buf := make([]byte, 64)
		var n int
		var err error
		n, at, err = s.ReadAt(buf)
		if err != nil || string(buf[:n]) != "advert" {
			t.Fatalf("ReadAt = %q, %v", buf[:n], err)
		}
		if d = at.Sub(sent); !at.IsZero() && d >= -time.Millisecond && d <= 25*time.Millisecond {
			break
		}
	}
	if at.IsZero() || d < -time.Millisecond || d > 25*time.Millisecond {
		t.Errorf("stamp %v is %v after the send, want when it arrived", at, d)
	}
	var nilSock *rawSocket
	if nilSock.queued() != 0 {
		t.Error("nil socket has something queued")
	}
}

func TestArrival(t *testing.T) {
	in := &instance{}
	now := time.Now()
	if at := in.arrival(time.Time{}); at.Before(now) || time.Since(at) > time.Second {
		t.Errorf("no stamp: %v, want now", at)
	}
	in.lastInput = time.Time{}
	if at := in.arrival(time.Now().Add(-200 * time.Millisecond)); time.Since(at) < 190*time.Millisecond || time.Since(at) > time.Second {
		t.Errorf("stamp 200 ms old counts %v ago", time.Since(at))
	}
	later := in.now()
	if at := in.arrival(time.Now().Add(-time.Second)); at.Before(later) {
		t.Errorf("stamp before the last input %v: %v", later, at)
	}
	in.lastInput = time.Time{}
	if at := in.arrival(time.Now().Add(time.Hour)); at.After(time.Now()) {
		t.Errorf("future stamp counts in the future: %v", at)
	}
	if at := in.arrival(time.Now().Add(-time.Hour)); time.Since(at) > time.Second {
		t.Errorf("an hour-old stamp counts %v ago, want now", time.Since(at))
	}
}
