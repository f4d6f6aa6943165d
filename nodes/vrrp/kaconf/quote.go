package kaconf

import (
	"fmt"
	"strings"
)

// splitCommand splits s into words the way keepalived 2.2.7 reads script
// and notify command lines (alloc_strvec_quoted_escaped): words are
// separated by white space; "..." and '...' quote parts of a word (the
// quotes are removed); a backslash escapes the next character, in quotes
// too, with the C escapes \a \b \E \f \n \r \t \v, \xHH… (hex), \NNN
// (octal, up to 3 digits) and \cX (control-X), and any other character
// standing for itself.
func splitCommand(s string) ([]string, error) {
	var words []string
	for i := 0; ; {
		for i < len(s) && strings.IndexByte(whiteSpace, s[i]) >= 0 {
			i++
		}
		if i == len(s) {
			return words, nil
		}
		word, next, err := readCommandWord(s, i)
		if err != nil {
			return words, err
		}
		words = append(words, word)
		i = next
	}
}

// readCommandWord reads the word starting at s[i] for splitCommand and
// returns it with the index after it.
func readCommandWord(s string, i int) (string, int, error) {
	var word []byte
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 == len(s) {
				return "", i, fmt.Errorf("missing escape char at end: '%s'", s)
			}
			var b byte
			b, i = unescape(s, i+1)
			word = append(word, b)
			i-- // the loop's i++ moves past the escape
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			word = append(word, c)
		case c == '"' || c == '\'':
			quote = c
		case strings.IndexByte(whiteSpace, c) >= 0:
			return string(word), i, nil
		default:
			word = append(word, c)
		}
	}
	if quote != 0 {
		return "", i, fmt.Errorf("string '%s': missing terminating %c", s, quote)
	}
	return string(word), i, nil
}

// unescape decodes the escape sequence at s[i:], just after a backslash,
// and returns the byte it stands for and the index after it.
func unescape(s string, i int) (byte, int) {
	c := s[i]
	switch {
	case c == 'x' && i+1 < len(s) && isHex(s[i+1]):
		var b byte
		for i++; i < len(s) && isHex(s[i]); i++ {
			b = b<<4 | hexValue(s[i])
		}
		return b, i
	case c == 'c' && i+1 < len(s):
		return s[i+1] & 0x1f, i + 2
	case c >= '0' && c <= '7':
		b := c - '0'
		i++
		for n := 1; n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7'; n++ {
			b = b<<3 | (s[i] - '0')
			i++
		}
		return b, i
	}
	if b, ok := map[byte]byte{'a': '\a', 'b': '\b', 'E': 0x1b, 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}[c]; ok {
		return b, i + 1
	}
	return c, i + 1
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexValue(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
