package planner

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

// Kind says what a statement does.
type Kind string

// The statement kinds.
const (
	KindSelect           Kind = "SELECT"
	KindInsert           Kind = "INSERT"
	KindExplain          Kind = "EXPLAIN"
	KindCreateConnection Kind = "CREATE CONNECTION"
	KindCreateProcessor  Kind = "CREATE STREAM PROCESSOR"
	KindStartProcessor   Kind = "START STREAM PROCESSOR"
	KindStopProcessor    Kind = "STOP STREAM PROCESSOR"
	KindDropProcessor    Kind = "DROP STREAM PROCESSOR"
	KindShowProcessors   Kind = "SHOW STREAM PROCESSORS"
	KindShowConnections  Kind = "SHOW CONNECTIONS"
)

// Plan is one planned statement.
type Plan struct {
	Stmt parser.Statement
	Kind Kind
	// Processor is the pipeline the statement defines: a SELECT's, an
	// INSERT's, a CREATE STREAM PROCESSOR's (named, with its options) or
	// the explained statement's. Nil for statements without one.
	Processor *mql.Processor
	// Warnings are the pipeline's lints and anything the planner noticed
	// on the way; they never stop a statement.
	Warnings []mql.Warning
	// Name is the processor or connection a CREATE, START, STOP or DROP
	// names.
	Name string
	// IfExists and OrReplace are the statement's flags.
	IfExists, OrReplace bool
	// Connection is a CREATE CONNECTION's type and options.
	Connection *Connection
	// Explained is the plan of EXPLAIN's statement.
	Explained *Plan
}

// Connection is a CREATE CONNECTION: Type is "kafka", "mongodb" or "file";
// option values are string, int64, float64 or bool.
type Connection struct {
	Type    string
	Options []Option
}

// Option is one key = value of a CREATE CONNECTION.
type Option struct {
	Key   string
	Value any
}

