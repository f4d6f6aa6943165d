package netns

import (
	"errors"

	"golang.org/x/sys/unix"
)

// ErrPrivileges says the caller may not create namespaces and links.
var ErrPrivileges = errors.New("the netns provider needs root: run halab with sudo (it creates network namespaces and links, which takes CAP_NET_ADMIN and CAP_SYS_ADMIN)")

// CheckPrivileges returns ErrPrivileges unless the process holds
// CAP_NET_ADMIN (links, addresses) and CAP_SYS_ADMIN (namespaces, mounts).
func CheckPrivileges() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return ErrPrivileges
	}
	has := func(capability uint) bool {
		return data[capability/32].Effective&(1<<(capability%32)) != 0
	}
	if !has(unix.CAP_NET_ADMIN) || !has(unix.CAP_SYS_ADMIN) {
		return ErrPrivileges
	}
	return nil
}
