package vrrp

import (
	"errors"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxArrivalAge bounds how far back a kernel receive timestamp may move an
// advert's time: older ones (a clock step, a bogus stamp) count as now.
const maxArrivalAge = 10 * time.Second

// datagram is one received IPv4 datagram and when the kernel received it
// (zero when unknown).
type datagram struct {
	b  []byte
	at time.Time
}

// enableTimestamps asks the kernel to stamp every datagram the socket
// receives (SO_TIMESTAMPNS). Without stamps adverts count when read.
func (s *rawSocket) enableTimestamps() error {
	return unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
}

// ReadAt reads one whole IPv4 datagram into b, with the kernel's receive
// timestamp (zero when the socket gives none).
func (s *rawSocket) ReadAt(b []byte) (n int, at time.Time, err error) {
	rc, err := s.file.SyscallConn()
	if err != nil {
		return 0, time.Time{}, err
	}
	oob := make([]byte, unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{}))))
	var oobn int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), b, oob, 0)
		return !errors.Is(rerr, unix.EAGAIN) && !errors.Is(rerr, unix.EINTR)
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	return n, receiveTimestamp(oob[:oobn]), nil
}

// receiveTimestamp finds SCM_TIMESTAMPNS among control messages.
func receiveTimestamp(oob []byte) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS &&
			len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(int64(ts.Sec), int64(ts.Nsec))
		}
	}
	return time.Time{}
}

// arrival is the time an advert counts from: when the kernel received it,
// not when the daemon got round to reading it. Normally the two are
// microseconds apart; after the daemon was starved of CPU they are not,
// and an advert that arrived before the master-down deadline must count as
// arriving before it (see drainQueued). The time is on the monotonic clock
// (now minus the stamp's age), never before a time already handed to the
// state machine, and never in the future.
func (in *instance) arrival(kernel time.Time) time.Time {
	now := time.Now()
	at := now
	if !kernel.IsZero() {
		if age := now.Sub(kernel); age > 0 && age < maxArrivalAge {
			at = now.Add(-age)
		}
	}
	if at.Before(in.lastInput) {
		at = in.lastInput
	}
	in.lastInput = at
	return at
}

// now is the time for a state machine input other than an advert, noted so
// that no later advert is stamped before it.
func (in *instance) now() time.Time {
	t := time.Now()
	in.lastInput = t
	return t
}