// PlanSQL parses src and plans every statement. A syntax error is the
// parser's *parser.Error; a planning error an *Error.
func PlanSQL(filename, src string) ([]*Plan, error) {
	stmts, err := parser.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	plans := make([]*Plan, 0, len(stmts))
	for _, s := range stmts {
		p, err := PlanStatement(s)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// PlanStatement plans one statement. Every pipeline it returns has passed
// mql.Validate; its lints are in Warnings.
func PlanStatement(stmt parser.Statement) (*Plan, error) {
	p := &Plan{Stmt: stmt}
	switch s := stmt.(type) {
	case *parser.Select:
		p.Kind = KindSelect
		proc, warns, err := planQuery(s, nil)
		if err != nil {
			return nil, err
		}
		p.Processor, p.Warnings = proc, warns
	case *parser.Insert:
		p.Kind = KindInsert
		proc, warns, err := planQuery(s.Query, s.Target)
		if err != nil {
			return nil, err
		}
		p.Processor, p.Warnings = proc, warns
	case *parser.Explain:
		p.Kind = KindExplain
		inner, err := PlanStatement(s.Stmt)
		if err != nil {
			return nil, err
		}
		p.Explained, p.Processor, p.Warnings = inner, inner.Processor, inner.Warnings
	case *parser.CreateConnection:
		p.Kind = KindCreateConnection
		name, err := oneName(s.Name, "a connection")
		if err != nil {
			return nil, err
		}
		p.Name = name
		c := &Connection{Type: s.Type}
		seen := map[string]bool{}
		for _, o := range s.Options {
			if seen[o.Key] {
				return nil, errorf(o, CodeInvalidParameter, "option %q given twice", o.Key)
			}
			seen[o.Key] = true
			v, err := optionValue(o)
			if err != nil {
				return nil, err
			}
			c.Options = append(c.Options, Option{Key: o.Key, Value: v})
		}
		p.Connection = c
	case *parser.CreateProcessor:
		p.Kind, p.OrReplace = KindCreateProcessor, s.OrReplace
		if err := planCreateProcessor(p, s); err != nil {
			return nil, err
		}
	case *parser.StartProcessor:
		p.Kind, p.IfExists = KindStartProcessor, s.IfExists
		return p, nameInto(p, s.Name)
	case *parser.StopProcessor:
		p.Kind, p.IfExists = KindStopProcessor, s.IfExists
		return p, nameInto(p, s.Name)
	case *parser.DropProcessor:
		p.Kind, p.IfExists = KindDropProcessor, s.IfExists
		return p, nameInto(p, s.Name)
	case *parser.ShowProcessors:
		p.Kind = KindShowProcessors
	case *parser.ShowConnections:
		p.Kind = KindShowConnections
	default:
		return nil, errorf(stmt, CodeInternal, "internal error: the planner has no case for %T", stmt)
	}
	return p, nil
}

func nameInto(p *Plan, n *parser.Name) error {
	name, err := oneName(n, "a stream processor")
	p.Name = name
	return err
}

// oneName checks that a processor or connection name has one part:
// they live in one flat namespace, as in ASP.
func oneName(n *parser.Name, what string) (string, error) {
	if len(n.Parts) != 1 {
		return "", errorf(n, CodeSyntax, "%s name has one part, found %q", what, strings.Join(n.Parts, "."))
	}
	return n.Parts[0], nil
}

// optionValue reads an option's literal (or bare word) as a Go value.
func optionValue(o *parser.Option) (any, error) {
	switch v := o.Value.(type) {
	case *parser.Literal:
		switch v.Kind {
		case parser.LitString:
			return v.Text, nil
		case parser.LitBool:
			return v.Bool(), nil
		case parser.LitInt:
			n, err := v.Int()
			if err != nil {
				return nil, errorf(v, CodeInvalidParameter, "option %s: %s is out of range for a 64-bit integer", o.Key, v.Text)
			}
			return n, nil
		case parser.LitFloat:
			f, _ := v.Float()
			return f, nil
		case parser.LitNull:
			return nil, errorf(v, CodeInvalidParameter, "option %s: expected a value, found NULL", o.Key)
		}
	case *parser.Ident:
		return strings.Join(v.Parts, "."), nil
	case *parser.Unary:
		if lit, ok := v.X.(*parser.Literal); ok && v.Op == "-" && (lit.Kind == parser.LitInt || lit.Kind == parser.LitFloat) {
			x, err := optionValue(&parser.Option{Pos: o.Pos, Key: o.Key, Value: lit})
			switch n := x.(type) {
			case int64:
				return -n, err
			case float64:
				return -n, err
			}
		}
	}
	return nil, errorf(o.Value, CodeInvalidParameter, "option %s: expected a string, number, boolean or word", o.Key)
}

func planCreateProcessor(p *Plan, s *parser.CreateProcessor) error {
	name, err := oneName(s.Name, "a stream processor")
	if err != nil {
		return err
	}
	p.Name = name
	var proc *mql.Processor
	switch {
	case s.Insert != nil:
		var warns []mql.Warning
		if proc, warns, err = planQuery(s.Insert.Query, s.Insert.Target); err != nil {
			return err
		}
		if len(proc.Pipeline) == 0 || !isSink(proc.Pipeline[len(proc.Pipeline)-1]) {
			return errorf(s.Insert, CodeInternal, "internal error: INSERT planned without a sink")
		}
		p.Warnings = warns
	case s.MQL != nil:
		dec, warns, err := mql.Decode([]byte(s.MQL.Text))
		if err != nil {
			return mqlTextError(s.MQL, err)
		}
		proc, p.Warnings = dec, warns
	default:
		return errorf(s, CodeInternal, "internal error: CREATE STREAM PROCESSOR without a body")
	}
	proc.Name = name
	for _, o := range s.With {
		v, err := optionValue(o)
		if err != nil {
			return err
		}
		str, isStr := v.(string)
		switch o.Key {
		case "dlq":
			parts := strings.Split(str, ".")
			if !isStr || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
				return errorf(o.Value, CodeInvalidParameter, "dlq: expected 'connection.db.collection', found %s", describeOption(v))
			}
			proc.Options.DLQ = &mql.Namespace{ConnectionName: parts[0], DB: parts[1], Coll: parts[2]}
		case "tier":
			if !isStr {
				return errorf(o.Value, CodeInvalidParameter, "tier: expected a string such as 'SP10', found %s", describeOption(v))
			}
			proc.Options.Tier = str
		case "streamMetaFieldName", "stream_meta_field_name":
			if !isStr {
				return errorf(o.Value, CodeInvalidParameter, "%s: expected a string, found %s", o.Key, describeOption(v))
			}
			proc.Options.StreamMetaFieldName = &str
		default:
			return errorf(o, CodeInvalidParameter, "unknown stream processor option %q; expected dlq, tier or streamMetaFieldName", o.Key)
		}
	}
	if err := mql.Validate(proc); err != nil {
		if s.MQL != nil {
			return errorf(s.MQL, CodeInvalidParameter, "in the MQL pipeline: %v", err)
		}
		return errorf(s, CodeInternal, "internal error: the planned pipeline is invalid: %v", err)
	}
	p.Processor = proc
	return nil
}

func describeOption(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case nil:
		return "NULL"
	}
	return fmt.Sprint(v)
}

func isSink(s mql.Stage) bool {
	switch s.(type) {
	case *mql.Merge, *mql.Emit:
		return true
	}
	return false
}

var jsonPosRE = regexp.MustCompile(`^(\d+):(\d+): (.*)$`)

// mqlTextError reports an AS MQL '…' pipeline that doesn't decode. A JSON
// syntax error carries its line:column inside the string; it is moved to
// the file's coordinates so the error points at the offending character
// (each ” in the SQL text is one ' in the string). Errors with a pipeline
// path point at the string.
func mqlTextError(lit *parser.Literal, err error) *Error {
	m := jsonPosRE.FindStringSubmatch(err.Error())
	if m == nil {
		return errorf(lit, CodeInvalidParameter, "in the MQL pipeline: %v", err)
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	text := lit.Text
	// idx is the byte offset of line:col in the text; quotes counts the
	// doubled quotes before it on its line, and all counts those in the text.
	idx, l, quotes, all := 0, 1, 0, 0
	for idx < len(text) && l < line {
		if text[idx] == '\n' {
			l++
			quotes = 0
		} else if text[idx] == '\'' {
			all++
		}
		idx++
	}
	for i := 0; i < col-1 && idx < len(text) && text[idx] != '\n'; i++ {
		if text[idx] == '\'' {
			quotes++
			all++
		}
		idx++
	}
	pos := lit.Pos
	pos.Offset += 1 + idx + all
	if line == 1 {
		pos.Column += 1 + col - 1 + quotes
	} else {
		pos.Line += line - 1
		pos.Column = col + quotes
	}
	return &Error{Pos: pos, Code: CodeInvalidParameter, Msg: "in the MQL pipeline: " + m[3]}
}
