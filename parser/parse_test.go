package parser

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The error carries what pgwire needs: SQLSTATE and a byte offset that
// points at the offending token.
func TestErrorFields(t *testing.T) {
	src := "SELECT a\nFROM k.t\nWHERE a = = 1"
	_, err := Parse("q.sql", src)
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("Parse(%q) error = %v (%T), expected *Error", src, err, err)
	}
	if perr.Code != CodeSyntax {
		t.Errorf("Code = %q, expected %q", perr.Code, CodeSyntax)
	}
	want := Pos{Filename: "q.sql", Line: 3, Column: 11, Offset: 28}
	if perr.Pos != want {
		t.Errorf("Pos = %+v, expected %+v", perr.Pos, want)
	}
	if got := src[perr.Pos.Offset:]; got[:1] != "=" {
		t.Errorf("Offset %d points at %q, expected the second =", perr.Pos.Offset, got)
	}
}

func TestIntervalDuration(t *testing.T) {
	for src, want := range map[string]time.Duration{
		"SELECT INTERVAL '5' MINUTE":    5 * time.Minute,
		"SELECT INTERVAL '1.5 seconds'": 1500 * time.Millisecond,
		"SELECT INTERVAL '250ms'":       250 * time.Millisecond,
		"SELECT INTERVAL '2' DAYS":      48 * time.Hour,
	} {
		stmts, err := Parse("q.sql", src)
		if err != nil {
			t.Fatal(err)
		}
		got := stmts[0].(*Select).Items[0].Expr.(*Interval).Duration()
		if got != want {
			t.Errorf("%s: Duration() = %v, expected %v", src, got, want)
		}
	}
}

func TestLiteralValues(t *testing.T) {
	stmts, err := Parse("q.sql", "SELECT 42, 2.5, TRUE")
	if err != nil {
		t.Fatal(err)
	}
	items := stmts[0].(*Select).Items
	if n, err := items[0].Expr.(*Literal).Int(); n != 42 || err != nil {
		t.Errorf("Int() = %d, %v; expected 42", n, err)
	}
	if f, err := items[1].Expr.(*Literal).Float(); f != 2.5 || err != nil {
		t.Errorf("Float() = %v, %v; expected 2.5", f, err)
	}
	if !items[2].Expr.(*Literal).Bool() {
		t.Errorf("Bool() = false, expected true")
	}
}

// TestNestingLimit: a statement nested deeper than MaxNesting is refused
// with 54001 at the first parenthesis past the limit, before the parser
// recurses into it (a stack overflow would kill the process); the limit
// itself parses, and parentheses inside a string don't count.
func TestNestingLimit(t *testing.T) {
	nest := func(n int) string {
		return "SELECT " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + " AS x FROM k.t"
	}
	if _, err := Parse("q.sql", nest(MaxNesting)); err != nil {
		t.Fatalf("%d levels: %v", MaxNesting, err)
	}
	for _, n := range []int{MaxNesting + 1, 200_000} {
		_, err := Parse("q.sql", nest(n))
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != CodeTooDeep || pe.Pos.Offset != len("SELECT ")+MaxNesting {
			t.Fatalf("%d levels: %v", n, err)
		}
	}
	if _, err := Parse("q.sql", "SELECT '"+strings.Repeat("(", 3*MaxNesting)+"' AS s FROM k.t"); err != nil {
		t.Fatalf("parentheses in a string: %v", err)
	}
}
