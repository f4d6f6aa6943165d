package kaconf

import (
	"testing"
	"time"
)

func TestParseUnsigned(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		err  string
	}{
		{"42", 42, ""},
		{"+42", 42, ""},
		{" 42", 42, ""},
		{"0", 0, "number '0' outside range [1, 255]"},
		{"256", 0, "number '256' outside range [1, 255]"},
		{"-1", 0, "negative number '-1'"},
		{"4x", 0, "invalid number '4x'"},
		{"", 0, "invalid number ''"},
		{"1.5", 0, "invalid number '1.5'"},
		{"99999999999", 0, "number '99999999999' outside unsigned integer range"},
		{"999999999999999999999", 0, "number '999999999999999999999' outside unsigned integer range"},
	}
	for _, tc := range tests {
		got, err := parseUnsigned(tc.in, 1, 255)
		if got != tc.want || errString(err) != tc.err {
			t.Errorf("parseUnsigned(%q) = %d, %v; want %d, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"2", 2, ""},
		{"-253", -253, ""},
		{"+7", 7, ""},
		{"-254", 0, "number '-254' outside range [-253, 253]"},
		{"two", 0, "invalid number 'two'"},
		{"--1", 0, "invalid number '--1'"},
		{"3000000000", 0, "number '3000000000' outside integer range"},
	}
	for _, tc := range tests {
		got, err := parseInt(tc.in, -253, 253)
		if got != tc.want || errString(err) != tc.err {
			t.Errorf("parseInt(%q) = %d, %v; want %d, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		rounded bool
		err     string
	}{
		{"1", time.Second, false, ""},
		{"0.1", 100 * time.Millisecond, false, ""},
		{".5", 500 * time.Millisecond, false, ""},
		{"2.", 2 * time.Second, false, ""},
		{"0.01", 10 * time.Millisecond, false, ""},
		{"255", 255 * time.Second, false, ""},
		{"1.2345674", 1234567 * time.Microsecond, true, ""},
		{"1.2345675", 1234568 * time.Microsecond, true, ""},
		{"0.001", 0, false, "number '0.001' outside range [0.010000, 255.000000]"},
		{"256", 0, false, "number '256' outside range [0.010000, 255.000000]"},
		{"-1", 0, false, "negative number '-1'"},
		{"1s", 0, false, "invalid number '1s'"},
		{"1.2.3", 0, false, "invalid number '1.2.3'"},
		{"", 0, false, "number '' outside range [0.010000, 255.000000]"}, // as keepalived: no digits is 0
		{".", 0, false, "number '.' outside range [0.010000, 255.000000]"},
		{"99999999999999999999", 0, false, "number '99999999999999999999' outside unsigned decimal range"},
	}
	for _, tc := range tests {
		got, rounded, err := parseSeconds(tc.in, 10*time.Millisecond, 255*time.Second)
		if got != tc.want || rounded != tc.rounded || errString(err) != tc.err {
			t.Errorf("parseSeconds(%q) = %v, %v, %v; want %v, %v, %q", tc.in, got, rounded, err, tc.want, tc.rounded, tc.err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
