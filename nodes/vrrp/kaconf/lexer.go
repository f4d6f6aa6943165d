package kaconf

import (
	"strings"
)

// Bounds on includes: nesting, which would otherwise loop on a file that
// includes itself, and the number of files, which a few includes per level
// would otherwise multiply.
const (
	maxIncludeDepth = 16
	maxFiles        = 256
)

// word is one word of a statement, quotes removed.
type word struct {
	text string
	col  int // 1-based column of its first character
}

// statement is what keepalived's read_line returns: the words of one line
// up to a brace, or a lone brace. keepalived makes every '{' and '}' outside
// double quotes a line of its own, so "global_defs { vrrp_version 2" is
// three statements: "global_defs", "{", "vrrp_version 2".
type statement struct {
	pos   Position // of the first word
	brace byte     // '{' or '}' for a brace, else 0
	words []word
	raw   string // the text of the statement, comments removed
}

// keyword is the first word.
func (st statement) keyword() string { return st.words[0].text }

// arg is word i (the keyword is word 0), or "" when there is none.
func (st statement) arg(i int) string {
	if i < len(st.words) {
		return st.words[i].text
	}
	return ""
}

// at is the position of word i, or of the statement when there is none.
func (st statement) at(i int) Position {
	if i < len(st.words) {
		return Position{File: st.pos.File, Line: st.pos.Line, Column: st.words[i].col}
	}
	return st.pos
}

// lexer turns files into statements, following include lines as it goes.
type lexer struct {
	src   source // nil: includes cannot be read
	diags *diagnostics
	files []string
	stmts []statement
}

// lexFile appends the statements of the file name, whose content is data.
func (lx *lexer) lexFile(name string, data []byte, depth int) {
	lx.files = append(lx.files, name)
	for i, line := range strings.Split(string(data), "\n") {
		lx.lexLine(Position{File: name, Line: i + 1}, strings.TrimRight(line, "\r"), depth)
	}
}

// lexLine appends the statements of one line.
func (lx *lexer) lexLine(pos Position, line string, depth int) {
	text, escapedComment := decomment(line)
	if escapedComment > 0 {
		lx.diags.warnf(Position{File: pos.File, Line: pos.Line, Column: escapedComment},
			"'%s' starts a comment: keepalived 2.2.7's VRRP process reads its configuration with the backslash removed - put the word in double quotes to keep a '%c'",
			line[escapedComment-1:escapedComment+1], line[escapedComment])
	}
	offset := 0 // of text[0] in the line, for columns
	for {
		trimmed := strings.TrimLeft(text, " \t")
		offset += len(text) - len(trimmed)
		text = trimmed
		if text == "" {
			return
		}
		if pattern, ok := includePattern(text); ok {
			lx.include(Position{File: pos.File, Line: pos.Line, Column: offset + 1}, pattern, depth)
			return
		}
		n := braceSplit(text)
		lx.addStatement(pos, text[:n], offset)
		text, offset = text[n:], offset+n
	}
}

// addStatement tokenizes piece, found at offset in its line, as keepalived's
// alloc_strvec does: words are separated by white space, and a word that
// starts with '"' runs to the next '"', quotes removed, nothing escaped.
func (lx *lexer) addStatement(pos Position, piece string, offset int) {
	piece = strings.TrimRight(piece, " \t")
	if piece == "{" || piece == "}" {
		lx.stmts = append(lx.stmts, statement{pos: Position{File: pos.File, Line: pos.Line, Column: offset + 1}, brace: piece[0], words: []word{{piece, offset + 1}}, raw: piece})
		return
	}
	st := statement{raw: piece}
	for i := 0; ; {
		for i < len(piece) && strings.IndexByte(whiteSpace, piece[i]) >= 0 {
			i++
		}
		if i == len(piece) {
			break
		}
		start, end, next := i, 0, 0
		if piece[i] == '"' {
			close := strings.IndexByte(piece[i+1:], '"')
			if close < 0 {
				lx.diags.errorf(Position{File: pos.File, Line: pos.Line, Column: offset + i + 1}, "Unmatched quote: '%s' - add the closing '\"'", piece)
				break
			}
			start, end, next = i+1, i+1+close, i+2+close
		} else {
			end = i + strings.IndexAny(piece[i:]+" ", whiteSpace+`"`)
			next = end
		}
		st.words = append(st.words, word{text: piece[start:end], col: offset + i + 1})
		i = next
	}
	if len(st.words) == 0 {
		return
	}
	st.pos = Position{File: pos.File, Line: pos.Line, Column: st.words[0].col}
	lx.stmts = append(lx.stmts, st)
}

