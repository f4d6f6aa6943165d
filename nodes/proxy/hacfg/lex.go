package hacfg

import (
	"fmt"
	"os"
	"strings"
)

// splitWords cuts one configuration line into words as HAProxy 2.6's
// parse_line() does: blanks separate words, '#' starts a comment, double and
// single quotes group words, a backslash escapes the next character (\r, \n,
// \t and \xHH are decoded), and "$VAR" / "${VAR}" outside single quotes are
// replaced by the environment variable's value.
func splitWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote byte
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			flush()
		case quote == 0 && c == '#':
			flush()
			return words, nil
		case c == '\\' && quote != '\'':
			if i+1 >= len(line) {
				return nil, fmt.Errorf("a backslash at the end of the line escapes nothing")
			}
			i++
			inWord = true
			switch e := line[i]; e {
			case 'r':
				cur.WriteByte('\r')
			case 'n':
				cur.WriteByte('\n')
			case 't':
				cur.WriteByte('\t')
			case 'x':
				if i+2 >= len(line) || !isHex(line[i+1]) || !isHex(line[i+2]) {
					return nil, fmt.Errorf("truncated or invalid hexadecimal sequence at position %d", i+1)
				}
				cur.WriteByte(unhex(line[i+1])<<4 | unhex(line[i+2]))
				i += 2
			default:
				cur.WriteByte(e)
			}
		case (c == '"' || c == '\'') && (quote == 0 || quote == c):
			inWord = true
			if quote == 0 {
				quote = c
			} else {
				quote = 0
			}
		case c == '$' && quote != '\'':
			name, n := envName(line[i+1:])
			if n == 0 {
				inWord = true
				cur.WriteByte(c)
				continue
			}
			inWord = true
			cur.WriteString(os.Getenv(name))
			i += n
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unmatched quote %q", string(quote))
	}
	flush()
	return words, nil
}

// envName reads a variable name after '$': either {NAME} or NAME made of
// letters, digits and underscores. It returns the name and the bytes used.
func envName(s string) (string, int) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end <= 1 {
			return "", 0
		}
		return s[1:end], end + 1
	}
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= 'a' && s[n] <= 'z' || n > 0 && s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return s[:n], n
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
