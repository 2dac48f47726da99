package parser

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Parse reads the statements of src, separated by ';' (a trailing ';' is
// optional; an empty input gives no statements). filename only labels
// positions. The error, if any, is an *Error.
func Parse(filename, src string) (stmts []Statement, err error) {
	// A panic here is a parser bug; the caller still gets a positioned error
	// rather than a crashed server.
	defer func() {
		if r := recover(); r != nil {
			stmts = nil
			err = &Error{
				Pos:  Pos{Filename: filename, Line: 1, Column: 1},
				Msg:  fmt.Sprintf("internal parser error: %v", r),
				Code: CodeInternal,
			}
		}
	}()
	if err := tooDeep(filename, src); err != nil {
		return nil, err
	}
	tree, perr := sqlParser.ParseString(filename, src)
	if perr != nil {
		return nil, syntaxError(filename, src, perr)
	}
	if err := numberJunk(filename, src); err != nil {
		return nil, err
	}
	var c converter
	stmts = c.script(tree)
	if c.err != nil {
		return nil, c.err
	}
	return stmts, nil
}

// numberJunk refuses a number run into a name, as PostgreSQL 16 does:
// without it 0x1F reads as 0 AS x1F and 10s as 10 AS s, a column silently
// renamed and a value silently changed.
func numberJunk(filename, src string) *Error {
	lex, err := sqlLexer.LexString(filename, src)
	if err != nil {
		return nil
	}
	toks, err := lexer.ConsumeAll(lex)
	if err != nil {
		return nil
	}
	for i := 0; i+1 < len(toks); i++ {
		t, next := toks[i], toks[i+1]
		if t.Type != numberType || t.Pos.Offset+len(t.Value) != next.Pos.Offset {
			continue
		}
		if next.Type == identType || next.Type == keywordType || next.Type == qidentType {
			p := t.Pos
			return &Error{
				Pos:  Pos{Filename: filename, Offset: p.Offset, Line: p.Line, Column: p.Column},
				Msg:  fmt.Sprintf("trailing junk after numeric literal at or near %q", t.Value+next.Value),
				Code: CodeSyntax,
			}
		}
	}
	return nil
}

// MaxNesting bounds how deep parentheses and brackets nest in a
// statement. The parser recurses once or more per level, and a goroutine's
// stack overflow is fatal, not a panic Parse could recover from: a
// statement nested deeper is refused first, as PostgreSQL refuses one
// past max_stack_depth.
const MaxNesting = 1000

// CodeTooDeep is statement_too_complex's neighbour PostgreSQL uses for
// max_stack_depth: stack depth limit exceeded.
const CodeTooDeep = "54001"

// tooDeep refuses src when its parentheses or brackets nest more than
// MaxNesting deep, at the first one past the limit.
func tooDeep(filename, src string) *Error {
	lex, err := sqlLexer.LexString(filename, src)
	if err != nil {
		return nil
	}
	depth := 0
	for {
		t, err := lex.Next()
		if err != nil || t.EOF() {
			return nil
		}
		switch t.Value {
		case "(", "[":
			if depth++; depth > MaxNesting {
				p := t.Pos
				return &Error{
					Pos:  Pos{Filename: filename, Offset: p.Offset, Line: p.Line, Column: p.Column},
					Msg:  fmt.Sprintf("stack depth limit exceeded: the statement nests more than %d levels deep", MaxNesting),
					Code: CodeTooDeep,
				}
			}
		case ")", "]":
			depth--
		}
	}
}

var (
	numberType  = sqlLexer.Symbols()["Number"]
	identType   = sqlLexer.Symbols()["Ident"]
	keywordType = sqlLexer.Symbols()["Keyword"]
	qidentType  = sqlLexer.Symbols()["QIdent"]
)

var (
	expectedRE    = regexp.MustCompile(`\(expected (.*)\)$`)
	literalChoice = regexp.MustCompile(`^\(("[^" ]+"(?: \| "[^" ]+")+)\)$`)
)

// syntaxError rewrites participle's errors in PostgreSQL's words: `syntax
// error at or near "FORM"`, plus what the grammar expected when participle
// knows it.
func syntaxError(filename, src string, err error) *Error {
	out := &Error{Code: CodeSyntax, Pos: Pos{Filename: filename, Line: 1, Column: 1}}
	var perr participle.Error
	if !errors.As(err, &perr) {
		out.Msg = err.Error()
		return out
	}
	p := perr.Position()
	out.Pos = Pos{Filename: filename, Offset: p.Offset, Line: p.Line, Column: p.Column}

	var lerr *lexer.Error
	if errors.As(err, &lerr) {
		out.Msg = lexError(src, p.Offset)
		return out
	}
	var uerr *participle.UnexpectedTokenError
	if errors.As(err, &uerr) {
		out.Msg = "syntax error " + near(uerr.Unexpected)
		if strings.HasPrefix(uerr.Unexpected.Value, "/*") {
			out.Msg = "unterminated /* comment"
			return out
		}
		if m := expectedRE.FindStringSubmatch(uerr.Message()); m != nil {
			if e := expected(m[1]); e != "" {
				out.Msg += "; expected " + e
			}
		}
		return out
	}
	// Other participle errors carry only a message; name the token there.
	out.Msg = "syntax error: " + perr.Message()
	return out
}

func near(t lexer.Token) string {
	if t.EOF() {
		return "at end of input"
	}
	return fmt.Sprintf("at or near %q", t.Value)
}

// ruleWords names grammar rules in the user's words.
var ruleWords = map[string]string{
	"<ident>": "identifier", "<qident>": "identifier", "IdentTok": "identifier",
	"<number>": "number", "<string>": "string", "StringLit": "string",
	"<param>": "parameter", "LimitValue": "number or parameter",
	"DottedName": "name", "FromSource": "name", "ProcessorRef": "name",
	"OrExpr": "expression", "AndExpr": "expression", "NotExpr": "expression",
	"IsExpr": "expression", "CmpExpr": "expression", "PredExpr": "expression",
	"ConcatExpr": "expression", "AddExpr": "expression", "MulExpr": "expression",
	"UnaryExpr": "expression", "PostfixExpr": "expression", "Primary": "expression",
	"SelectItem": "expression", "OrderItem": "expression", `"*"`: "expression",
	"TypeName": "type name", "SelectStmt": "SELECT", "InsertStmt": "INSERT",
	"IntervalLit": "INTERVAL", "Option": "option (key = value)",
	"OptionValue": "string, number, boolean or name", "FrameBound": "frame bound",
	"Over": `"("`,
}

// expected turns the grammar fragment participle expected into words. Only
// the fragment's first term is what the parser needed at the token; when that
// term is a choice or optional, a guess would mislead, so none is given.
func expected(ebnf string) string {
	term := firstTerm(ebnf)
	if w, ok := ruleWords[term]; ok {
		return w
	}
	if m := literalChoice.FindStringSubmatch(term); m != nil {
		words := strings.Split(m[1], " | ")
		for i, w := range words {
			words[i] = expected(w)
		}
		return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
	}
	if len(term) >= 3 && term[0] == '"' && term[len(term)-1] == '"' && !strings.Contains(term[1:len(term)-1], `"`) {
		word := term[1 : len(term)-1]
		if bareIdent.MatchString(word) {
			return word // a keyword reads best bare: expected FROM
		}
		return term
	}
	return ""
}

// firstTerm is the text of ebnf up to the first space outside parentheses
// and quotes.
func firstTerm(ebnf string) string {
	depth, quoted := 0, false
	for i, r := range ebnf {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ' ' && depth == 0:
			return ebnf[:i]
		}
	}
	return ebnf
}

func lexError(src string, off int) string {
	rest := src[min(off, len(src)):]
	switch {
	case strings.HasPrefix(rest, "'"):
		return "unterminated quoted string"
	case strings.HasPrefix(rest, `"`), strings.HasPrefix(rest, "`"):
		return "unterminated quoted identifier"
	case strings.HasPrefix(rest, "/*"):
		return "unterminated /* comment"
	case rest == "":
		return "syntax error at end of input"
	}
	r := []rune(rest)[0]
	return fmt.Sprintf("syntax error at or near %q; unexpected character", string(r))
}
