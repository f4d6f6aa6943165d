package control

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"},
		{420 * time.Microsecond, "0.42 ms"},
		{1100 * time.Microsecond, "1.1 ms"},
		{12 * time.Millisecond, "12 ms"},
		{3210 * time.Millisecond, "3.21 s"},
		{125 * time.Second, "125 s"},
		{-2 * time.Second, "-2.00 s"},
	} {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
