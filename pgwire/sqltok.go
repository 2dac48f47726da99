package pgwire

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The tokenizer below is deliberately small: pgwire uses it to split a
// Query message into statements, to recognise the session statements that
// are not part of weir's SQL dialect (BEGIN, SET, SHOW, DECLARE, FETCH,
// COPY …), to find $n parameters and to read psql's catalog queries. It
// knows PostgreSQL's lexical rules (quotes, E'' strings, dollar quotes,
// comments), so a ';' or '$1' inside a string is never mistaken for one.

type tokKind uint8

const (
	tkWord   tokKind = iota // keyword or unquoted identifier
	tkIdent                 // "quoted identifier"
	tkString                // 'string', E'string', $$string$$
	tkNumber
	tkParam // $n
	tkOp    // operators and punctuation
	tkSemi
)

type token struct {
	kind tokKind
	// text is the token as written; val is a string's or quoted
	// identifier's value, a word upper-cased.
	text, val string
	// off is the byte offset of the token in the text tokenized.
	off int
}

// tokenize splits src into tokens. It never fails: an unterminated string or
// comment runs to the end, and the planner reports it properly.
func tokenize(src string) []token {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				i = len(src)
			} else {
				i += j + 1
			}
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			depth, j := 0, i
			for j < len(src) {
				if strings.HasPrefix(src[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(src[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			i = j
		case c == ';':
			toks = append(toks, token{kind: tkSemi, text: ";", off: i})
			i++
		case c == '\'' || (c == 'E' || c == 'e') && i+1 < len(src) && src[i+1] == '\'':
			start := i
			esc := c != '\''
			if esc {
				i++
			}
			val, n := scanQuoted(src[i:], '\'', esc)
			i += n
			toks = append(toks, token{kind: tkString, text: src[start:i], val: val, off: start})
		case c == '"':
			val, n := scanQuoted(src[i:], '"', false)
			toks = append(toks, token{kind: tkIdent, text: src[i : i+n], val: val, off: i})
			i += n
		case c == '$' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i + 1
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			toks = append(toks, token{kind: tkParam, text: src[i:j], val: src[i+1 : j], off: i})
			i = j
		case c == '$':
			// A dollar quote: $tag$ … $tag$.
			j := i + 1
			for j < len(src) && (isIdentByte(src[j])) {
				j++
			}
			if j < len(src) && src[j] == '$' {
				tag := src[i : j+1]
				end := strings.Index(src[j+1:], tag)
				if end < 0 {
					toks = append(toks, token{kind: tkString, text: src[i:], val: src[j+1:], off: i})
					i = len(src)
				} else {
					toks = append(toks, token{kind: tkString, text: src[i : j+1+end+len(tag)], val: src[j+1 : j+1+end], off: i})
					i = j + 1 + end + len(tag)
				}
			} else {
				toks = append(toks, token{kind: tkOp, text: "$", val: "$", off: i})
				i++
			}
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E' || src[j] == '_' ||
				(src[j] == '+' || src[j] == '-') && j > i && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			toks = append(toks, token{kind: tkNumber, text: src[i:j], val: src[i:j], off: i})
			i = j
		case isIdentStart(src[i:]):
			j := i
			for j < len(src) {
				r, n := utf8.DecodeRuneInString(src[j:])
				if r != '_' && r != '$' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += n
			}
			toks = append(toks, token{kind: tkWord, text: src[i:j], val: strings.ToUpper(src[i:j]), off: i})
			i = j
		default:
			// Operators: the longest run of operator characters, but
			// punctuation stands alone.
			if strings.ContainsRune("(),[]", rune(c)) {
				toks = append(toks, token{kind: tkOp, text: src[i : i+1], val: src[i : i+1], off: i})
				i++
				continue
			}
			if c == ':' && strings.HasPrefix(src[i:], "::") {
				toks = append(toks, token{kind: tkOp, text: "::", val: "::", off: i})
				i += 2
				continue
			}
			j := i
			for j < len(src) && strings.IndexByte("+-*/<>=~!@#%^&|`?:.", src[j]) >= 0 {
				j++
			}
			if j == i {
				_, n := utf8.DecodeRuneInString(src[i:])
				j = i + n
			}
			toks = append(toks, token{kind: tkOp, text: src[i:j], val: src[i:j], off: i})
			i = j
		}
	}
	return toks
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isIdentStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

// scanQuoted reads a quoted token starting at s[0] == q, doubling q to
// escape it (and backslash escapes in E” strings); it returns the value
// and the bytes consumed.
func scanQuoted(s string, q byte, backslash bool) (string, int) {
	var b strings.Builder
	i := 1
	for i < len(s) {
		c := s[i]
		switch {
		case backslash && c == '\\' && i+1 < len(s):
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i+1])
			}
			i += 2
		case c == q && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i += 2
		case c == q:
			return b.String(), i + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), len(s)
}

// stmtText is one statement of a Query message: its text and where it
// starts in the message, so error positions can be made relative to the
// whole string the client sent (libpq draws the caret under that).
type stmtText struct {
	sql  string
	off  int
	toks []token // offsets relative to sql
}

// splitStatements splits a Query message at top-level semicolons; empty
// statements are dropped.
func splitStatements(src string) []stmtText {
	var out []stmtText
	toks := tokenize(src)
	start := 0
	flush := func(end int, ts []token) {
		text := src[start:end]
		trimmed := strings.TrimLeft(text, " \t\r\n\f")
		off := start + len(text) - len(trimmed)
		trimmed = strings.TrimRight(trimmed, " \t\r\n\f")
		if len(ts) == 0 {
			return
		}
		rel := make([]token, len(ts))
		for i, t := range ts {
			t.off -= off
			rel[i] = t
		}
		out = append(out, stmtText{sql: trimmed, off: off, toks: rel})
	}
	var cur []token
	for _, t := range toks {
		if t.kind == tkSemi {
			flush(t.off, cur)
			cur = nil
			start = t.off + 1
			continue
		}
		cur = append(cur, t)
	}
	flush(len(src), cur)
	return out
}

// isWord reports whether t is the keyword w (upper case).
func (t token) isWord(w string) bool { return t.kind == tkWord && t.val == w }

// words reports whether toks start with the given keywords.
func words(toks []token, ws ...string) bool {
	if len(toks) < len(ws) {
		return false
	}
	for i, w := range ws {
		if !toks[i].isWord(w) {
			return false
		}
	}
	return true
}

// name is a token's value as an identifier: quoted ones as written,
// unquoted ones folded to lower case, as PostgreSQL does for settings
// and cursor names.
func (t token) name() string {
	if t.kind == tkIdent {
		return t.val
	}
	return strings.ToLower(t.text)
}