// decomment removes a comment ('!' or '#' outside double quotes, to the end
// of the line) as keepalived 2.2.7's VRRP process sees it, and returns the
// column of a "\#" or "\!" that started the comment, or 0. keepalived's
// parent process removes the backslash of "\#" and "\!" outside quotes when
// it copies the configuration for its VRRP process, which then reads the
// '#' or '!' as a comment: "auth_pass ab\#cd" is the password "ab" there.
// Leading white space is kept, for columns.
func decomment(line string) (string, int) {
	quoted := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			quoted = !quoted
		case c == '\\' && i+1 < len(line):
			if !quoted && (line[i+1] == '#' || line[i+1] == '!') {
				return strings.TrimRight(line[:i], " \t"), i + 1
			}
			i++ // an escaped character never starts a comment or a quote
		case !quoted && (c == '#' || c == '!'):
			return strings.TrimRight(line[:i], " \t"), 0
		}
	}
	return strings.TrimRight(line, " \t"), 0
}

// braceSplit returns the length of the statement at the start of text: a
// lone brace, or everything up to the first brace outside double quotes.
func braceSplit(text string) int {
	if text[0] == '{' || text[0] == '}' {
		return 1
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			close := strings.IndexByte(text[i+1:], '"')
			if close < 0 {
				return len(text)
			}
			i += 1 + close
		case '{', '}':
			return i
		}
	}
	return len(text)
}

// includePattern reports whether text is an include line and returns its
// pattern: "include" (or keepalived's includer, includem, includew,
// includeb, includea) then white space then the rest of the line.
func includePattern(text string) (string, bool) {
	rest, ok := strings.CutPrefix(text, "include")
	if !ok || rest == "" {
		return "", false
	}
	if rest[0] != ' ' && rest[0] != '\t' {
		if len(rest) < 2 || !strings.ContainsRune("rmwba", rune(rest[0])) || (rest[1] != ' ' && rest[1] != '\t') {
			return "", false
		}
		rest = rest[1:]
	}
	return strings.Trim(rest, " \t"), true
}

// include reads the files matching pattern, relative to the including file.
func (lx *lexer) include(pos Position, pattern string, depth int) {
	if lx.src == nil {
		lx.diags.errorf(pos, "include '%s': no file system to read it from - use ParseFS or ParseFile", pattern)
		return
	}
	if depth >= maxIncludeDepth {
		lx.diags.errorf(pos, "include '%s': includes nested more than %d deep - does a file include itself?", pattern, maxIncludeDepth)
		return
	}
	names, err := lx.src.glob(lx.src.resolve(pos.File, pattern))
	if err != nil {
		lx.diags.errorf(pos, "include '%s': %v", pattern, err)
		return
	}
	if len(names) == 0 {
		lx.diags.warnf(pos, "Config files missing '%s'.", pattern)
		return
	}
	for _, name := range names {
		if len(lx.files) >= maxFiles {
			lx.diags.errorf(pos, "include '%s': more than %d configuration files - is a file included over and over?", pattern, maxFiles)
			return
		}
		data, err := lx.src.readFile(name)
		if err != nil {
			lx.diags.errorf(pos, "include '%s': %v", pattern, err)
			continue
		}
		lx.lexFile(name, data, depth+1)
	}
}
