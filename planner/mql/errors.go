package mql

import "fmt"

// Path names a place in a pipeline document, as it is printed in errors:
// pipeline[1].$tumblingWindow.interval.unit.
type Path string

// Key is the path of field k below p.
func (p Path) Key(k string) Path {
	if p == "" {
		return Path(k)
	}
	return p + "." + Path(k)
}

// Index is the path of element i of the array at p.
func (p Path) Index(i int) Path { return Path(fmt.Sprintf("%s[%d]", p, i)) }

// Error is a problem with a pipeline, found while decoding or validating it.
// Path says where; Msg says what was found and what was expected.
type Error struct {
	Path Path
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return string(e.Path) + ": " + e.Msg
}

// Errorf returns an *Error at path p.
func Errorf(p Path, format string, args ...any) *Error {
	return &Error{Path: p, Msg: fmt.Sprintf(format, args...)}
}

// Warning is a lint: the pipeline is accepted, but probably not what its
// author meant, or relies on an alias or extension.
type Warning struct {
	Path Path
	Msg  string
	// Extension marks a warning that only says the pipeline uses a weir
	// extension Atlas refuses: worth saying when a pipeline is explained or
	// deployed, noise for a query typed into psql.
	Extension bool
}

func (w Warning) String() string {
	if w.Path == "" {
		return "warning: " + w.Msg
	}
	return "warning: " + string(w.Path) + ": " + w.Msg
}
