package parser

import (
	"fmt"
	"strconv"
	"time"
)

// Pos is where a node starts in the source: the planner blames nodes by it and
// pgwire turns Offset into the character position psql draws its caret at.
type Pos struct {
	Filename string
	Offset   int // byte offset, 0-based
	Line     int // 1-based
	Column   int // 1-based, in bytes
}

func (p Pos) String() string {
	if p.Filename == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// Node is any AST node. The set of node types is closed: the unexported method
// keeps other packages from adding cases a type switch would miss.
type Node interface {
	Position() Pos
	node()
}

// Statement is one of *Select, *Insert, *Explain, *CreateConnection,
// *CreateProcessor, *StartProcessor, *StopProcessor, *DropProcessor,
// *ShowProcessors, *ShowConnections.
type Statement interface {
	Node
	stmt()
}

// Expr is one of *Ident, *Literal, *Param, *Interval, *Unary, *Binary,
// *IsNull, *IsBool, *Between, *In, *Like, *Call, *Case, *Cast, *Subscript,
// *Array.
type Expr interface {
	Node
	expr()
}

// Name is a dotted object name as written: conn.topic names a stream,
// conn.db.coll a collection; the planner decides which by the connection.
type Name struct {
	Pos   Pos
	Parts []string
}

// ---- statements ----

// Select is a query. From is nil for SELECT without FROM (SELECT 1).
type Select struct {
	Pos      Pos
	Distinct bool
	Items    []*SelectItem
	From     *Source
	Joins    []*Join
	Where    Expr
	Window   *Window
	GroupBy  []Expr
	Having   Expr
	OrderBy  []*OrderItem
	Limit    Expr // an integer *Literal or a *Param
}

// SelectItem is `*`, `q.*` (Star with Qualifier) or `expr [AS] alias`.
type SelectItem struct {
	Pos       Pos
	Star      bool
	Qualifier []string // the parts before .* ; nil for a bare *
	Expr      Expr
	Alias     string // "" when none was written
}

// Source is the FROM clause's stream or collection.
type Source struct {
	Pos         Pos
	Name        *Name
	Alias       string
	TimestampBy Expr      // nil without TIMESTAMP BY
	With        []*Option // source options, e.g. WITH (startAt = 'earliest')
}

// JoinKind says how a join keeps rows.
type JoinKind string

const (
	JoinInner JoinKind = "INNER"
	JoinLeft  JoinKind = "LEFT"
	JoinCross JoinKind = "CROSS"
)

// Join is a lookup join against a collection (Table set) or an unnest of an
// array (Unnest set): `CROSS JOIN UNNEST(x) AS a`, `, UNNEST(x) AS a` and
// `LEFT JOIN UNNEST(x) AS a ON TRUE` all land here. On is nil for CROSS joins.
type Join struct {
	Pos    Pos
	Kind   JoinKind
	Table  *Name
	Unnest Expr
	Alias  string
	On     Expr
}

// WindowKind names the window functions of the WINDOW clause.
type WindowKind string

const (
	Tumble  WindowKind = "TUMBLE"
	Hop     WindowKind = "HOP"
	Session WindowKind = "SESSION"
)

// Window is the WINDOW clause: TUMBLE(size), HOP(size, hop) or SESSION(gap),
// with optional lateness and idle timeout. HOP takes the size first, as ASP's
// $hoppingWindow writes interval before hopSize (Flink and RisingWave put the
// slide first; docs/sql.md points that out).
type Window struct {
	Pos             Pos
	Kind            WindowKind
	Size            *Interval // TUMBLE and HOP: the window's length
	Slide           *Interval // HOP: how often a window starts (ASP's hopSize)
	Gap             *Interval // SESSION: the quiet time that ends a session
	AllowedLateness *Interval
	IdleTimeout     *Interval
}

// OrderItem is one ORDER BY key. Nulls is "", "FIRST" or "LAST".
type OrderItem struct {
	Pos   Pos
	Expr  Expr
	Desc  bool
	Nulls string
}

// Option is `key = value` in WITH (…) and CREATE CONNECTION (…). Key may be
// dotted (properties.bootstrap.servers) or quoted; Value is a *Literal
// (string, number, boolean) or an *Ident.
type Option struct {
	Pos   Pos
	Key   string
	Value Expr
}

// Insert is INSERT INTO target query.
type Insert struct {
	Pos    Pos
	Target *Name
	Query  *Select
}

// Explain is EXPLAIN stmt.
type Explain struct {
	Pos  Pos
	Stmt Statement
}

// CreateConnection is CREATE CONNECTION name TO type (options). Type is
// lower-case: "kafka", "mongodb" or "file".
type CreateConnection struct {
	Pos     Pos
	Name    *Name
	Type    string
	Options []*Option
}

// CreateProcessor is CREATE [OR REPLACE] STREAM PROCESSOR name [WITH (…)] AS
// either an INSERT (Insert set) or MQL '<pipeline json>' (MQL set; its Pos
// lets JSON errors point into the string).
type CreateProcessor struct {
	Pos       Pos
	OrReplace bool
	Name      *Name
	With      []*Option
	Insert    *Insert
	MQL       *Literal
}

// StartProcessor is START STREAM PROCESSOR [IF EXISTS] name.
type StartProcessor struct {
	Pos      Pos
	IfExists bool
	Name     *Name
}

// StopProcessor is STOP STREAM PROCESSOR [IF EXISTS] name.
type StopProcessor struct {
	Pos      Pos
	IfExists bool
	Name     *Name
}

// DropProcessor is DROP STREAM PROCESSOR [IF EXISTS] name.
type DropProcessor struct {
	Pos      Pos
	IfExists bool
	Name     *Name
}

// ShowProcessors is SHOW STREAM PROCESSORS.
type ShowProcessors struct{ Pos Pos }

// ShowConnections is SHOW CONNECTIONS.
type ShowConnections struct{ Pos Pos }

// ---- expressions ----

// Ident is a column reference as written, a or a.b.c: the planner decides
// whether a leading part is a source alias or a field. WINDOW_START and
// WINDOW_END are plain identifiers too.
type Ident struct {
	Pos   Pos
	Parts []string
}

// LiteralKind is the kind of a literal constant.
type LiteralKind string

const (
	LitNull   LiteralKind = "NULL"
	LitBool   LiteralKind = "BOOL"
	LitInt    LiteralKind = "INT"
	LitFloat  LiteralKind = "FLOAT" // has a '.' or an exponent: PostgreSQL's numeric
	LitString LiteralKind = "STRING"
)

// Literal is a constant. Text is the number as written, the string's value
// with ” already undone, "TRUE"/"FALSE" or "NULL".
type Literal struct {
	Pos  Pos
	Kind LiteralKind
	Text string
}

// Bool reports the value of a LitBool literal.
func (l *Literal) Bool() bool { return l.Text == "TRUE" }

// Int parses a LitInt literal; it fails when the value overflows int64.
func (l *Literal) Int() (int64, error) { return strconv.ParseInt(l.Text, 10, 64) }

// Float parses a LitInt or LitFloat literal.
func (l *Literal) Float() (float64, error) { return strconv.ParseFloat(l.Text, 64) }

// Param is a positional parameter $n of the extended query protocol.
type Param struct {
	Pos   Pos
	Index int
}

// IntervalUnit is an INTERVAL's unit, normalised to the singular.
type IntervalUnit string

const (
	Millisecond IntervalUnit = "MILLISECOND"
	Second      IntervalUnit = "SECOND"
	Minute      IntervalUnit = "MINUTE"
	Hour        IntervalUnit = "HOUR"
	Day         IntervalUnit = "DAY"
)

var unitDurations = map[IntervalUnit]time.Duration{
	Millisecond: time.Millisecond,
	Second:      time.Second,
	Minute:      time.Minute,
	Hour:        time.Hour,
	Day:         24 * time.Hour,
}

// Interval is INTERVAL '5' MINUTE or INTERVAL '5 minutes': both parse to
// Value "5", Unit Minute. Value is a non-negative decimal as written.
type Interval struct {
	Pos   Pos
	Value string
	Unit  IntervalUnit
}

// Duration is the interval's length, rounded to the nanosecond.
func (i *Interval) Duration() time.Duration {
	f, _ := strconv.ParseFloat(i.Value, 64) // Value was checked by the parser
	return time.Duration(f * float64(unitDurations[i.Unit]))
}

// Unary is -x, +x or NOT x.
type Unary struct {
	Pos Pos
	Op  string // "-", "+", "NOT"
	X   Expr
}

// Binary is L Op R. Op is one of OR AND = <> < <= > >= || + - * / %;
// != is read as <>.
type Binary struct {
	Pos Pos
	Op  string
	L   Expr
	R   Expr
}

// IsNull is x IS [NOT] NULL.
type IsNull struct {
	Pos Pos
	X   Expr
	Not bool
}

// IsBool is x IS [NOT] TRUE / FALSE.
type IsBool struct {
	Pos   Pos
	X     Expr
	Not   bool
	Value bool
}

// Between is x [NOT] BETWEEN Lo AND Hi.
type Between struct {
	Pos Pos
	X   Expr
	Not bool
	Lo  Expr
	Hi  Expr
}

// In is x [NOT] IN (list).
type In struct {
	Pos  Pos
	X    Expr
	Not  bool
	List []Expr
}

// Like is x [NOT] LIKE / ILIKE pattern.
type Like struct {
	Pos     Pos
	X       Expr
	Not     bool
	ILike   bool
	Pattern Expr
}

// Call is a function or aggregate call. Name is as written (case preserved);
// the planner looks functions up case-insensitively.
type Call struct {
	Pos         Pos
	Name        string
	Star        bool // COUNT(*)
	Distinct    bool // COUNT(DISTINCT x)
	Args        []Expr
	Filter      Expr         // agg(x) FILTER (WHERE …)
	WithinGroup []*OrderItem // PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x)
	Over        *Over        // window function
}

// Over is a window function's OVER (…) specification.
type Over struct {
	Pos         Pos
	PartitionBy []Expr
	OrderBy     []*OrderItem
	Frame       *Frame
}

// Frame is ROWS|RANGE BETWEEN Start AND End. The short form ROWS <start> is
// read as BETWEEN <start> AND CURRENT ROW, as in PostgreSQL.
type Frame struct {
	Pos   Pos
	Unit  string // "ROWS" or "RANGE"
	Start *FrameBound
	End   *FrameBound
}

// BoundKind is the kind of a frame bound.
type BoundKind string

const (
	UnboundedPreceding BoundKind = "UNBOUNDED PRECEDING"
	Preceding          BoundKind = "PRECEDING"
	CurrentRow         BoundKind = "CURRENT ROW"
	Following          BoundKind = "FOLLOWING"
	UnboundedFollowing BoundKind = "UNBOUNDED FOLLOWING"
)

// FrameBound is one end of a frame. Offset is set for Preceding and
// Following: an integer *Literal (ROWS) or an *Interval (RANGE).
type FrameBound struct {
	Pos    Pos
	Kind   BoundKind
	Offset Expr
}

// Case is CASE [Operand] WHEN … THEN … [ELSE …] END.
type Case struct {
	Pos     Pos
	Operand Expr // nil for the searched form
	Whens   []*When
	Else    Expr
}

// When is one WHEN Cond THEN Result arm.
type When struct {
	Pos    Pos
	Cond   Expr
	Result Expr
}

// CastSyntax records how a cast was written so printing keeps it.
type CastSyntax string

const (
	CastFunc    CastSyntax = "CAST"    // CAST(x AS t)
	CastColons  CastSyntax = "::"      // x::t
	CastLiteral CastSyntax = "LITERAL" // TIMESTAMP '…', DATE '…'
)

// Cast converts X to Type.
type Cast struct {
	Pos    Pos
	X      Expr
	Type   *Type
	Syntax CastSyntax
}

// Type is a SQL type with synonyms folded: INT→INTEGER, BOOL→BOOLEAN,
// NUMERIC→DECIMAL, FLOAT/DOUBLE→DOUBLE PRECISION, STRING→TEXT,
// TIMESTAMPTZ→TIMESTAMP WITH TIME ZONE. Args holds (n) or (p, s).
type Type struct {
	Pos   Pos
	Name  string
	Args  []int
	Array bool // t[]
}

// Subscript is X[Index]: an array element or, with a string index, a field.
type Subscript struct {
	Pos   Pos
	X     Expr
	Index Expr
}

// Array is ARRAY[e, …].
type Array struct {
	Pos   Pos
	Elems []Expr
}

// ---- the closed set ----

func (n *Name) Position() Pos             { return n.Pos }
func (n *Select) Position() Pos           { return n.Pos }
func (n *SelectItem) Position() Pos       { return n.Pos }
func (n *Source) Position() Pos           { return n.Pos }
func (n *Join) Position() Pos             { return n.Pos }
func (n *Window) Position() Pos           { return n.Pos }
func (n *OrderItem) Position() Pos        { return n.Pos }
func (n *Option) Position() Pos           { return n.Pos }
func (n *Insert) Position() Pos           { return n.Pos }
func (n *Explain) Position() Pos          { return n.Pos }
func (n *CreateConnection) Position() Pos { return n.Pos }
func (n *CreateProcessor) Position() Pos  { return n.Pos }
func (n *StartProcessor) Position() Pos   { return n.Pos }
func (n *StopProcessor) Position() Pos    { return n.Pos }
func (n *DropProcessor) Position() Pos    { return n.Pos }
func (n *ShowProcessors) Position() Pos   { return n.Pos }
func (n *ShowConnections) Position() Pos  { return n.Pos }
func (n *Ident) Position() Pos            { return n.Pos }
func (n *Literal) Position() Pos          { return n.Pos }
func (n *Param) Position() Pos            { return n.Pos }
func (n *Interval) Position() Pos         { return n.Pos }
func (n *Unary) Position() Pos            { return n.Pos }
func (n *Binary) Position() Pos           { return n.Pos }
func (n *IsNull) Position() Pos           { return n.Pos }
func (n *IsBool) Position() Pos           { return n.Pos }
func (n *Between) Position() Pos          { return n.Pos }
func (n *In) Position() Pos               { return n.Pos }
func (n *Like) Position() Pos             { return n.Pos }
func (n *Call) Position() Pos             { return n.Pos }
func (n *Over) Position() Pos             { return n.Pos }
func (n *Frame) Position() Pos            { return n.Pos }
func (n *FrameBound) Position() Pos       { return n.Pos }
func (n *Case) Position() Pos             { return n.Pos }
func (n *When) Position() Pos             { return n.Pos }
func (n *Cast) Position() Pos             { return n.Pos }
func (n *Type) Position() Pos             { return n.Pos }
func (n *Subscript) Position() Pos        { return n.Pos }
func (n *Array) Position() Pos            { return n.Pos }

func (*Name) node()             {}
func (*Select) node()           {}
func (*SelectItem) node()       {}
func (*Source) node()           {}
func (*Join) node()             {}
func (*Window) node()           {}
func (*OrderItem) node()        {}
func (*Option) node()           {}
func (*Insert) node()           {}
func (*Explain) node()          {}
func (*CreateConnection) node() {}
func (*CreateProcessor) node()  {}
func (*StartProcessor) node()   {}
func (*StopProcessor) node()    {}
func (*DropProcessor) node()    {}
func (*ShowProcessors) node()   {}
func (*ShowConnections) node()  {}
func (*Ident) node()            {}
func (*Literal) node()          {}
func (*Param) node()            {}
func (*Interval) node()         {}
func (*Unary) node()            {}
func (*Binary) node()           {}
func (*IsNull) node()           {}
func (*IsBool) node()           {}
func (*Between) node()          {}
func (*In) node()               {}
func (*Like) node()             {}
func (*Call) node()             {}
func (*Over) node()             {}
func (*Frame) node()            {}
func (*FrameBound) node()       {}
func (*Case) node()             {}
func (*When) node()             {}
func (*Cast) node()             {}
func (*Type) node()             {}
func (*Subscript) node()        {}
func (*Array) node()            {}

func (*Select) stmt()           {}
func (*Insert) stmt()           {}
func (*Explain) stmt()          {}
func (*CreateConnection) stmt() {}
func (*CreateProcessor) stmt()  {}
func (*StartProcessor) stmt()   {}
func (*StopProcessor) stmt()    {}
func (*DropProcessor) stmt()    {}
func (*ShowProcessors) stmt()   {}
func (*ShowConnections) stmt()  {}

func (*Ident) expr()     {}
func (*Literal) expr()   {}
func (*Param) expr()     {}
func (*Interval) expr()  {}
func (*Unary) expr()     {}
func (*Binary) expr()    {}
func (*IsNull) expr()    {}
func (*IsBool) expr()    {}
func (*Between) expr()   {}
func (*In) expr()        {}
func (*Like) expr()      {}
func (*Call) expr()      {}
func (*Case) expr()      {}
func (*Cast) expr()      {}
func (*Subscript) expr() {}
func (*Array) expr()     {}
